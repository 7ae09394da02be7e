package generator

import (
	"fmt"
	"os"
)

// EngineEnv names the environment variable that forces an engine:
// "loop" (the event loop, where the platform has one and the target is
// plain HTTP) or "goroutine" (one goroutine per connection). Unset, the
// event loop runs wherever it can.
const EngineEnv = "GOWRK_ENGINE"

// chooseEngine reports whether a run of cfg uses the event loop: plain
// HTTP/1.1, directly or over a unix socket. TLS, HTTP/2 and proxies run on
// goroutines.
func chooseEngine(cfg *Config) (bool, error) {
	canLoop := loopSupported && cfg.URL.Scheme == "http" && !cfg.Transport.NeedsGoroutines()
	switch e := os.Getenv(EngineEnv); e {
	case "", "loop":
		return canLoop, nil
	case "goroutine":
		return false, nil
	default:
		return false, fmt.Errorf("%w: %s must be loop or goroutine, not %q", ErrConfig, EngineEnv, e)
	}
}
