package hdrlog

import (
	"bytes"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
)

// fakeRun writes a log of a run of n one-second intervals starting at
// start, with random latencies, and returns the path and the histograms
// written per interval (corrected, then uncorrected when openLoop).
func fakeRun(t *testing.T, seed uint64, start time.Time, n int, openLoop bool) (string, []*hdrhistogram.Histogram, *generator.Result) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	u, _ := url.Parse("http://127.0.0.1:9/x")
	cfg := generator.Config{URL: u, Connections: 4, Threads: 2, Duration: time.Duration(n) * time.Second, Timeout: 2 * time.Second, SeriesInterval: time.Second}
	if openLoop {
		cfg.Pacer = generator.ConstantRate(100)
	}
	res := &generator.Result{
		Config: cfg, Start: start, Runtime: time.Duration(n) * time.Second,
		Latency: generator.NewLatencyHistogram(), RequestRate: hdrhistogram.New(1, 1_000_000_000, 3),
		StatusCodes: map[int]uint64{200: 0, 503: 3},
		Errors:      generator.Errors{Status: 3, Timeout: 1},
	}
	if openLoop {
		res.Corrected = generator.NewLatencyHistogram()
	}
	path := filepath.Join(t.TempDir(), "run.hlog")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter(f, &cfg)
	var written []*hdrhistogram.Histogram
	for i := range n {
		lat, raw := generator.NewLatencyHistogram(), generator.NewLatencyHistogram()
		count := 50 + rng.IntN(50)
		for range count {
			v := int64(rng.ExpFloat64() * 2000)
			_ = raw.RecordValue(v)
			_ = lat.RecordValue(v + int64(rng.IntN(5000)))
		}
		d := generator.IntervalData{
			Interval: generator.Interval{Start: time.Duration(i) * time.Second, Length: time.Second, Requests: uint64(count), Errors: 1},
			RunStart: start,
			Latency:  lat,
		}
		if openLoop {
			d.Uncorrected = raw
			d.Target = 100
			res.Corrected.Merge(lat)
			res.Latency.Merge(raw)
			written = append(written, lat, raw)
		} else {
			res.Latency.Merge(lat)
			written = append(written, lat)
		}
		res.Requests += uint64(count)
		res.StatusCodes[200] += uint64(count)
		_ = res.RequestRate.RecordValue(int64(count))
		w.Interval(d)
	}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}
	return path, written, res
}

// hdrhistogram-go's own log reader reads back exactly what was written,
// with the tags and the interval times.
func TestLogRoundTripsThroughHdrHistogramReader(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_123)
	path, written, _ := fakeRun(t, 1, start, 3, true)
	data, _ := os.ReadFile(path)
	r := hdrhistogram.NewHistogramLogReader(bytes.NewReader(data))
	for i, want := range written {
		h, err := r.NextIntervalHistogram()
		if err != nil || h == nil {
			t.Fatalf("histogram %d: %v", i, err)
		}
		if !h.Equals(want) {
			t.Errorf("histogram %d differs", i)
		}
		wantTag := ""
		if i%2 == 1 {
			wantTag = UncorrectedTag
		}
		if h.Tag() != wantTag {
			t.Errorf("histogram %d tag %q, want %q", i, h.Tag(), wantTag)
		}
		// The reader puts intervals at StartTime (whole seconds) + offset.
		if got, want := h.StartTimeMs(), int64(1_700_000_000_000+(i/2)*1000); got != want {
			t.Errorf("histogram %d starts at %d, want %d", i, got, want)
		}
		if d := h.EndTimeMs() - h.StartTimeMs(); d != 1000 {
			t.Errorf("histogram %d lasts %d ms", i, d)
		}
		for _, q := range []float64{50, 99, 100} {
			if h.ValueAtQuantile(q) != want.ValueAtQuantile(q) {
				t.Errorf("histogram %d p%v = %d, want %d", i, q, h.ValueAtQuantile(q), want.ValueAtQuantile(q))
			}
		}
	}
	if h, _ := r.NextIntervalHistogram(); h != nil {
		t.Error("more histograms than written")
	}
	for _, want := range []string{"#[Histogram log format version 1.3]\n", "#[StartTime: 1700000000 ", "#gowrk-run {", "#gowrk-summary {"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestOpenReadsTheRun(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_123)
	path, _, res := fakeRun(t, 2, start, 4, true)
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Start().Equal(start) || l.Runtime() != 4*time.Second || !l.OpenLoop() || len(l.intervals) != 4 {
		t.Errorf("start %v runtime %v open %v intervals %d", l.Start(), l.Runtime(), l.OpenLoop(), len(l.intervals))
	}
	if l.summary.Requests != res.Requests || l.summary.StatusCodes[503] != 3 || l.rates.TotalCount() != 4 {
		t.Errorf("summary %+v", l.summary)
	}
	cfg := l.meta.config()
	if cfg.URL.String() != "http://127.0.0.1:9/x" || cfg.Connections != 4 || cfg.Pacer.To != 100 {
		t.Errorf("config %+v", cfg)
	}
}

func TestOpenRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"plain.hlog":      "#[Histogram log format version 1.3]\n",
		"unfinished.hlog": `#gowrk-run {"gowrk_log_version":1,"unit":"us"}` + "\n",
		"future.hlog":     `#gowrk-run {"gowrk_log_version":9,"unit":"us"}` + "\n",
	} {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, []byte(content), 0o644)
		if _, err := Open(path); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

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
