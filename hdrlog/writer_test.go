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
	"github.com/gowrk/gowrk/pace"
)

// fakeRun writes a log of a run of n one-second intervals starting at
// start, with random latencies, and returns the path and the histograms
// written per interval (corrected, then uncorrected when openLoop).
func fakeRun(t testing.TB, seed uint64, start time.Time, n int, openLoop bool) (string, []*hdrhistogram.Histogram, *generator.Result) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed))
	u, _ := url.Parse("http://127.0.0.1:9/x")
	cfg := generator.Config{URL: u, Connections: 4, Threads: 2, Duration: time.Duration(n) * time.Second, Timeout: 2 * time.Second, SeriesInterval: time.Second}
	if openLoop {
		cfg.Pacer = pace.ConstantRate(100)
	}
	res := &generator.Result{
		Config: cfg, Start: start, Runtime: time.Duration(n) * time.Second,
		Latency: generator.NewLatencyHistogram(), RequestRate: hdrhistogram.New(1, 1_000_000_000, 3),
		StatusCodes: map[int]uint64{200: 0, 503: 3},
		Errors:      generator.Errors{Status: 3, Timeout: 1, Reset: 1, Check: 2, CheckBody: 1},
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
	w := NewWriter(f)
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
			Config:   &cfg,
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
		// The reader puts intervals at StartTime + offset: to the millisecond.
		if got, want := h.StartTimeMs(), int64(1_700_000_000_123+(i/2)*1000); got != want {
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
	for _, want := range []string{"#[Histogram log format version 1.3]\n", "#[StartTime: 1700000000.123 ", "#gowrk-run {", "#gowrk-summary {"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

// The run line holds --start-at's time and how late the run began on it.
func TestLogRecordsStartAt(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_250)
	cfg := generator.Config{Duration: time.Second, SeriesInterval: time.Second, StartAt: start.Add(-1500 * time.Microsecond)}
	var out bytes.Buffer
	w := NewWriter(&out)
	w.Interval(generator.IntervalData{
		Interval: generator.Interval{Length: time.Second},
		Config:   &cfg, RunStart: start, Latency: generator.NewLatencyHistogram(),
	})
	want := `"start_at_unix_ms":1700000000248,"start_offset_ms":1.5`
	if !strings.Contains(out.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, out.String())
	}
}
