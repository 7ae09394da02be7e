package hdrlog

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testenv"
	runsummary "github.com/gowrk/gowrk/summary"
)

// hdrHistogramJar is Debian's libhdrhistogram-java.
const hdrHistogramJar = "/usr/share/java/hdrhistogram.jar"

// closedLoopLog writes the log of a closed-loop run of n one-second
// intervals, with stalls that wrk's correction fills in, and returns it
// with the run's result.
func closedLoopLog(t *testing.T, start time.Time, n int) (string, *generator.Result) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 7))
	u, _ := url.Parse("http://127.0.0.1:9/x")
	cfg := generator.Config{URL: u, Connections: 4, Threads: 1, Duration: time.Duration(n) * time.Second, SeriesInterval: time.Second}
	res := &generator.Result{
		Config: cfg, Start: start, Runtime: time.Duration(n) * time.Second,
		Latency: generator.NewLatencyHistogram(), RequestRate: hdrhistogram.New(1, 1_000_000_000, 3),
		StatusCodes: map[int]uint64{},
	}
	path := filepath.Join(t.TempDir(), "closed.hlog")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter(f)
	for i := range n {
		lat := generator.NewLatencyHistogram()
		count := 2000 + rng.IntN(500)
		for range count {
			v := 500 + int64(rng.ExpFloat64()*1500)
			if rng.IntN(400) == 0 {
				v = 100_000 + rng.Int64N(400_000) // a stall
			}
			_ = lat.RecordValue(v)
		}
		res.Latency.Merge(lat)
		res.Requests += uint64(count)
		w.Interval(generator.IntervalData{
			Interval: generator.Interval{Start: time.Duration(i) * time.Second, Length: time.Second, Requests: uint64(count)},
			Config:   &cfg, RunStart: start, Latency: lat,
		})
	}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}
	return path, res
}

// HdrHistogram's Java log processor reads the log's untagged series as the
// latency gowrk reports, and places the intervals at the run's start to
// the millisecond.
func TestJavaHdrHistogramReadsTheReportedLatency(t *testing.T) {
	java := testenv.Require(t, "java")
	if _, err := os.Stat(hdrHistogramJar); err != nil {
		if testenv.InCI() {
			t.Fatalf("%s is required in CI: %v", hdrHistogramJar, err)
		}
		t.Skipf("libhdrhistogram-java not installed: %v", err)
	}
	start := time.UnixMilli(1_700_000_000_700)
	path, res := closedLoopLog(t, start, 5)
	headline := runsummary.New(res).Headline
	measured := res.Latency
	if headline.TotalCount() == measured.TotalCount() {
		t.Fatal("the run's correction adds nothing: the test cannot tell the series apart")
	}

	out := filepath.Join(t.TempDir(), "intervals.csv")
	cmd := exec.Command(java, "-cp", hdrHistogramJar, "org.HdrHistogram.HistogramLogProcessor",
		"-i", path, "-o", out, "-csv", "-outputValueUnitRatio", "1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("HistogramLogProcessor: %v\n%s", err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 6 {
		t.Fatalf("want a header and 5 intervals, got %d rows (%v)", len(rows), err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	num := func(row []string, name string) float64 {
		t.Helper()
		i, ok := col[name]
		if !ok {
			t.Fatalf("no column %q in %q", name, rows[0])
		}
		v, err := strconv.ParseFloat(row[i], 64)
		if err != nil {
			t.Fatalf("column %q: %v", name, err)
		}
		return v
	}
	// Interval times are relative to StartTime: the first ends 1 s in,
	// not 1.7 s as with a StartTime cut to the second.
	if got := num(rows[1], "Timestamp"); math.Abs(got-1) > 0.0015 {
		t.Errorf("first interval ends %.3f s after StartTime, want 1.000", got)
	}
	// The reader's absolute times: the first interval is the run's first
	// second, to the millisecond.
	first, err := exec.Command(java, "-cp", hdrHistogramJar, "testdata/FirstInterval.java", path).CombinedOutput()
	if err != nil {
		t.Fatalf("FirstInterval.java: %v\n%s", err, first)
	}
	if got, want := strings.TrimSpace(string(first)), "1700000000700 1700000001700"; got != want {
		t.Errorf("Java places the first interval at %s ms, want %s", got, want)
	}
	last := rows[len(rows)-1]
	if got, want := num(last, "Total_Count"), float64(headline.TotalCount()); got != want {
		t.Errorf("Java reads %v samples, the report has %v (measured: %d)", got, want, measured.TotalCount())
	}
	for name, q := range map[string]float64{"Total_50%": 50, "Total_99%": 99, "Total_99.9%": 99.9, "Total_Max": 100} {
		got, want := num(last, name), float64(headline.ValueAtQuantile(q))
		if math.Abs(got-want) > want*0.001+1 {
			t.Errorf("Java's %s is %v µs, the report's %v µs (measured: %d)", name, got, want, measured.ValueAtQuantile(q))
		}
	}
}
