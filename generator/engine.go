package generator

import (
	"fmt"
	"os"
)

// Engine is how a run drives its connections. Every engine runs every
// feature through the same bookkeeping (conn.go); they differ in cost and
// in what they can dial.
type Engine uint8

const (
	// EngineAuto runs the event loop wherever it can, the goroutine engine
	// elsewhere. EngineEnv, when set, picks for it where the choice is
	// open.
	EngineAuto Engine = iota
	// EngineLoop runs one event loop per thread (loop.go): plain-text
	// HTTP/1.1 and h2c, direct, over a unix socket or to a proxy in
	// absolute form, on Linux.
	EngineLoop
	// EngineGoroutine gives each connection a goroutine (goroutine.go): it
	// runs everything, TLS and proxy tunnels included, everywhere.
	EngineGoroutine
)

var engineNames = [...]string{"auto", "loop", "goroutine"}

func (e Engine) String() string {
	if int(e) < len(engineNames) {
		return engineNames[e]
	}
	return fmt.Sprintf("Engine(%d)", e)
}

// ParseEngine reads an engine's name: auto, loop or goroutine.
func ParseEngine(s string) (Engine, error) {
	for i, name := range engineNames {
		if s == name {
			return Engine(i), nil
		}
	}
	return 0, fmt.Errorf("%w: engine must be auto, loop or goroutine, not %q", ErrConfig, s)
}

// EngineEnv names the environment variable that picks the engine of runs
// configured with EngineAuto, where the choice is open: "loop" or
// "goroutine". The test suites use it to run everything on both.
const EngineEnv = "GOWRK_ENGINE"

// chooseEngine decides the engine of a run with dialer d: the event loop
// or not. An engine asked for explicitly that cannot run cfg is refused.
func chooseEngine(cfg *Config, d *dialer) (Engine, error) {
	cannot := ""
	switch {
	case !loopSupported:
		cannot = "on this operating system"
	case cfg.Transport.HTTP3:
		cannot = "HTTP/3 (QUIC)"
	case d.tls != nil:
		cannot = "TLS (https)"
	case d.tunnels():
		cannot = "a proxy tunnel (CONNECT)"
	}
	want := cfg.Engine
	if want == EngineAuto {
		switch e := os.Getenv(EngineEnv); e {
		case "", "auto":
		case "loop", "goroutine":
			want, _ = ParseEngine(e)
			if cannot != "" {
				want = EngineGoroutine
			}
		default:
			return 0, fmt.Errorf("%w: %s must be loop or goroutine, not %q", ErrConfig, EngineEnv, e)
		}
	}
	switch want {
	case EngineGoroutine:
		return EngineGoroutine, nil
	case EngineLoop:
		if cannot != "" {
			return 0, fmt.Errorf("%w: the loop engine cannot run %s; use --engine goroutine or auto", ErrConfig, cannot)
		}
		return EngineLoop, nil
	case EngineAuto:
		if cannot != "" {
			return EngineGoroutine, nil
		}
		return EngineLoop, nil
	}
	return 0, fmt.Errorf("%w: unknown engine %v", ErrConfig, want)
}
