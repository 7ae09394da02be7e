package progress

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		s    generator.Snapshot
		want string
	}{
		{generator.Snapshot{Elapsed: 12 * time.Second, Duration: time.Minute, Rate: 23450, Requests: 281400},
			"[12s/1m00s] 23.45k req/s, 281400 requests, 0 errors"},
		{generator.Snapshot{Elapsed: 3725 * time.Second, Duration: 2 * time.Hour, Rate: 990, Target: 1000, Requests: 999, Errors: 1},
			"[1h02m05s/2h00m00s] 0.99k req/s (target 1.00k/s), 999 requests, 1 errors (0.10%)"},
	} {
		if got := Format(tc.s); got != tc.want {
			t.Errorf("Format = %q, want %q", got, tc.want)
		}
	}
}

func TestLineRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	l := New(&out)
	l.Clear()
	if out.Len() != 0 {
		t.Errorf("clearing an undrawn line wrote %q", out.String())
	}
	l.Update(generator.Snapshot{Duration: time.Second})
	l.Update(generator.Snapshot{Elapsed: time.Second, Duration: time.Second})
	l.Clear()
	want := "\r\x1b[K[0s/1s] 0.00 req/s, 0 requests, 0 errors\r\x1b[K[1s/1s] 0.00 req/s, 0 requests, 0 errors\r\x1b[K"
	if out.String() != want {
		t.Errorf("wrote %q, want %q", out.String(), want)
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a file is a terminal")
	}
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer pty.Close()
	if !IsTerminal(pty) {
		t.Error("a pseudo-terminal is not a terminal")
	}
}
