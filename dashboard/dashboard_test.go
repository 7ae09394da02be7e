package dashboard

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
)

// stream reads updates from /events.
type stream struct {
	resp *http.Response
	r    *bufio.Reader
}

func openStream(t *testing.T, base string) *stream {
	t.Helper()
	resp, err := http.Get(base + "events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	return &stream{resp: resp, r: bufio.NewReader(resp.Body)}
}

func (s *stream) next(t *testing.T) Update {
	t.Helper()
	var data string
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			data = d
		}
		if line == "" && data != "" {
			var u Update
			if err := json.Unmarshal([]byte(data), &u); err != nil {
				t.Fatal(err)
			}
			return u
		}
	}
}

func number(u Update, name string) (float64, bool) {
	for _, n := range u.Numbers {
		if n.Name == name {
			return n.Value, true
		}
	}
	return 0, false
}

func feed(s *Server, cfg *generator.Config, i int) {
	iv := generator.Interval{Start: time.Duration(i) * time.Second, Length: time.Second, Requests: 100, P50: 100, P90: 200, P99: 300, Max: 400}
	s.Interval(generator.IntervalData{Interval: iv, Config: cfg, StatusCodes: map[int]uint64{200: uint64(90 * (i + 1)), 503: uint64(10 * (i + 1))}})
	s.Progress(generator.Snapshot{Elapsed: time.Duration(i+1) * time.Second, Duration: 10 * time.Second, Requests: uint64(100 * (i + 1)), Rate: 100})
}

func TestUpdatesAndSlowViewers(t *testing.T) {
	mon := func() []sysstat.Series {
		return []sysstat.Series{{Kind: sysstat.KindGenerator, Name: "gowrk", Cores: 1, CoresFrom: "GOMAXPROCS", Points: []sysstat.Point{{T: 1, CPU: 0.5, Mem: 1 << 20}}}}
	}
	s, err := Listen("127.0.0.1:0", mon)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := s.URL()

	// A viewer that connects and never reads, and one that goes away.
	stuck, err := net.Dial("tcp", s.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	io.WriteString(stuck, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	gone := openStream(t, base)
	gone.resp.Body.Close()

	st := openStream(t, base)
	if u := st.next(t); u.Final || len(u.Charts) == 0 {
		t.Fatalf("first update %+v", u)
	}
	cfg := &generator.Config{Duration: 10 * time.Second, SeriesInterval: time.Second}
	var last float64
	for i := range 5 {
		begin := time.Now()
		feed(s, cfg, i)
		if d := time.Since(begin); d > 50*time.Millisecond {
			t.Errorf("feeding took %s", d)
		}
		u := st.next(t)
		n, _ := number(u, "requests")
		if n <= last {
			t.Errorf("update %d: requests %v after %v", i, n, last)
		}
		last = n
		if !strings.Contains(string(u.Charts[0]), `id="chart-rate"`) || !strings.Contains(strings.Join(asStrings(u.Charts), ""), `id="chart-generator-cpu"`) {
			t.Errorf("update %d lacks charts", i)
		}
		// The status codes so far, live: 90% 200s and 10% 503s.
		if all := strings.Join(asStrings(u.Charts), ""); !strings.Contains(all, fmt.Sprintf(">%d (90.00%%)<", 90*(i+1))) || !strings.Contains(all, fmt.Sprintf(">%d (10.00%%)<", 10*(i+1))) {
			t.Errorf("update %d: the status chart lacks the counts so far", i)
		}
	}
	// Many updates while the viewer does not read: feeding never waits.
	begin := time.Now()
	for i := 5; i < 2000; i++ {
		feed(s, cfg, i%10)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("feeding 2000 updates with a stuck viewer took %s", d)
	}
}

func asStrings[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}

func TestFinalMatchesJSON(t *testing.T) {
	s, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res := summary.New(sampleResult())
	if err := s.Finish(res, report.Details{}); err != nil {
		t.Fatal(err)
	}
	u := openStream(t, s.URL()).next(t)
	if !u.Final {
		t.Fatalf("a viewer arriving after the run does not get the final update: %+v", u)
	}
	var doc bytes.Buffer
	_ = report.JSON(&doc, res, report.Details{})
	var want struct {
		Requests       float64 `json:"requests"`
		RequestsPerSec float64 `json:"requests_per_sec"`
	}
	_ = json.Unmarshal(doc.Bytes(), &want)
	if n, _ := number(u, "requests"); n != want.Requests {
		t.Errorf("requests %v, JSON %v", n, want.Requests)
	}
	if n, _ := number(u, "requests_per_sec"); n != want.RequestsPerSec {
		t.Errorf("requests/sec %v, JSON %v", n, want.RequestsPerSec)
	}
	if _, ok := number(u, "p99_us"); !ok {
		t.Error("no p99")
	}
	resp, err := http.Get(s.URL() + "report")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `<svg id="chart-status"`) {
		t.Errorf("/report: %d", resp.StatusCode)
	}
}

func TestAddressInUse(t *testing.T) {
	s, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = Listen(s.ln.Addr().String(), nil)
	if err == nil || !strings.Contains(err.Error(), "address already in use") || !strings.HasPrefix(err.Error(), "--dashboard 127.0.0.1:") {
		t.Errorf("second listen: %v", err)
	}
}

// Close ends open event streams rather than waiting for them.
func TestCloseWithViewers(t *testing.T) {
	s, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	st := openStream(t, s.URL())
	st.next(t)
	begin := time.Now()
	s.Close()
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("close took %s", d)
	}
	if _, err := http.Get(s.URL()); err == nil {
		t.Error("still serving after Close")
	}
}

func sampleResult() *generator.Result {
	u, _ := url.Parse("http://127.0.0.1:1/")
	res := &generator.Result{
		Config:      generator.Config{URL: u, Threads: 1, Connections: 1, Duration: 2 * time.Second, SeriesInterval: time.Second},
		Start:       time.Now(),
		Runtime:     2 * time.Second,
		Requests:    2001,
		Bytes:       100000,
		Latency:     generator.NewLatencyHistogram(),
		RequestRate: generator.NewLatencyHistogram(),
		StatusCodes: map[int]uint64{200: 2001},
		Series:      []generator.Interval{{Length: time.Second, Requests: 1000}, {Start: time.Second, Length: time.Second, Requests: 1001}},
	}
	for i := range 2001 {
		_ = res.Latency.RecordValue(int64(100 + i))
	}
	return res
}
