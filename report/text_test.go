package report

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
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
	Text(&out, res, TextOptions{Latency: true})
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
	Text(&out, res, TextOptions{})
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
	corrected := CorrectedLatency(res)
	if got := corrected.TotalCount(); got != 12 {
		t.Fatalf("corrected count = %d, want 12", got)
	}
	var out bytes.Buffer
	Text(&out, res, TextOptions{Latency: true})
	if !strings.Contains(out.String(), "     90%  699.") {
		t.Errorf("p90 should come from the synthetic samples:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "   1.00s ") {
		t.Errorf("max should stay the recorded 1 s:\n%s", out.String())
	}
}
