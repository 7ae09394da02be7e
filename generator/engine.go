package generator

import (
	"fmt"
	"net/url"
	"os"
)

// EngineEnv names the environment variable that forces an engine:
// "loop" (the event loop, where the platform has one and the target is
// plain HTTP) or "goroutine" (one goroutine per connection). Unset, the
// event loop runs wherever it can.
const EngineEnv = "GOWRK_ENGINE"

// chooseEngine reports whether a run against u uses the event loop.
func chooseEngine(u *url.URL) (bool, error) {
	canLoop := loopSupported && u.Scheme == "http"
	switch e := os.Getenv(EngineEnv); e {
	case "", "loop":
		return canLoop, nil
	case "goroutine":
		return false, nil
	default:
		return false, fmt.Errorf("%w: %s must be loop or goroutine, not %q", ErrConfig, EngineEnv, e)
	}
}
