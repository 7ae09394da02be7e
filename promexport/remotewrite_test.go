package promexport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"

	"github.com/gowrk/gowrk/generator"
)

// receiver is a remote write 1.0 endpoint that decodes what it gets.
type receiver struct {
	*httptest.Server
	got      chan WriteRequest
	attempts atomic.Int64
	status   atomic.Int64  // the status to answer; 0 for 204
	hold     chan struct{} // when set, each request waits for it to close
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: make(chan WriteRequest, 16)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.attempts.Add(1)
		if r.hold != nil {
			<-r.hold
		}
		if code := r.status.Load(); code != 0 {
			http.Error(w, "no\nthanks", int(code))
			return
		}
		h := req.Header
		if req.Method != "POST" || req.URL.Path != "/api/v1/write" || h.Get("Content-Encoding") != "snappy" ||
			h.Get("X-Prometheus-Remote-Write-Version") != "0.1.0" || !strings.HasPrefix(h.Get("Content-Type"), "application/x-protobuf") {
			t.Errorf("request %s %s %v", req.Method, req.URL, h)
		}
		body, _ := io.ReadAll(req.Body)
		raw, err := snappy.Decode(nil, body)
		if err != nil {
			t.Error(err)
		}
		m, err := decodeWriteRequest(raw)
		if err != nil {
			t.Error(err)
		}
		r.got <- m
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) next(t *testing.T) WriteRequest {
	t.Helper()
	select {
	case m := <-r.got:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no push")
	}
	return WriteRequest{}
}

// value is the sample of the series named key in m, and its timestamp.
func value(m WriteRequest, key string) (float64, int64) {
	for _, ts := range m.Series {
		var name string
		var rest []Label
		for _, l := range ts.Labels {
			if l.Name == "__name__" {
				name = l.Value
			} else {
				rest = append(rest, l)
			}
		}
		if seriesKey(name, rest) == key {
			return ts.Samples[0].Value, ts.Samples[0].Timestamp
		}
	}
	return -1, 0
}

func newPusher(t *testing.T, url string) (*Collector, *Pusher) {
	t.Helper()
	c, err := New(&generator.Config{}, Options{Shard: "2/2"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPusher(url, c)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

func TestPusherPushesEachIntervalAndTheEnd(t *testing.T) {
	r := newReceiver(t)
	c, p := newPusher(t, r.URL+"/api/v1/write")
	const key = `gowrk_requests_total{shard="2/2"}`
	var lastTS int64
	for i, want := range []float64{3, 5} {
		d := generator.IntervalData{Interval: generator.Interval{Requests: uint64(3 - i)}}
		c.Interval(d)
		p.Interval(d)
		m := r.next(t)
		v, ts := value(m, key)
		if v != want || ts <= lastTS || time.Since(time.UnixMilli(ts)) > time.Minute {
			t.Errorf("push %d: %s = %v at %d", i, key, v, ts)
		}
		lastTS = ts
		for p.Stats().Pushes != i+1 {
			time.Sleep(time.Millisecond) // the client reads the answer
		}
		for _, s := range m.Series {
			if !sort.SliceIsSorted(s.Labels, func(i, j int) bool { return s.Labels[i].Name < s.Labels[j].Name }) || s.Labels[0].Name != "__name__" || len(s.Samples) != 1 {
				t.Errorf("series %+v", s)
			}
		}
	}
	c.Finish(&generator.Result{Requests: 9, StatusCodes: map[int]uint64{200: 9}})
	st := p.Close(context.Background())
	m := r.next(t)
	if v, ts := value(m, key); v != 9 || ts <= lastTS {
		t.Errorf("final push: %v at %d", v, ts)
	}
	if v, _ := value(m, `gowrk_responses_total{shard="2/2",status="200"}`); v != 9 {
		t.Errorf("final 200s: %v", v)
	}
	if st.Pushes != 3 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
	// After Close, intervals push nothing.
	p.Interval(generator.IntervalData{})
	select {
	case m := <-r.got:
		t.Errorf("push after Close: %+v", m)
	case <-time.After(100 * time.Millisecond):
	}
}

// The series goroutine never waits for a receiver, and the run's end cuts
// a hanging push short without counting it.
func TestPusherNeverWaits(t *testing.T) {
	r := newReceiver(t)
	r.hold = make(chan struct{})
	c, p := newPusher(t, r.URL+"/api/v1/write")
	start := time.Now()
	for range 100 {
		p.Interval(generator.IntervalData{})
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("100 intervals took %s", d)
	}
	for r.attempts.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Finish(&generator.Result{Requests: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	st := p.Close(ctx)
	close(r.hold)
	if st.Pushes != 1 || st.Failed != 1 || r.attempts.Load() != 2 {
		t.Errorf("stats %+v after %d attempts: want the final push alone, failed", st, r.attempts.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took until %s", d)
	}
}

func TestPusherCountsFailures(t *testing.T) {
	r := newReceiver(t)
	r.status.Store(http.StatusServiceUnavailable)
	_, p := newPusher(t, r.URL+"/api/v1/write")
	start := time.Now()
	st := p.Close(context.Background())
	if st.Pushes != 1 || st.Failed != 1 || r.attempts.Load() != 1+maxRetries {
		t.Errorf("stats %+v after %d attempts", st, r.attempts.Load())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("retries took %s", d)
	}
	line := st.String()
	if !strings.HasPrefix(line, "prometheus remote write: 1 of 1 pushes failed: ") || !strings.Contains(line, "503") || strings.Contains(line, "\n") {
		t.Errorf("line %q", line)
	}

	// A receiver that returns 400 is not asked again.
	r.status.Store(http.StatusBadRequest)
	r.attempts.Store(0)
	_, p = newPusher(t, r.URL+"/api/v1/write")
	if st := p.Close(context.Background()); st.Failed != 1 || r.attempts.Load() != 1 {
		t.Errorf("400: stats %+v after %d attempts", st, r.attempts.Load())
	}

	_, p = newPusher(t, "http://127.0.0.1:1/api/v1/write")
	if st := p.Close(context.Background()); st.Failed != 1 || !strings.Contains(st.String(), "connection refused") {
		t.Errorf("unreachable: %v", st)
	}
}

func TestParseURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:9090/api/v1/write", "https://prom.example/api/v1/write?x=1", "http://[::1]:9090/"} {
		if _, err := ParseURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:9090", "ftp://h/", "http://", "http:///api", "http:h", "http://:9090/", "%zz"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := NewPusher("nope", nil); err == nil {
		t.Error("NewPusher took a bad URL")
	}
}
