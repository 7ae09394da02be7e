package testenv

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// Start starts cmd, a server the test needs, and stops it when the test
// ends: SIGINT first, SIGKILL if it has not exited 5 s later. The channel
// is closed when the process exits, for a test waiting on it to be ready.
func Start(t testing.TB, name string, cmd *exec.Cmd) <-chan struct{} {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return done
}
