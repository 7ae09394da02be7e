package report

import (
	"fmt"
	"io"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/units"
	"github.com/gowrk/gowrk/validity"
)

// curveRows bounds the breakpoint curve printed in the text report; a long
// run's series is sampled evenly.
const curveRows = 20

// BreakpointText prints what a breakpoint run found and its rate, error and
// latency curve. wrk has no such mode, so it follows wrk's report.
func BreakpointText(out io.Writer, res *generator.Result) error {
	bp := res.Breakpoint
	if bp == nil {
		return nil
	}
	w := &errWriter{w: out}
	// With connection stages the load is connections, not a rate.
	staged := len(res.Config.ConnStages) > 0
	load, unit := bp.Rate, "requests/sec"
	if staged {
		load, unit = bp.Connections, "connections"
	}
	if bp.Found {
		fmt.Fprintf(w, "  Breakpoint: %s %s sustained (%s responses/sec), stopped at %s:\n",
			units.FormatMetric(load), unit, units.FormatMetric(bp.Throughput), units.FormatTime(float64(bp.At/time.Microsecond)))
		for _, r := range bp.Reasons {
			fmt.Fprintf(w, "    %s\n", r)
		}
	} else {
		fmt.Fprintf(w, "  Breakpoint: not reached; %s %s sustained to the end (%s responses/sec)\n",
			units.FormatMetric(load), unit, units.FormatMetric(bp.Throughput))
	}
	if len(res.Series) == 0 {
		return w.err
	}
	step := (len(res.Series) + curveRows - 1) / curveRows
	fmt.Fprintf(w, "  Breakpoint curve\n")
	head := "Target"
	if staged {
		head = "Conns"
	}
	fmt.Fprintf(w, "%10s%10s%10s%10s%10s%10s%10s\n", "Time", head, "Req/Sec", "Errors", "p50", "p90", "p99")
	for i := step - 1; i < len(res.Series); i += step {
		iv := res.Series[i]
		target := iv.Target
		if staged {
			target = iv.TargetConns
		}
		fmt.Fprintf(w, "%10s%10s%10s%9.2f%%%10s%10s%10s\n",
			units.FormatTime(float64((iv.Start+iv.Length)/time.Microsecond)),
			units.FormatMetric(target), units.FormatMetric(iv.Rate()), iv.ErrorShare(),
			units.FormatTime(float64(iv.P50)), units.FormatTime(float64(iv.P90)), units.FormatTime(float64(iv.P99)))
	}
	return w.err
}

// lateShare is the share of late or never-sent requests from which a run
// is reported as having fallen behind its schedule, the validity verdict's
// warning; some late requests are normal (a garbage collection, a busy
// core).
const lateShare = validity.BehindWarn

// ScheduleNote says how far behind schedule an open-loop run fell, when it
// fell behind noticeably: the measured rate is then lower than asked.
func ScheduleNote(res *generator.Result) (string, bool) {
	if !res.Config.Pacer.Enabled() || res.Due == 0 {
		return "", false
	}
	late, unsent := float64(res.Late), float64(res.Unsent())
	if late <= lateShare*float64(res.Sent) && unsent <= lateShare*float64(res.Due) {
		return "", false
	}
	return fmt.Sprintf("behind schedule: %d of %d requests sent late (%.2f%%), up to %s late; %d due requests never sent",
		res.Late, res.Sent, late/max(float64(res.Sent), 1)*100,
		units.FormatTime(float64(res.MaxBehind/time.Microsecond)), res.Unsent()), true
}
