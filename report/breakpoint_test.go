package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
)

func TestBreakpointText(t *testing.T) {
	res := openLoopResult(true)
	var out bytes.Buffer
	BreakpointText(&out, res)
	want := `  Breakpoint: 1.10k requests/sec sustained (1.04k responses/sec), stopped at 4.00s:
    p99>500ms (p99 = 890.00ms)
  Breakpoint curve
      Time    Target   Req/Sec    Errors       p50       p90       p99
     1.00s    600.00     1.00k     1.00%  350.00us  470.00us  495.00us
     2.00s    800.00     1.00k     1.00%  350.00us  470.00us  495.00us
     3.00s     1.00k     1.00k     1.00%  450.00ms  810.00ms  890.00ms
     4.00s     1.20k     1.00k     1.00%  350.00us  470.00us  495.00us
     5.00s     1.40k     1.00k     1.00%  350.00us  470.00us  495.00us
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	res.Breakpoint = &generator.Breakpoint{Rate: 1400, Throughput: 1390, At: 5 * time.Second}
	res.Series = nil
	out.Reset()
	BreakpointText(&out, res)
	if out.String() != "  Breakpoint: not reached; 1.40k requests/sec sustained to the end (1.39k responses/sec)\n" {
		t.Errorf("not reached: %q", out.String())
	}
}

// A long run's curve is sampled down to at most curveRows rows.
func TestBreakpointCurveIsSampled(t *testing.T) {
	res := openLoopResult(true)
	res.Series = make([]generator.Interval, 600)
	for i := range res.Series {
		res.Series[i] = generator.Interval{Start: time.Duration(i) * time.Second, Length: time.Second}
	}
	var out bytes.Buffer
	BreakpointText(&out, res)
	rows := strings.Count(out.String(), "\n") - 4
	if rows != curveRows || !strings.Contains(out.String(), "\n    10.00m ") {
		t.Errorf("%d rows, want %d ending at 10m:\n%s", rows, curveRows, out.String())
	}
}

func TestScheduleNote(t *testing.T) {
	res := openLoopResult(false)
	note, ok := ScheduleNote(res)
	if !ok || note != "behind schedule: 900 of 5000 requests sent late (18.00%), up to 950.00ms late; 0 due requests never sent" {
		t.Errorf("note %q, %v", note, ok)
	}
	res.Late = 49
	if _, ok := ScheduleNote(res); ok {
		t.Error("a note for under 1% late")
	}
	res.Due = 5100
	if note, ok := ScheduleNote(res); !ok || !strings.HasSuffix(note, "; 100 due requests never sent") {
		t.Errorf("unsent: %q", note)
	}
	if _, ok := ScheduleNote(closedLoopResult()); ok {
		t.Error("a note in closed loop")
	}
}
