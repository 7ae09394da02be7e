package report

import (
	"io"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/summary"
)

// Reporter writes one report to w and returns the first write error; the
// caller flushes and closes w and checks those too.
type Reporter func(w io.Writer) error

// TextReporter is Text (and, for a breakpoint run, BreakpointText).
func TextReporter(run *summary.Run, opt TextOptions) Reporter {
	return func(w io.Writer) error {
		if err := Text(w, run, opt); err != nil {
			return err
		}
		return BreakpointText(w, run.Result)
	}
}

// JSONReporter is JSON.
func JSONReporter(run *summary.Run, d Details) Reporter {
	return func(w io.Writer) error { return JSON(w, run, d) }
}

// HTMLReporter is HTML.
func HTMLReporter(run *summary.Run, d Details) Reporter {
	return func(w io.Writer) error { return HTML(w, run, d) }
}

// PercentilesReporter is WritePercentiles: the .hgrm file of h.
func PercentilesReporter(h *hdrhistogram.Histogram) Reporter {
	return func(w io.Writer) error { return WritePercentiles(w, h) }
}
