package report

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/summary"
)

func resultWith(latencies []int64, rates []int64) *generator.Result {
	u, _ := url.Parse("http://127.0.0.1:8080/api")
	res := &generator.Result{
		Config:      generator.Config{URL: u, Connections: 1, Threads: 1, Duration: 3 * time.Second},
		Runtime:     3010 * time.Millisecond,
		Latency:     generator.NewLatencyHistogram(),
		RequestRate: generator.NewLatencyHistogram(),
	}
	for _, v := range latencies {
		_ = res.Latency.RecordValue(v)
	}
	for _, v := range rates {
		_ = res.RequestRate.RecordValue(v)
	}
	res.Requests = uint64(len(latencies))
	return res
}

func TestTextLayout(t *testing.T) {
	res := resultWith([]int64{100, 200, 300, 400, 500, 600, 700, 800, 900, 1000}, []int64{10, 20, 30})
	res.Bytes = 1536
	res.Errors = generator.Errors{Connect: 1, Read: 2, Write: 3, Timeout: 4, Status: 5}
	var out bytes.Buffer
	Header(&out, "http://127.0.0.1:8080/api", &res.Config)
	if err := Text(&out, summary.New(res), TextOptions{Latency: true}); err != nil {
		t.Fatal(err)
	}
	want := `Running 3s test @ http://127.0.0.1:8080/api
  1 threads and 1 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   550.00us  302.77us   1.00ms   60.00%
    Req/Sec    20.00     10.00    30.00    100.00%
  Latency Distribution
     50%  600.00us
     75%  800.00us
     90%    1.00ms
     99%    1.00ms
  10 requests in 3.01s, 1.50KB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:      3.32
Transfer/sec:     510.30B
`
	if out.String() != want {
		t.Errorf("report:\n%s\nwant:\n%s", out.String(), want)
	}
}

// With no responses wrk prints zeros and glibc's -nan; so does gowrk.
func TestTextWithoutSamples(t *testing.T) {
	res := resultWith(nil, nil)
	res.Errors.Read = 1
	var out bytes.Buffer
	if err := Text(&out, summary.New(res), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"    Latency     0.00us    0.00us   0.00us    -nan%\n",
		"    Req/Sec     0.00      0.00     0.00      -nan%\n",
		"  0 requests in 3.01s, 0.00B read\n",
		"  Socket errors: connect 0, read 1, write 0, timeout 0\n",
		"Requests/sec:      0.00\n",
		"Transfer/sec:       0.00B\n",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("missing %q in:\n%s", line, out.String())
		}
	}
	if strings.Contains(out.String(), "Non-2xx") {
		t.Errorf("Non-2xx line printed without status errors")
	}
}

// wrk corrects the latency data for coordinated omission before printing:
// with one connection, 10 requests in 3.01 s the expected interval is
// 301 ms, so a 1 s stall adds samples at 699 ms and 398 ms.
func TestTextAppliesWrkCorrection(t *testing.T) {
	res := resultWith([]int64{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1_000_000}, []int64{3})
	corrected := summary.CorrectedLatency(res)
	if got := corrected.TotalCount(); got != 12 {
		t.Fatalf("corrected count = %d, want 12", got)
	}
	var out bytes.Buffer
	if err := Text(&out, summary.New(res), TextOptions{Latency: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "     90%  699.") {
		t.Errorf("p90 should come from the synthetic samples:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "   1.00s ") {
		t.Errorf("max should stay the recorded 1 s:\n%s", out.String())
	}
}

// In open-loop mode the stats row and the distribution are the corrected
// latency, the max included, as wrk2 prints them; -U adds the measured.
func TestTextOpenLoop(t *testing.T) {
	res := openLoopResult(false)
	var out bytes.Buffer
	if err := Text(&out, summary.New(res), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "    Latency    81.42ms  205.06ms 899.58ms   87.72%\n") {
		t.Errorf("stats row not from the corrected latency:\n%s", out.String())
	}
	if strings.Contains(out.String(), "Latency Distribution") {
		t.Errorf("distribution printed without --latency")
	}
	out.Reset()
	if err := Text(&out, summary.New(res), TextOptions{Uncorrected: true}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	recorded := strings.Index(text, "  Latency Distribution (HdrHistogram - Recorded Latency)\n 50.000%  378.00us\n")
	uncorrected := strings.Index(text, "\n\n  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without taking delayed starts into account))\n 50.000%  346.00us\n")
	if recorded < 0 || uncorrected < recorded || strings.Count(text, strings.Repeat("-", 58)+"\n") != 2 {
		t.Errorf("wrk2 blocks missing or out of order:\n%s", text)
	}
	if !strings.HasSuffix(text, "  4990 requests in 5.00s, 194.92KB read\n  Socket errors: connect 0, read 0, write 0, timeout 10\n  Non-2xx or 3xx responses: 40\nRequests/sec:    998.00\nTransfer/sec:     38.98KB\n") {
		t.Errorf("summary:\n%s", text)
	}
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after -= len(p); f.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestTextReturnsWriteErrors(t *testing.T) {
	run := summary.New(openLoopResult(true))
	for _, after := range []int{0, 100, 300} {
		if err := Text(&failingWriter{after: after}, run, TextOptions{Latency: true}); err == nil {
			t.Errorf("Text: no error after %d bytes", after)
		}
		if err := BreakpointText(&failingWriter{after: after}, run.Result); err == nil {
			t.Errorf("BreakpointText: no error after %d bytes", after)
		}
	}
	if err := Header(&failingWriter{}, "http://x/", &run.Config); err == nil {
		t.Error("Header: no error")
	}
}
