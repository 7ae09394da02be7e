package generator_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
)

func config(t *testing.T, rawURL string, conns, threads int, d time.Duration) generator.Config {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return generator.Config{URL: u, Connections: conns, Threads: threads, Duration: d, Timeout: 2 * time.Second}
}

func run(t *testing.T, cfg generator.Config) *generator.Result {
	t.Helper()
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// answerFirst answers the first n requests and leaves the rest unanswered,
// so a run's count is exact whatever the machine's speed.
func answerFirst(n int64, reply testserver.Reply) testserver.Handler {
	return func(i int64, _ *fasthttp.Request) testserver.Reply {
		if i <= n {
			return reply
		}
		return testserver.Reply{Then: testserver.Hang}
	}
}

func TestExactCounts(t *testing.T) {
	srv := testserver.Start(t, false, answerFirst(500, testserver.OK))
	res := run(t, config(t, srv.URL+"/", 10, 2, time.Second))
	if res.Requests != 500 {
		t.Errorf("requests = %d, want 500", res.Requests)
	}
	if res.Errors != (generator.Errors{}) {
		t.Errorf("errors = %+v, want none", res.Errors)
	}
	if got := res.StatusCodes[200]; got != 500 {
		t.Errorf("status 200 count = %d, want 500", got)
	}
	if got := res.Latency.TotalCount(); got != 500 {
		t.Errorf("latency samples = %d, want 500", got)
	}
	if want := uint64(500 * len(testserver.OK.Raw)); res.Bytes != want {
		t.Errorf("bytes = %d, want %d", res.Bytes, want)
	}
	var perThread uint64
	for _, th := range res.Threads {
		perThread += th.Requests
	}
	if perThread != 500 {
		t.Errorf("per-thread requests sum to %d, want 500", perThread)
	}
}

func TestOpensExactlyTheConnectionsAsked(t *testing.T) {
	srv := testserver.Start(t, false, answerFirst(0, testserver.OK))
	run(t, config(t, srv.URL, 7, 3, 300*time.Millisecond))
	// One more for the reachability check before the run.
	if got := srv.Connections(); got != 8 {
		t.Errorf("connections = %d, want 7 (+1 check)", got)
	}
}

func TestRequestOnTheWire(t *testing.T) {
	srv := testserver.Start(t, true, answerFirst(1, testserver.OK))
	cfg := config(t, srv.URL+"/p?q=1", 1, 1, 200*time.Millisecond)
	cfg.Headers = []generator.Header{{Name: "X-A", Value: "b"}, {Name: "host", Value: "example.test"}}
	run(t, cfg)
	seen := srv.Seen()
	if len(seen) == 0 {
		t.Fatal("server saw no request")
	}
	r := seen[0]
	if r.Method != "GET" || r.Path != "/p?q=1" {
		t.Errorf("request line = %s %s", r.Method, r.Path)
	}
	hosts := 0
	for _, h := range r.Headers {
		if strings.HasPrefix(strings.ToLower(h), "host:") {
			hosts++
		}
	}
	if v, _ := r.Header("Host"); v != "example.test" || hosts != 1 {
		t.Errorf("Host = %q in %d headers, want one example.test", v, hosts)
	}
	if v, _ := r.Header("X-A"); v != "b" {
		t.Errorf("X-A = %q", v)
	}
}

func TestStatusErrors(t *testing.T) {
	srv := testserver.Start(t, false, answerFirst(300, testserver.Status(500)))
	res := run(t, config(t, srv.URL, 4, 1, 500*time.Millisecond))
	if res.Requests != 300 || res.Errors.Status != 300 || res.StatusCodes[500] != 300 {
		t.Errorf("requests %d, status errors %d, 500s %d; want 300 each", res.Requests, res.Errors.Status, res.StatusCodes[500])
	}
	if res.Errors.Socket() != 0 {
		t.Errorf("socket errors %+v", res.Errors)
	}
}

func TestRedirectsAreNotErrors(t *testing.T) {
	srv := testserver.Start(t, false, answerFirst(50, testserver.Status(302)))
	res := run(t, config(t, srv.URL, 1, 1, 300*time.Millisecond))
	if res.Requests != 50 || res.Errors.Status != 0 {
		t.Errorf("requests %d, status errors %d; want 50, 0", res.Requests, res.Errors.Status)
	}
}

func TestSocketErrorClasses(t *testing.T) {
	cases := []struct {
		name  string
		reply testserver.Reply
		class func(generator.Errors) uint64
	}{
		{"reset", testserver.Reply{Then: testserver.Reset}, func(e generator.Errors) uint64 { return e.Read }},
		{"closed before answering", testserver.Reply{Then: testserver.Close}, func(e generator.Errors) uint64 { return e.Read }},
		{"closed mid-body", testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"), Then: testserver.Close}, func(e generator.Errors) uint64 { return e.Read }},
		{"garbage", testserver.Reply{Raw: []byte("SSH-2.0-OpenSSH\r\n\r\n")}, func(e generator.Errors) uint64 { return e.Read }},
		{"never answers", testserver.Reply{Then: testserver.Hang}, func(e generator.Errors) uint64 { return e.Timeout }},
		{"answers too late", testserver.Reply{Raw: testserver.OK.Raw, Delay: 400 * time.Millisecond}, func(e generator.Errors) uint64 { return e.Timeout }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return tc.reply })
			cfg := config(t, srv.URL, 2, 1, time.Second)
			// A short timeout only where timeouts are the class: thousands of
			// reconnects a second on a busy machine may take longer to dial.
			if tc.class(generator.Errors{Timeout: 1}) == 1 {
				cfg.Timeout = 150 * time.Millisecond
			}
			res := run(t, cfg)
			if res.Requests != 0 || res.Latency.TotalCount() != 0 {
				t.Errorf("requests = %d, latency samples = %d, want none", res.Requests, res.Latency.TotalCount())
			}
			if tc.class(res.Errors) == 0 {
				t.Errorf("errors = %+v, want this class counted", res.Errors)
			}
			if others := res.Errors.Socket() - tc.class(res.Errors); others != 0 {
				t.Errorf("errors = %+v, want only this class", res.Errors)
			}
		})
	}
}

func TestTimeoutsAreBoundedByTheDeadline(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.Reply{Then: testserver.Hang} })
	cfg := config(t, srv.URL, 2, 1, time.Second)
	cfg.Timeout = 200 * time.Millisecond
	res := run(t, cfg)
	// Each connection times out about every 200 ms: 4 or 5 times in 1 s.
	if got := res.Errors.Timeout; got < 6 || got > 10 {
		t.Errorf("timeouts = %d, want 6..10 for 2 connections, 1 s, 200 ms deadline", got)
	}
}

func TestConnectErrorsBackOff(t *testing.T) {
	// The server answers a few requests and then goes away for good.
	// The server is published atomically: the handler's goroutine learns of
	// it only through the socket, which the race detector does not see.
	var published atomic.Pointer[testserver.Server]
	srv := testserver.Start(t, false, func(n int64, _ *fasthttp.Request) testserver.Reply {
		if n == 20 {
			go published.Load().Close()
		}
		return testserver.OK
	})
	published.Store(srv)
	res := run(t, config(t, srv.URL, 4, 2, time.Second))
	if res.Errors.Connect == 0 {
		t.Fatalf("errors = %+v, want connect errors after the server left", res.Errors)
	}
	// With back-off from 10 ms doubling, 4 connections fail well under 100 times a second.
	if res.Errors.Connect > 100 {
		t.Errorf("connect errors = %d: reconnecting without back-off", res.Errors.Connect)
	}
}

func TestConnectionCloseReconnects(t *testing.T) {
	reply := testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"), Then: testserver.Close}
	srv := testserver.Start(t, false, answerFirst(100, reply))
	res := run(t, config(t, srv.URL, 2, 1, time.Second))
	if res.Requests != 100 || res.Errors.Socket() != 0 {
		t.Errorf("requests = %d, errors = %+v; want 100 and none", res.Requests, res.Errors)
	}
	if got := srv.Connections(); got < 101 {
		t.Errorf("connections = %d, want one per request", got)
	}
}

func TestHeadResponsesHaveNoBody(t *testing.T) {
	reply := testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")}
	srv := testserver.Start(t, false, answerFirst(40, reply))
	cfg := config(t, srv.URL, 1, 1, 500*time.Millisecond)
	cfg.Method = "HEAD"
	res := run(t, cfg)
	if res.Requests != 40 || res.Errors.Socket() != 0 {
		t.Errorf("requests = %d, errors = %+v; want 40 and none", res.Requests, res.Errors)
	}
}

func TestChunkedResponses(t *testing.T) {
	reply := testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")}
	srv := testserver.Start(t, false, answerFirst(30, reply))
	res := run(t, config(t, srv.URL, 1, 1, 300*time.Millisecond))
	if res.Requests != 30 || res.Errors.Socket() != 0 {
		t.Errorf("requests = %d, errors = %+v; want 30 and none", res.Requests, res.Errors)
	}
}

func TestUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = generator.Run(context.Background(), config(t, "http://"+addr+"/", 2, 1, time.Second))
	var ce *generator.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want ConnectError", err)
	}
	if want := "unable to connect to 127.0.0.1:" + ce.Service + " Connection refused"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

func TestUnresolvableHost(t *testing.T) {
	_, err := generator.Run(context.Background(), config(t, "http://nonexistent.invalid/", 1, 1, time.Second))
	if err == nil || err.Error() != "unable to resolve nonexistent.invalid:80 Name or service not known" {
		t.Errorf("err = %v", err)
	}
}

func TestCancelEndsRunWithResult(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := generator.Run(ctx, config(t, srv.URL, 2, 1, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("cancelled run took %v", took)
	}
	if !res.Interrupted || res.Requests == 0 {
		t.Errorf("interrupted = %v, requests = %d", res.Interrupted, res.Requests)
	}
}

func TestLatencyAccuracy(t *testing.T) {
	// The server measures how long it really waited, since timers run late
	// on a busy machine; gowrk must report that wait plus little overhead.
	var mu sync.Mutex
	var waits []time.Duration
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		start := time.Now()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		waits = append(waits, time.Since(start))
		mu.Unlock()
		return testserver.OK
	})
	res := run(t, config(t, srv.URL, 4, 2, time.Second))
	mu.Lock()
	slices.Sort(waits)
	delay := waits[len(waits)/2]
	mu.Unlock()
	p50 := time.Duration(res.Latency.ValueAtQuantile(50)) * time.Microsecond
	// Room for a loaded machine under the race detector; a clock read at
	// the wrong moment (before the wait, or a batch late) is off by more.
	tolerance := delay/20 + 300*time.Microsecond
	if p50 < delay-tolerance || p50 > delay+tolerance {
		t.Errorf("p50 = %v, want the server's median wait %v within %v", p50, delay, tolerance)
	}
}

func TestRequestRateSamples(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		return testserver.Reply{Raw: testserver.OK.Raw, Delay: 10 * time.Millisecond}
	})
	res := run(t, config(t, srv.URL, 2, 2, time.Second))
	// Each thread has one connection doing ~100 req/s, sampled every 100 ms.
	if n := res.RequestRate.TotalCount(); n < 16 || n > 22 {
		t.Errorf("Req/Sec samples = %d, want about 2 threads x 10", n)
	}
	if mean := res.RequestRate.Mean(); mean < 70 || mean > 110 {
		t.Errorf("Req/Sec mean = %.1f, want about 100 per thread", mean)
	}
}

func TestSeriesCoversTheRun(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	cfg := config(t, srv.URL, 2, 1, time.Second)
	cfg.SeriesInterval = 200 * time.Millisecond
	res := run(t, cfg)
	var total uint64
	for _, iv := range res.Series {
		total += iv.Requests
	}
	if n := len(res.Series); n < 4 || n > 6 {
		t.Errorf("%d intervals, want 5", n)
	}
	// Requests in flight when the run ends are not counted by the result.
	if total < res.Requests || total > res.Requests+2 {
		t.Errorf("series total %d, result %d", total, res.Requests)
	}
}

func TestBadConfig(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1/")
	for _, cfg := range []generator.Config{
		{URL: u, Connections: 1, Threads: 2, Duration: time.Second},
		{URL: u, Connections: 1, Threads: 0, Duration: time.Second},
		{URL: u, Connections: 1, Threads: 1},
		{Connections: 1, Threads: 1, Duration: time.Second},
	} {
		if _, err := generator.Run(context.Background(), cfg); !errors.Is(err, generator.ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", cfg, err)
		}
	}
}

// Response headers larger than the initial read buffer are read, not
// reported as errors: the buffer grows.
func TestLargeResponseHeaders(t *testing.T) {
	big := "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 20_000) + "\r\nContent-Length: 2\r\n\r\nok"
	srv := testserver.Start(t, false, answerFirst(30, testserver.Reply{Raw: []byte(big)}))
	res := run(t, config(t, srv.URL, 2, 1, 500*time.Millisecond))
	if res.Requests != 30 || res.Errors.Socket() != 0 {
		t.Errorf("requests = %d, errors = %+v; want 30 and none", res.Requests, res.Errors)
	}
	if want := uint64(30 * len(big)); res.Bytes != want {
		t.Errorf("bytes = %d, want %d", res.Bytes, want)
	}
}
