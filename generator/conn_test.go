package generator

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator/wire/h1"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/pace"
)

// harness is one connection of a one-thread run, driven a step at a time
// by a test on either engine.
type harness struct {
	r  *run
	th *thread
	c  *conn
	l  *eventLoop // nil on the goroutine engine
}

// newHarness connects a one-connection run of cfg (URL, Pacer and
// Transport set by the caller) on engine, with a response() hook when
// hook is set.
func newHarness(t testing.TB, cfg Config, engine Engine, hook bool) *harness {
	t.Helper()
	if engine == EngineLoop && !loopSupported {
		t.Skip("no event loop on this platform")
	}
	r, th := newTestThread(t, cfg, engine, 1)
	cfg = r.cfg
	var err error
	if cfg.ByEndpoint {
		th.stats.endpoints = &endpointStats{}
	}
	if hook {
		th.useScript(countResponses{addr: th.addr, static: th.static})
	}
	h := &harness{r: r, th: th, c: th.conns[0]}
	h.c.setProtocol()
	if engine == EngineLoop {
		ep, ok := toEndpoint(th.addr)
		if !ok {
			t.Fatalf("no endpoint for %v", th.addr)
		}
		if h.l, err = newEventLoop(th, ep); err != nil {
			t.Fatal(err)
		}
		th.loop = h.l
		if cfg.Pacer.Enabled() {
			h.c.pace(1, lateSlack+paceTick)
		}
		h.l.nextScan = r.clock() + h.l.scanEvery
		h.l.startConnects()
		t.Cleanup(func() {
			h.l.disconnect(h.c)
			h.l.p.close()
		})
		return h
	}
	h.c.prepareGoroutine()
	if cfg.Pacer.Enabled() {
		h.c.pace(1, lateSlack)
	}
	if err := h.c.dial(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.c.disconnect)
	return h
}

// newTestThread is the one thread of a run of cfg (URL, Pacer and
// Transport set by the caller) with conns connections on engine, set up
// but not started.
func newTestThread(t testing.TB, cfg Config, engine Engine, conns int) (*run, *thread) {
	t.Helper()
	cfg.Connections, cfg.Threads, cfg.Duration = conns, 1, time.Minute
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if err := validateTransport(&cfg); err != nil {
		t.Fatal(err)
	}
	addrs, err := resolve(t.Context(), cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg)
	r.epoch = time.Now()
	r.engine, r.useLoop = engine, engine == EngineLoop
	th := newThread(r, 0, conns, addrs[0])
	if th.static, err = StaticRequest(&cfg); err != nil {
		t.Fatal(err)
	}
	return r, th
}

// until steps the connection until it has n more responses.
func (h *harness) until(t testing.TB, n uint64) {
	c := h.c
	want := c.totals.Requests + n
	for c.totals.Requests < want {
		if c.totals.Errors.Socket() != 0 || (h.l != nil && h.l.failed) {
			t.Fatalf("errors %+v", c.totals.Errors)
		}
		if h.l != nil {
			h.l.turn()
		} else if err := c.step(); err != nil {
			t.Fatal(err)
		}
	}
}

// engines are the engines this platform has.
func engines() []Engine {
	if loopSupported {
		return []Engine{EngineLoop, EngineGoroutine}
	}
	return []Engine{EngineGoroutine}
}

func alwaysOK(int64, *fasthttp.Request) testserver.Reply { return testserver.OK }

func h2OK(int64, string) testserver.H2Reply { return testserver.H2Reply{Status: 200} }

func parseURL(t testing.TB, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// checks are --expect-status 2xx and a body check every response fails.
var checks = Expect{Status: []StatusRange{{Lo: 200, Hi: 299}}, Body: &BodyCheck{Match: regexp.MustCompile(`^never`)}}

// The steady-state request path must not allocate, on either engine, for
// either protocol, in closed or open loop: at hundreds of thousands of
// requests a second, garbage is CPU. Per-endpoint statistics and a
// response() hook's view cost nothing either.
func TestRequestPathDoesNotAllocate(t *testing.T) {
	h1srv := testserver.Start(t, false, alwaysOK)
	h2srv := testserver.StartH2C(t, false, h2OK)
	for _, engine := range engines() {
		for _, tc := range []struct {
			name  string
			cfg   Config
			hooks bool
		}{
			{name: "http1", cfg: Config{URL: parseURL(t, h1srv.URL+"/")}},
			{name: "http1 -R", cfg: Config{URL: parseURL(t, h1srv.URL+"/"), Pacer: pace.ConstantRate(20000)}},
			{name: "http1 by endpoint", cfg: Config{URL: parseURL(t, h1srv.URL+"/"), ByEndpoint: true}},
			{name: "http1 response()", cfg: Config{URL: parseURL(t, h1srv.URL+"/")}, hooks: true},
			{name: "h2c", cfg: Config{URL: parseURL(t, h2srv.URL+"/"), Transport: Transport{HTTP2: true}}},
			{name: "h2c streams", cfg: Config{URL: parseURL(t, h2srv.URL+"/"), Transport: Transport{HTTP2: true, Streams: 8}}},
			{name: "h2c -R", cfg: Config{URL: parseURL(t, h2srv.URL+"/"), Transport: Transport{HTTP2: true, Streams: 4}, Pacer: pace.ConstantRate(20000)}},
			{name: "h2c response()", cfg: Config{URL: parseURL(t, h2srv.URL+"/"), Transport: Transport{HTTP2: true}}, hooks: true},
			{name: "http1 -n", cfg: Config{URL: parseURL(t, h1srv.URL+"/"), Requests: 1 << 40}},
			{name: "http1 warm-up over", cfg: Config{URL: parseURL(t, h1srv.URL+"/"), Warmup: time.Nanosecond}},
			{name: "http1 checks", cfg: Config{URL: parseURL(t, h1srv.URL+"/"), Expect: checks}},
			{name: "http1 --follow", cfg: Config{URL: parseURL(t, h1srv.URL+"/"), Follow: 3}},
			{name: "h2c checks", cfg: Config{URL: parseURL(t, h2srv.URL+"/"), Transport: Transport{HTTP2: true, Streams: 4}, Expect: checks}},
		} {
			t.Run(engine.String()+" "+tc.name, func(t *testing.T) {
				h := newHarness(t, tc.cfg, engine, tc.hooks)
				if tc.cfg.ByEndpoint {
					h.th.static.Endpoints = []uint16{3}
				}
				h.until(t, 100)
				if allocs := testing.AllocsPerRun(2000, func() { h.until(t, 1) }); allocs != 0 {
					t.Errorf("%.2f allocations per request, want 0", allocs)
				}
				c := h.c
				if c.totals.Requests < 2101 || c.sent < c.totals.Requests || c.totals.Errors.Socket() != 0 {
					t.Errorf("requests %d sent %d errors %+v", c.totals.Requests, c.sent, c.totals.Errors)
				}
				if tc.cfg.Expect.Body != nil && c.totals.Errors.CheckBody != c.totals.Requests {
					t.Errorf("%d of %d responses failed the body check, want all", c.totals.Errors.CheckBody, c.totals.Requests)
				}
				c.rec.flush(0)
				if tc.cfg.ByEndpoint {
					if got := h.th.stats.endpoints.requests[3]; got != c.totals.Requests {
						t.Errorf("endpoint 3 has %d requests, want %d", got, c.totals.Requests)
					}
				}
				if tc.cfg.Pacer.Enabled() && h.th.stats.corrected.TotalCount() == 0 {
					t.Error("open loop recorded no corrected latency")
				}
			})
		}
	}
}

// countResponses is a script that sends static and whose response() hook
// reads the status.
type countResponses struct {
	addr   net.Addr
	static Request
}

func (s countResponses) Addr() net.Addr              { return s.addr }
func (s countResponses) Static() (Request, bool)     { return s.static, true }
func (countResponses) Next(int) (Request, error)     { return Request{}, nil }
func (countResponses) HasDelay() bool                { return false }
func (countResponses) Delay() (time.Duration, error) { return 0, nil }
func (countResponses) HasResponse() bool             { return true }
func (countResponses) Response(resp *Response) error { _ = resp.StatusCode(); return nil }

func BenchmarkRoundTrip(b *testing.B) {
	h1srv := testserver.Start(b, false, alwaysOK)
	h2srv := testserver.StartH2C(b, false, h2OK)
	for _, engine := range engines() {
		for name, cfg := range map[string]Config{
			"http1": {URL: parseURL(b, h1srv.URL+"/")},
			"h2c":   {URL: parseURL(b, h2srv.URL+"/"), Transport: Transport{HTTP2: true}},
		} {
			b.Run(engine.String()+"/"+name, func(b *testing.B) {
				h := newHarness(b, cfg, engine, false)
				b.ReportAllocs()
				for b.Loop() {
					h.until(b, 1)
				}
			})
		}
	}
}

func TestShardStatsRecordsBatches(t *testing.T) {
	s := newShardStats(true)
	s.add([]sample{
		{status: 200},
		{status: 200, latency: 101, corrected: 201},
		{status: 503, latency: 1},
	})
	if s.status[200] != 2 || s.status[503] != 1 {
		t.Errorf("status counts %d/%d", s.status[200], s.status[503])
	}
	if s.latency.TotalCount() != 2 || s.latency.Max() != 100 || s.latency.Min() != 0 {
		t.Errorf("latency count %d max %d min %d", s.latency.TotalCount(), s.latency.Max(), s.latency.Min())
	}
	if s.corrected.TotalCount() != 1 || s.corrected.Max() != 200 {
		t.Errorf("corrected count %d max %d", s.corrected.TotalCount(), s.corrected.Max())
	}
}

func TestScheduleSpreadsConnections(t *testing.T) {
	u, _ := url.Parse("http://x/")
	r := newRun(Config{URL: u, Pacer: pace.ConstantRate(1000), Connections: 5, Threads: 2})
	seen := map[time.Duration]bool{}
	for i, n := range []int{3, 2} {
		th := newThread(r, i, n, nil)
		for j, c := range th.conns {
			c.pace(5, lateSlack)
			seen[c.due] = true
			if j == 0 && i == 0 {
				// Its second request is the run's sixth.
				c.seq++
				if got := r.cfg.Pacer.Due(float64(c.seq)*c.stride + c.place); got != 5*time.Millisecond {
					t.Errorf("second request due at %v, want 5ms", got)
				}
			}
		}
	}
	for want := range 5 {
		if !seen[time.Duration(want)*time.Millisecond] {
			t.Errorf("no connection starts at %dms: %v", want, seen)
		}
	}
}

// Bodies pass through the read buffer without growing it, however large;
// only a header section that does not fit makes it grow.
func TestReadBufferDoesNotGrowForBodies(t *testing.T) {
	large := []byte("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + string(make([]byte, 1000000)))
	headers := []byte("HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("h", 20000) + "\r\nContent-Length: 2\r\n\r\nok")
	raw := func(b []byte) string {
		return testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.Reply{Raw: b} }).URL + "/"
	}
	bodies, bigHeaders := raw(large), raw(headers)
	for _, engine := range engines() {
		h := newHarness(t, Config{URL: parseURL(t, bodies)}, engine, false)
		h.until(t, 5)
		c := h.c
		if c.totals.Requests != 5 || c.read != 5*uint64(len(large)) {
			t.Errorf("%v: requests %d read %d", engine, c.totals.Requests, c.read)
		}
		if got := len(c.in.b); got > readBufferSize {
			t.Errorf("%v: buffer grew to %d for 1 MB bodies", engine, got)
		}
		big := newHarness(t, Config{URL: parseURL(t, bigHeaders)}, engine, false)
		big.until(t, 3)
		if got := len(big.c.in.b); got < len(headers)-2-loopReadSize && engine == EngineGoroutine || got > h1.MaxHeaderBytes {
			t.Errorf("%v: buffer %d bytes for a %d-byte header section", engine, got, len(headers))
		}
	}
}

// FuzzReadPath sends arbitrary bytes through a connection, as a server
// would, then closes it: reading must not panic, must keep the buffer within
// its bound, and must end in a counted response or a counted read error.
func FuzzReadPath(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"), true)
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\nuntil close"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n"), true)
	f.Add([]byte("\x00\xff garbage"), false)
	f.Fuzz(func(t *testing.T, data []byte, hook bool) {
		u, _ := url.Parse("http://127.0.0.1:1/")
		cfg, err := (&Config{URL: u, Connections: 1, Threads: 1, Duration: time.Minute, MaxBody: 16}).withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		r := newRun(cfg)
		r.epoch = time.Now()
		th := newThread(r, 0, 1, nil)
		th.static = Request{Bytes: []byte("GET / HTTP/1.1\r\n\r\n"), Count: 1}
		c := th.conns[0]
		if hook {
			th.useScript(countResponses{static: th.static})
		}
		c.setProtocol()
		c.prepareGoroutine()
		client, server := net.Pipe()
		go func() {
			_, _ = server.Write(data)
			server.Close()
		}()
		c.nc = client
		c.codec.Reset()
		defer client.Close()
		before := c.totals
		for c.nc != nil && c.totals.Requests < 100 {
			if c.open == 0 {
				// As if written: the pipe's other side does not read.
				c.codec.Send(c.begin(th.static, r.clock()), th.static.Bytes, 1, nil)
				c.codec.Wrote(len(c.codec.Output()))
			}
			if err := c.receive(pace.Never); err != nil {
				t.Fatal(err)
			}
			if len(c.in.b) > h1.MaxHeaderBytes {
				t.Fatalf("read buffer grew to %d", len(c.in.b))
			}
			if _, body := c.codec.Hook(); len(body) > cfg.MaxBody {
				t.Fatalf("kept %d bytes of body", len(body))
			}
		}
		if c.totals.Requests == before.Requests && c.totals.Errors.Read == before.Errors.Read {
			t.Fatalf("neither a response nor a read error: %+v", c.totals)
		}
	})
}
