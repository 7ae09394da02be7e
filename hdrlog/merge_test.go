package hdrlog

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/pace"
)

// Merging two runs gives the histogram of both: the same as recording
// every sample into one histogram.
func TestMergeEqualsOneHistogramOfBoth(t *testing.T) {
	for _, openLoop := range []bool{false, true} {
		start := time.UnixMilli(1_700_000_000_000)
		a, _, resA := fakeRun(t, 3, start, 5, openLoop)
		b, _, resB := fakeRun(t, 4, start.Add(1200*time.Millisecond), 5, openLoop)
		la, _ := Open(a)
		lb, _ := Open(b)
		merged, err := Merge([]*Log{la, lb})
		if err != nil {
			t.Fatal(err)
		}
		both := generator.NewLatencyHistogram()
		both.Merge(resA.Latency)
		both.Merge(resB.Latency)
		if !merged.Latency.Equals(both) {
			t.Errorf("open loop %v: merged latency differs from both runs' (%d vs %d samples)", openLoop, merged.Latency.TotalCount(), both.TotalCount())
		}
		if openLoop {
			bothCorrected := generator.NewLatencyHistogram()
			bothCorrected.Merge(resA.Corrected)
			bothCorrected.Merge(resB.Corrected)
			if !merged.Corrected.Equals(bothCorrected) {
				t.Error("merged corrected latency differs from both runs'")
			}
			if merged.Config.Pacer.To != 200 {
				t.Errorf("merged rate %v, want 200", merged.Config.Pacer.To)
			}
		} else if merged.Corrected != nil {
			t.Error("closed-loop merge has corrected latency")
		}
		if merged.Requests != resA.Requests+resB.Requests || merged.StatusCodes[503] != 6 || merged.Errors.Timeout != 2 {
			t.Errorf("counts: requests %d, 503s %d, timeouts %d", merged.Requests, merged.StatusCodes[503], merged.Errors.Timeout)
		}
		// Every class adds up: HTTP/2 resets and failed checks too.
		if e := merged.Errors; e.Reset != 2 || e.Check != 4 || e.CheckBody != 2 {
			t.Errorf("merged errors %+v", e)
		}
		if merged.Config.Connections != 8 || merged.Config.Threads != 4 || merged.RequestRate.TotalCount() != 10 {
			t.Errorf("connections %d threads %d rate samples %d", merged.Config.Connections, merged.Config.Threads, merged.RequestRate.TotalCount())
		}
		// Equal runtimes: the merged rate is the sum of the rates.
		wantRate := float64(resA.Requests)/5 + float64(resB.Requests)/5
		if got := float64(merged.Requests) / merged.Runtime.Seconds(); got < wantRate*0.999 || got > wantRate*1.001 {
			t.Errorf("merged rate %.2f, want %.2f", got, wantRate)
		}
		// b started 1.2 s later: 6 buckets, b's first interval in bucket 1.
		var seriesRequests uint64
		for _, iv := range merged.Series {
			seriesRequests += iv.Requests
		}
		if len(merged.Series) != 6 || seriesRequests != merged.Requests || !merged.Start.Equal(start) {
			t.Errorf("series of %d buckets with %d requests, start %v", len(merged.Series), seriesRequests, merged.Start)
		}
	}
}

func TestMergeRefusesMixedModes(t *testing.T) {
	start := time.Now()
	a, _, _ := fakeRun(t, 5, start, 2, false)
	b, _, _ := fakeRun(t, 6, start, 2, true)
	la, _ := Open(a)
	lb, _ := Open(b)
	if _, err := Merge([]*Log{la, lb}); err == nil {
		t.Error("merged open- and closed-loop runs")
	}
}

// A real open-loop run streamed to a log merges back to the run's own
// histograms.
func TestLogOfARealRun(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	u, _ := url.Parse(srv.URL + "/")
	cfg := generator.Config{URL: u, Connections: 4, Threads: 2, Duration: time.Second, Pacer: pace.ConstantRate(400), SeriesInterval: 250 * time.Millisecond}
	path := filepath.Join(t.TempDir(), "run.hlog")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(f)
	cfg.OnInterval = w.Interval
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}
	f.Close()
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge([]*Log{l})
	if err != nil {
		t.Fatal(err)
	}
	if !merged.Latency.Equals(res.Latency) || !merged.Corrected.Equals(res.Corrected) {
		t.Errorf("log holds %d/%d samples, run %d/%d", merged.Latency.TotalCount(), merged.Corrected.TotalCount(), res.Latency.TotalCount(), res.Corrected.TotalCount())
	}
	if merged.Requests != res.Requests || merged.Sent != res.Sent || len(merged.Series) < 4 {
		t.Errorf("requests %d/%d, sent %d/%d, %d intervals", merged.Requests, res.Requests, merged.Sent, res.Sent, len(merged.Series))
	}
}
