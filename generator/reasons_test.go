package generator_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/pace"
)

func reasonCount(res *generator.Result, class generator.ErrorClass, why string) uint64 {
	for _, r := range res.ErrorReasons {
		if r.Class == class && r.Reason == why {
			return r.Count
		}
	}
	return 0
}

func TestErrorReasonsNameResetsAndStatuses(t *testing.T) {
	srv := testserver.Start(t, false, func(n int64, _ *fasthttp.Request) testserver.Reply {
		switch n % 3 {
		case 0:
			return testserver.Reply{Then: testserver.Reset}
		case 1:
			return testserver.Status(503)
		}
		return testserver.Reply{Then: testserver.Close}
	})
	res := run(t, config(t, srv.URL, 2, 1, 500*time.Millisecond))
	if n := reasonCount(res, generator.ClassRead, "connection reset by peer"); n == 0 {
		t.Errorf("no resets among %+v", res.ErrorReasons)
	}
	if n := reasonCount(res, generator.ClassRead, "EOF before headers"); n == 0 {
		t.Errorf("no EOF before headers among %+v", res.ErrorReasons)
	}
	if n := reasonCount(res, generator.ClassStatus, "HTTP 503"); n != res.Errors.Status || n == 0 {
		t.Errorf("HTTP 503 counted %d, status errors %d", n, res.Errors.Status)
	}
	var read uint64
	for _, r := range res.ErrorReasons {
		if r.Class == generator.ClassRead {
			read += r.Count
		}
	}
	if read != res.Errors.Read {
		t.Errorf("read reasons add up to %d, read errors %d", read, res.Errors.Read)
	}
}

// A server that answers one connection, closing it, then stops listening:
// every reconnect is refused.
func TestErrorReasonsNameRefusedConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The first request is answered, and the listener closed before the
	// answer, so that no connection waits in its queue to be reset: every
	// reconnect is refused. Connections that send nothing (the check that
	// the target answers) are closed.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
				c.Close()
				continue
			}
			ln.Close()
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			c.Close()
			return
		}
	}()
	t.Cleanup(wg.Wait)
	t.Cleanup(func() { ln.Close() })
	res := run(t, config(t, "http://"+ln.Addr().String()+"/", 1, 1, 500*time.Millisecond))
	if n := reasonCount(res, generator.ClassConnect, "connection refused"); n == 0 || n != res.Errors.Connect {
		t.Errorf("refused %d, connect errors %d; reasons %+v", n, res.Errors.Connect, res.ErrorReasons)
	}
}

// endpointScript sends GET /a, POST /b, GET /a?x=1 in turn, /a carrying
// endpoint 0 and /b endpoint 1.
type endpointScript struct {
	addr net.Addr
	reqs []generator.Request
	mu   sync.Mutex
	n    int
}

func (s *endpointScript) NewThread(_ int, addr net.Addr, _ generator.ThreadControl) (generator.ThreadScript, error) {
	ts := &endpointScript{addr: addr}
	for i, line := range []string{"GET /a", "POST /b", "GET /a?x=1"} {
		method, path, _ := strings.Cut(line, " ")
		raw := method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
		ts.reqs = append(ts.reqs, generator.Request{Bytes: []byte(raw), Count: 1, Endpoints: []uint16{uint16(i % 2 * 1)}})
	}
	ts.reqs[2].Endpoints = []uint16{0}
	return ts, nil
}
func (s *endpointScript) Addr() net.Addr                     { return s.addr }
func (s *endpointScript) Static() (generator.Request, bool)  { return generator.Request{}, false }
func (s *endpointScript) HasDelay() bool                     { return false }
func (s *endpointScript) Delay() (time.Duration, error)      { return 0, nil }
func (s *endpointScript) HasResponse() bool                  { return false }
func (s *endpointScript) Response(*generator.Response) error { return nil }
func (s *endpointScript) EndpointNames() []string            { return []string{"GET /a", "POST /b"} }
func (s *endpointScript) Next(int) (generator.Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.reqs[s.n%3], nil
}

func TestEndpointsGroupRequests(t *testing.T) {
	srv := testserver.Start(t, true, func(_ int64, req *fasthttp.Request) testserver.Reply {
		if string(req.Header.Method()) == "POST" {
			return testserver.Status(500)
		}
		return testserver.OK
	})
	cfg := config(t, srv.URL, 4, 2, 500*time.Millisecond)
	cfg.Script = &endpointScript{}
	cfg.ByEndpoint = true
	res := run(t, cfg)
	if len(res.Endpoints) != 2 {
		t.Fatalf("endpoints %+v, want GET /a and POST /b", res.Endpoints)
	}
	var byName = map[string]generator.EndpointResult{}
	var total uint64
	for _, e := range res.Endpoints {
		byName[e.Name] = e
		total += e.Requests
	}
	a, b := byName["GET /a"], byName["POST /b"]
	if total != res.Requests || a.Requests == 0 || b.Requests == 0 {
		t.Fatalf("GET /a %d + POST /b %d, run %d", a.Requests, b.Requests, res.Requests)
	}
	// Two of every three requests are GET /a.
	if ratio := float64(a.Requests) / float64(b.Requests); ratio < 1.8 || ratio > 2.2 {
		t.Errorf("GET /a / POST /b = %.2f, want about 2", ratio)
	}
	if b.StatusCodes[500] != b.Requests || b.Errors != b.Requests || a.Errors != 0 {
		t.Errorf("statuses %v, errors %d and %d", b.StatusCodes, a.Errors, b.Errors)
	}
	if a.Latency.TotalCount() != int64(a.Requests) {
		t.Errorf("GET /a has %d latencies for %d requests", a.Latency.TotalCount(), a.Requests)
	}
}

func TestStaticRequestIsOneEndpoint(t *testing.T) {
	srv := testserver.Start(t, false, okHandler)
	cfg := config(t, srv.URL+"/path?q=1", 2, 1, 300*time.Millisecond)
	cfg.ByEndpoint = true
	res := run(t, cfg)
	if len(res.Endpoints) != 1 || res.Endpoints[0].Name != "GET /path" || res.Endpoints[0].Requests != res.Requests {
		t.Errorf("endpoints %+v", res.Endpoints)
	}
}

// Connection stages ramp the active connections: 0 to 8 over 1s, then 8
// for 1s. No connection sends before its turn. The server takes 10ms per
// request, so the requests follow the connections.
func TestConnectionStages(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		return testserver.Reply{Raw: testserver.OK.Raw, Delay: 10 * time.Millisecond}
	})
	cfg := config(t, srv.URL, 8, 2, 2*time.Second)
	cfg.ConnStages = []pace.Stage{{Duration: time.Second, Target: 8}, {Duration: time.Second, Target: 8}}
	res := run(t, cfg)
	if len(res.Series) < 2 {
		t.Fatalf("series %+v", res.Series)
	}
	first, last := res.Series[0], res.Series[len(res.Series)-1]
	if first.TargetConns < 7 || first.Conns < 6 || first.Conns > 8 {
		t.Errorf("first second: target %.1f, active %d; want 8 and about 8", first.TargetConns, first.Conns)
	}
	if last.Conns != 8 {
		t.Errorf("last second: %d active, want 8", last.Conns)
	}
	// One more for the reachability check before the run.
	if srv.Connections() > 9 {
		t.Errorf("%d connections, want at most 8 (+1 check)", srv.Connections())
	}
	// Ramping, the first second sends fewer requests than the second.
	if float64(first.Requests) > 0.7*float64(res.Series[1].Requests) {
		t.Errorf("first second %d requests, second %d: not ramping", first.Requests, res.Series[1].Requests)
	}
}
