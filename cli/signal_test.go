//go:build unix

package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testserver"
)

// fakeExit replaces exit for the test and returns the statuses it gets.
func fakeExit(t *testing.T) <-chan int {
	codes := make(chan int, 2)
	old := exit
	exit = func(code int) { codes <- code }
	t.Cleanup(func() { exit = old })
	return codes
}

func interrupt(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
}

// The first Ctrl-C ends the run; a second one, should the run hang, exits
// at once with 130.
func TestSecondInterruptExits(t *testing.T) {
	codes := fakeExit(t)
	intr := catchInterrupts()
	defer intr.stop()
	interrupt(t)
	select {
	case <-intr.ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the first Ctrl-C did not end the run")
	}
	select {
	case code := <-codes:
		t.Fatalf("the first Ctrl-C exited with %d", code)
	case <-time.After(100 * time.Millisecond):
	}
	interrupt(t)
	select {
	case code := <-codes:
		if code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second Ctrl-C did not exit")
	}
}

// Once the run is over, there is nothing left to end early: Ctrl-C exits.
func TestInterruptAfterRunExits(t *testing.T) {
	codes := fakeExit(t)
	intr := catchInterrupts()
	defer intr.stop()
	intr.runOver()
	interrupt(t)
	select {
	case code := <-codes:
		if code != 130 {
			t.Errorf("exit %d, want 130", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Ctrl-C after the run did not exit")
	}
}

// The built binary: a script whose done() never returns is ended by
// Ctrl-C with status 130, after the report was printed.
// The first Ctrl-C during done() interrupts the script, which is reported
// with its position; the run's report is already out.
func TestInterruptDuringDone(t *testing.T) {
	bin := buildGowrk(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "hang.lua")
	if err := os.WriteFile(script, []byte("function done() while true do end end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-t1", "-c1", "-d1s", "-s", script, srv.URL)
	var out, errOut testenv.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), "Transfer/sec:") {
		if ctx.Err() != nil {
			t.Fatalf("no report: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // into done()
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(errOut.String(), "hang.lua:1: interrupted") {
		t.Errorf("exit %d, stderr %q; want 1 and hang.lua:1: interrupted", code, errOut.String())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to exit", d)
	}
}
