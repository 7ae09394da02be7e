package report

import (
	"fmt"
	"io"
	"strconv"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/units"
)

type jsonStage struct {
	DurationS float64 `json:"duration_s"`
	Target    float64 `json:"target"`
}

type jsonReason struct {
	Class  string `json:"class"`
	Reason string `json:"reason"`
	Count  uint64 `json:"count"`
}

type jsonEndpoint struct {
	Name           string            `json:"name"`
	Requests       uint64            `json:"requests"`
	Errors         uint64            `json:"errors"`
	RequestsPerSec float64           `json:"requests_per_sec"`
	StatusCodes    map[string]uint64 `json:"status_codes"`
	P50US          int64             `json:"p50_us"`
	P90US          int64             `json:"p90_us"`
	P99US          int64             `json:"p99_us"`
	MaxUS          int64             `json:"max_us"`
	// The failed responses' latency (error statuses, failed checks).
	FailureP50US *int64 `json:"failure_p50_us,omitempty"`
	FailureP99US *int64 `json:"failure_p99_us,omitempty"`
}

func stagesJSON(stages []pace.Stage) []jsonStage {
	var out []jsonStage
	for _, s := range stages {
		out = append(out, jsonStage{DurationS: s.Duration.Seconds(), Target: s.Target})
	}
	return out
}

func reasonsJSON(reasons []generator.ErrorReason) []jsonReason {
	out := make([]jsonReason, 0, len(reasons))
	for _, r := range reasons {
		out = append(out, jsonReason{Class: r.Class.String(), Reason: r.Reason, Count: r.Count})
	}
	return out
}

func endpointsJSON(res *generator.Result) []jsonEndpoint {
	var out []jsonEndpoint
	secs := res.Runtime.Seconds()
	for _, e := range res.Endpoints {
		j := jsonEndpoint{Name: e.Name, Requests: e.Requests, Errors: e.Errors, StatusCodes: map[string]uint64{}}
		if secs > 0 {
			j.RequestsPerSec = float64(e.Requests) / secs
		}
		for code, n := range e.StatusCodes {
			j.StatusCodes[strconv.Itoa(code)] = n
		}
		if e.Latency != nil && e.Latency.TotalCount() > 0 {
			j.P50US, j.P90US, j.P99US, j.MaxUS = e.Latency.ValueAtQuantile(50), e.Latency.ValueAtQuantile(90), e.Latency.ValueAtQuantile(99), e.Latency.Max()
		}
		if f := e.FailedLatency; f != nil && f.TotalCount() > 0 {
			p50, p99 := f.ValueAtQuantile(50), f.ValueAtQuantile(99)
			j.FailureP50US, j.FailureP99US = &p50, &p99
		}
		out = append(out, j)
	}
	return out
}

// EndpointsText prints the per-endpoint block that --by-endpoint adds
// after wrk's report: one row per endpoint group.
func EndpointsText(out io.Writer, run *summary.Run) error {
	res := run.Result
	if len(res.Endpoints) == 0 {
		return nil
	}
	w := &errWriter{w: out}
	width := len("Endpoint")
	for _, e := range res.Endpoints {
		width = max(width, len(e.Name))
	}
	secs := res.Runtime.Seconds()
	failures := false
	for _, e := range res.Endpoints {
		failures = failures || e.FailedLatency != nil && e.FailedLatency.TotalCount() > 0
	}
	fmt.Fprintf(w, "  %-*s %10s %8s %10s %9s %9s %9s %9s", width, "Endpoint", "Requests", "Errors", "Req/Sec", "p50", "p90", "p99", "Max")
	if failures {
		// Fast failures would flatter the columns before: these are apart.
		fmt.Fprintf(w, " %9s %9s", "OK p99", "Fail p99")
	}
	fmt.Fprintln(w)
	for _, e := range res.Endpoints {
		rate := 0.0
		if secs > 0 {
			rate = float64(e.Requests) / secs
		}
		var p50, p90, p99, top int64
		if e.Latency != nil && e.Latency.TotalCount() > 0 {
			p50, p90, p99, top = e.Latency.ValueAtQuantile(50), e.Latency.ValueAtQuantile(90), e.Latency.ValueAtQuantile(99), e.Latency.Max()
		}
		fmt.Fprintf(w, "  %-*s %10d %8d %10.2f %9s %9s %9s %9s", width, e.Name, e.Requests, e.Errors, rate,
			units.FormatTime(float64(p50)), units.FormatTime(float64(p90)), units.FormatTime(float64(p99)), units.FormatTime(float64(top)))
		if failures {
			okP99, failP99 := outcomeP99(e)
			fmt.Fprintf(w, " %9s %9s", okP99, failP99)
		}
		fmt.Fprintln(w)
	}
	return w.err
}

// outcomeP99 is an endpoint's p99 of the successful responses and of the
// failed ones, "-" for none.
func outcomeP99(e generator.EndpointResult) (ok, fail string) {
	p99 := func(h *hdrhistogram.Histogram) string {
		if h == nil || h.TotalCount() == 0 {
			return "-"
		}
		return units.FormatTime(float64(h.ValueAtQuantile(99)))
	}
	if e.Latency == nil {
		return "-", p99(e.FailedLatency)
	}
	return p99(stats.Subtract(e.Latency, e.FailedLatency)), p99(e.FailedLatency)
}

// topReasons is how many reasons per class the text report lists.
const topReasons = 5

// ReasonsText prints the top reasons of each error class, the block that
// --error-reasons adds after wrk's report.
func ReasonsText(out io.Writer, run *summary.Run) error {
	reasons := run.Result.ErrorReasons
	if len(reasons) == 0 {
		return nil
	}
	w := &errWriter{w: out}
	fmt.Fprintln(w, "  Error reasons:")
	shown := 0
	for i, r := range reasons {
		if i > 0 && r.Class != reasons[i-1].Class {
			shown = 0
		}
		if shown++; shown > topReasons {
			continue
		}
		fmt.Fprintf(w, "    %-8s %-45s %d\n", r.Class, r.Reason, r.Count)
	}
	return w.err
}
