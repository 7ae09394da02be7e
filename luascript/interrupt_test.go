//go:build !windows

package luascript_test

import (
	"bytes"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/cli"
	"github.com/gowrk/gowrk/internal/testserver"
)

// TestHookLoopsAreInterrupted runs, through the command, a script whose
// hook never returns: the end of -d (for hooks called during the run) or
// Ctrl-C (for the others) interrupts it, and the command fails with the
// loop's location.
func TestHookLoopsAreInterrupted(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	// Keeps the test process alive when it sends itself SIGINT.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)

	for _, tc := range []struct {
		name, src string
		ctrlC     bool
		line      string // of the loop; 2 when empty
	}{
		{"load", "local x = 0\nwhile true do x = x + 1 end\n", true, ""},
		{"setup", "function setup(thread)\n  while true do end\nend\n", true, ""},
		{"init", "function init(args)\n  while true do end\nend\n", true, ""},
		{"request", "function request()\n  while true do end\nend\n", false, ""},
		{"response", "function response()\n  while true do end\nend\n", false, ""},
		{"delay", "function delay()\n  while true do end\nend\n", false, ""},
		{"done", "function done()\n  while true do end\nend\n", true, ""},
		// Coroutines follow their creator: made during the run, made at
		// load time and resumed during it, or wrapped.
		{"coroutine", "function request()\n  coroutine.resume(coroutine.create(function() while true do end end))\nend\n", false, ""},
		{"coroutine from load", "local co = coroutine.create(function() while true do end end)\nfunction request() coroutine.resume(co) end\n", false, "1"},
		{"coroutine.wrap", "function response()\n  coroutine.wrap(function() while true do end end)()\nend\n", false, ""},
		{"coroutine in setup", "function setup()\n  coroutine.wrap(function() while true do end end)()\nend\n", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "loop.lua")
			if err := os.WriteFile(path, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.ctrlC {
				// Ctrl-C, pressed again until the command returns: a first
				// one may end the run before done() loops.
				stop, stopped := make(chan struct{}), make(chan struct{})
				defer func() {
					close(stop)
					<-stopped
					// Let a signal still in flight land here, not in the
					// next case.
					time.Sleep(50 * time.Millisecond)
				}()
				go func() {
					defer close(stopped)
					tick := time.NewTicker(300 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-stop:
							return
						case <-tick.C:
							_ = syscall.Kill(os.Getpid(), syscall.SIGINT)
						}
					}
				}()
			}
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := cli.Main([]string{"-t1", "-c1", "-d1s", "-s", path, srv.URL + "/"}, &stdout, &stderr)
			elapsed := time.Since(start)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr %q", code, stderr.String())
			}
			line := tc.line
			if line == "" {
				line = "2"
			}
			if want := path + ":" + line + ": interrupted\n"; stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
			if elapsed > 4*time.Second {
				t.Errorf("took %v", elapsed)
			}
		})
	}
}
