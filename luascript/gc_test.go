package luascript

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestGCTargetRaisedForPerRequestHooks(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set")
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	h := load(t, `function request() return wrk.format() end`)
	h.thread(0)
	if got := debug.SetGCPercent(-1); got != scriptGCPercent {
		t.Errorf("GC percent during the run %d, want %d", got, scriptGCPercent)
	}
	debug.SetGCPercent(scriptGCPercent)
	h.script.Close()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent after Close %d, want 100", got)
	}
}
