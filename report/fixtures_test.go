package report

import (
	"net/url"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/threshold"
)

// openLoopResult is a plausible 5 s constant-rate run at 1000/s with a
// stall in its third second, or a breakpoint run when breakpoint is set.
func openLoopResult(breakpoint bool) *generator.Result {
	u, _ := url.Parse("http://127.0.0.1:8080/api")
	cfg := generator.Config{
		URL: u, Connections: 10, Threads: 2, Duration: 5 * time.Second, Timeout: 2 * time.Second,
		Pacer: pace.ConstantRate(1000), SeriesInterval: time.Second,
	}
	if breakpoint {
		cfg.Pacer = pace.Ramp(500, 1500, 5*time.Second, 0)
		cfg.Stop, _ = threshold.Parse("p99>500ms,errors>1%")
		cfg.StopWindow = 2 * time.Second
	}
	res := &generator.Result{
		Config:      cfg,
		Start:       time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Runtime:     5 * time.Second,
		Latency:     generator.NewLatencyHistogram(),
		Corrected:   generator.NewLatencyHistogram(),
		RequestRate: generator.NewLatencyHistogram(),
		StatusCodes: map[int]uint64{200: 4950, 503: 40},
		Errors:      generator.Errors{Status: 40, Timeout: 10},
		Sent:        5000, Due: 5000, Late: 900, MaxBehind: 950 * time.Millisecond,
	}
	for i := range 4990 {
		v := int64(200 + i%300)
		_ = res.Latency.RecordValue(v)
		if i >= 2000 && i < 2900 {
			v += int64(i-2000) * 1000
		}
		_ = res.Corrected.RecordValue(v)
	}
	for _, r := range []int64{480, 500, 520, 510, 490} {
		_ = res.RequestRate.RecordValue(r)
	}
	res.Requests = 4990
	res.Bytes = 4990 * 40
	for i := range 5 {
		iv := generator.Interval{
			Start: time.Duration(i) * time.Second, Length: time.Second,
			Requests: 998, Errors: 10, SocketErrors: 2, P50: 350, P90: 470, P99: 495, Max: 499, Target: 1000,
		}
		if i == 2 {
			iv.P50, iv.P90, iv.P99, iv.Max = 450_000, 810_000, 890_000, 899_000
		}
		if breakpoint {
			iv.Target = 600 + 200*float64(i)
		}
		res.Series = append(res.Series, iv)
	}
	if breakpoint {
		res.Breakpoint = &generator.Breakpoint{Found: true, Rate: 1100, Throughput: 1040, At: 4 * time.Second, Reasons: []string{"p99>500ms (p99 = 890.00ms)"}}
	}
	return res
}

// closedLoopResult is a wrk-style run.
func closedLoopResult() *generator.Result {
	res := openLoopResult(false)
	res.Config.Pacer = pace.Pacer{}
	res.Corrected = nil
	res.Sent, res.Due, res.Late, res.MaxBehind = 0, 0, 0, 0
	for i := range res.Series {
		res.Series[i].Target = 0
	}
	return res
}
