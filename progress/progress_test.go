package progress

import (
	"bytes"
	"os"
	"strings"
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
		{generator.Snapshot{Elapsed: 3725 * time.Second, Duration: 2 * time.Hour, Rate: 990, Target: 1000, Requests: 999, Errors: 1, SocketErrors: 1},
			"[1h02m05s/2h00m00s] 0.99k req/s (target 1.00k/s), 999 requests, 1 errors (0.10%)"},
		// Error statuses are responses: every response a 500 is 100%.
		{generator.Snapshot{Elapsed: time.Second, Duration: time.Second, Requests: 40, Errors: 40},
			"[1s/1s] 0.00 req/s, 40 requests, 40 errors (100.00%)"},
		{generator.Snapshot{Elapsed: time.Second, Duration: time.Second, Requests: 30, Errors: 20, SocketErrors: 10},
			"[1s/1s] 0.00 req/s, 30 requests, 20 errors (50.00%)"},
		{generator.Snapshot{Elapsed: time.Second, Duration: time.Second, Errors: 5, SocketErrors: 5},
			"[1s/1s] 0.00 req/s, 0 requests, 5 errors (100.00%)"},
		{generator.Snapshot{Elapsed: 3 * time.Second, Duration: 5 * time.Second, WarmingUp: true},
			"[3s/5s] warming up"},
		{generator.Snapshot{Elapsed: 4 * time.Second, Duration: 365 * 24 * time.Hour, Rate: 2500, Requests: 10000, Of: 100000},
			"[4s] 2.50k req/s, 10000 of 100000 requests, 0 errors"},
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

func TestLineFitsTheTerminal(t *testing.T) {
	var out bytes.Buffer
	l := New(&out)
	snap := generator.Snapshot{Elapsed: 3725 * time.Second, Duration: 2 * time.Hour, Rate: 990, Target: 1000, Requests: 999, Errors: 1, SocketErrors: 1}
	for _, cols := range []int{0, 2, 20, 80, 200} {
		out.Reset()
		l.width = func() int { return cols }
		l.Update(snap)
		text := strings.TrimPrefix(out.String(), "\r\x1b[K")
		full := Format(snap)
		switch {
		case cols <= reservedColumns || len(full) <= cols-reservedColumns:
			if text != full {
				t.Errorf("%d columns: drew %q, want %q", cols, text, full)
			}
		case len(text) != cols-reservedColumns || !strings.HasPrefix(full, text):
			t.Errorf("%d columns: drew %q (%d), want the first %d columns of %q", cols, text, len(text), cols-reservedColumns, full)
		}
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
