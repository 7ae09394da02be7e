package luascript

import (
	"strings"
	"testing"
	"time"
)

// Options.StageTime ends a stage outside the run that runs over, and says
// which; a stage that finishes in time leaves the next its own time.
func TestStageTime(t *testing.T) {
	const limit = 200 * time.Millisecond
	_, err := Load(Options{Path: writeScript(t, "while true do end\n"), URL: testURL(), StageTime: limit})
	if err == nil || !strings.HasSuffix(err.Error(), ":1: interrupted (the top level ran over its time, 200ms)") {
		t.Errorf("top level: %v", err)
	}

	s, err := Load(Options{Path: writeScript(t, "local t = os.clock()\nwhile os.clock() - t < 0.15 do end\nfunction setup() while true do end end\n"), URL: testURL(), StageTime: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, err = s.NewThread(0, nil, &fakeCtl{})
	if err == nil || !strings.HasSuffix(err.Error(), ":3: interrupted (setup() and init() ran over its time, 200ms)") {
		t.Errorf("setup: %v", err)
	}
	if d := time.Since(start); d < limit || d > 5*limit {
		t.Errorf("setup interrupted after %v, want %v", d, limit)
	}
}
