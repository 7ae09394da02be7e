// Package report renders a generator.Result: wrk's text report, JSON,
// HdrHistogram files and the HTML report.
package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/units"
)

// TextOptions selects the optional blocks of the text report.
type TextOptions struct {
	// Latency prints the latency distribution (wrk's --latency); in
	// open-loop mode in wrk2's HdrHistogram layout.
	Latency bool
	// Uncorrected also prints, in open-loop mode, the distribution measured
	// from the actual writes (wrk2's -U).
	Uncorrected bool
}

// Header prints the lines wrk prints before the run starts; url is printed
// as the user wrote it. A shard's line counts its own connections and
// names the shard.
func Header(w io.Writer, url string, cfg *generator.Config) error {
	shard := ""
	if cfg.Shard.Enabled() {
		shard = fmt.Sprintf(" (shard %d of %d)", cfg.Shard.Index+1, cfg.Shard.Count)
	}
	length := units.FormatSeconds(uint64(cfg.Duration/time.Second)) + " test"
	if cfg.Requests > 0 {
		length = fmt.Sprintf("%d requests", cfg.Requests)
		if cfg.Duration < unboundedRun {
			length += " (at most " + units.FormatSeconds(uint64(cfg.Duration/time.Second)) + ")"
		}
	}
	if cfg.Warmup > 0 {
		length += " after a " + units.FormatSeconds(uint64(cfg.Warmup/time.Second)) + " warm-up"
	}
	_, err := fmt.Fprintf(w, "Running %s @ %s\n  %d threads and %d connections%s\n",
		length, url, cfg.Threads, cfg.Shard.ShareOf(cfg.Connections), shard)
	return err
}

// unboundedRun is the length from which a run with a number of requests
// counts as bounded by them alone: the command line's limit is a year.
const unboundedRun = 300 * 24 * time.Hour

// errWriter keeps the first write error and drops later writes, so a
// report made of many prints checks them once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// Text prints wrk's report for res, byte for byte as wrk lays it out, and
// in open-loop mode as wrk2 does. The latency figures are Headline's: with
// wrk's coordinated-omission correction, or measured from the scheduled
// send times in open-loop mode.
func Text(out io.Writer, run *summary.Run, opt TextOptions) error {
	w := &errWriter{w: out}
	res := run.Result
	runtimeUS := uint64(res.Runtime / time.Microsecond)
	latency := run.Headline
	openLoop := res.Corrected != nil

	fmt.Fprintf(w, "  Thread Stats%6s%11s%8s%12s\n", "Avg", "Stdev", "Max", "+/- Stdev")
	// wrk takes the max from the measured data; wrk2 from the corrected.
	maxLatency := res.Latency.Max()
	if openLoop {
		maxLatency = latency.Max()
	}
	statsRow(w, "Latency", stats.Summarize(latency), maxLatency, units.FormatTime)
	rate := stats.Summarize(res.RequestRate)
	statsRow(w, "Req/Sec", rate, rate.Max, units.FormatMetric)
	switch {
	case openLoop && (opt.Latency || opt.Uncorrected):
		hdrLatency(w, latency, "Recorded Latency")
		if opt.Uncorrected {
			fmt.Fprintln(w)
			hdrLatency(w, res.Latency, "Uncorrected Latency (measured without taking delayed starts into account)")
		}
	case opt.Latency:
		fmt.Fprintf(w, "  Latency Distribution\n")
		bars := stats.Bars(latency)
		for _, p := range []float64{50, 75, 90, 99} {
			fmt.Fprintf(w, "%7.0f%%%s\n", p, units.Cell(units.FormatTime(float64(stats.PercentileOf(bars, latency.TotalCount(), p))), 10))
		}
	}
	fmt.Fprintf(w, "  %d requests in %s, %sB read\n", res.Requests, units.FormatTime(float64(runtimeUS)), units.FormatBinary(float64(res.Bytes)))
	if e := res.Errors; e.Socket() > 0 {
		fmt.Fprintf(w, "  Socket errors: connect %d, read %d, write %d, timeout %d", e.Connect, e.Read, e.Write, e.Timeout)
		// Only HTTP/2 resets streams; wrk's line stays as it is otherwise.
		if e.Reset > 0 {
			fmt.Fprintf(w, ", reset %d", e.Reset)
		}
		fmt.Fprintln(w)
	}
	if res.Errors.Status > 0 {
		fmt.Fprintf(w, "  Non-2xx or 3xx responses: %d\n", res.Errors.Status)
	}
	if e := res.Errors; e.Check > 0 {
		fmt.Fprintf(w, "  Failed checks: %d (status %d, body %d)\n", e.Check, e.Check-e.CheckBody, e.CheckBody)
	}
	seconds := float64(runtimeUS) / 1e6
	fmt.Fprintf(w, "Requests/sec: %9.2f\n", float64(res.Requests)/seconds)
	fmt.Fprintf(w, "Transfer/sec: %10sB\n", units.FormatBinary(float64(res.Bytes)/seconds))
	return w.err
}

// hdrLatency prints wrk2's latency block: eight percentiles, the detailed
// percentile spectrum and a rule.
func hdrLatency(w io.Writer, h *hdrhistogram.Histogram, description string) {
	fmt.Fprintf(w, "  Latency Distribution (HdrHistogram - %s)\n", description)
	for _, p := range []float64{50, 75, 90, 99, 99.9, 99.99, 99.999, 100} {
		fmt.Fprintf(w, "%7.3f%%%s\n", p, units.Cell(units.FormatTime(float64(h.ValueAtQuantile(p))), 10))
	}
	fmt.Fprintf(w, "\n  Detailed Percentile spectrum:\n")
	// A failed write is kept by the errWriter Text passes in.
	_ = WritePercentiles(w, h)
	fmt.Fprintf(w, "%s\n", strings.Repeat("-", 58))
}

// statsRow prints one "Thread Stats" row; max comes from the uncorrected
// data, as wrk tracks it at record time.
func statsRow(w io.Writer, name string, s stats.Summary, max int64, format func(float64) string) {
	fmt.Fprintf(w, "    %-10s%s%s%s%s\n", name,
		units.Cell(format(s.Mean), 8),
		units.Cell(format(s.Stdev), 10),
		units.Cell(format(float64(max)), 9),
		percent(s.WithinStdev))
}

// percent formats like C's "%8.2Lf%%", including glibc's "-nan" for 0/0.
func percent(v float64) string {
	if math.IsNaN(v) {
		return "    -nan%"
	}
	return fmt.Sprintf("%8.2f%%", v)
}
