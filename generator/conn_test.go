package generator

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testserver"
)

// newTestConn returns a connected conn of a one-thread run against srv,
// open-loop when pacer is enabled.
func newTestConn(t testing.TB, srv *testserver.Server, pacer Pacer) *conn {
	t.Helper()
	u, _ := url.Parse(srv.URL + "/")
	cfg, err := (&Config{URL: u, Connections: 1, Threads: 1, Duration: time.Minute, Pacer: pacer}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := resolve(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg)
	r.epoch = time.Now()
	th := newThread(r, 0, 1, addrs[0])
	if th.static, err = StaticRequest(&cfg); err != nil {
		t.Fatal(err)
	}
	c := th.conns[0]
	if pacer.Enabled() {
		c.pace(0, 1)
	}
	if err := c.connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.disconnect)
	return c
}

func alwaysOK(int64, *fasthttp.Request) testserver.Reply { return testserver.OK }

// assertNoAllocations warms c up with 100 requests, then checks that 2000
// more allocate nothing.
func assertNoAllocations(t *testing.T, c *conn) {
	t.Helper()
	for range 100 {
		if err := c.roundTrip(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(2000, func() {
		if err := c.roundTrip(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.2f allocations per request, want 0", allocs)
	}
}

// The steady-state request loop must not allocate: at hundreds of thousands
// of requests a second, garbage is CPU.
func TestRoundTripDoesNotAllocate(t *testing.T) {
	c := newTestConn(t, testserver.Start(t, false, alwaysOK), Pacer{})
	assertNoAllocations(t, c)
	if c.totals.Requests != 2101 || c.totals.Errors.Socket() != 0 {
		t.Errorf("requests %d, errors %+v", c.totals.Requests, c.totals.Errors)
	}
}

// The open-loop path, waiting for each request's due time, allocates
// nothing either. 20k/s on one connection makes it both wait and run late.
func TestOpenLoopRoundTripDoesNotAllocate(t *testing.T) {
	c := newTestConn(t, testserver.Start(t, false, alwaysOK), ConstantRate(20000))
	assertNoAllocations(t, c)
	if c.sent != 2101 || c.totals.Requests != 2101 || c.th.stats.corrected == nil {
		t.Errorf("sent %d, requests %d", c.sent, c.totals.Requests)
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	c := newTestConn(b, testserver.Start(b, false, alwaysOK), Pacer{})
	b.ReportAllocs()
	for b.Loop() {
		if err := c.roundTrip(); err != nil {
			b.Fatal(err)
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
	r := &run{cfg: Config{URL: u, Pacer: ConstantRate(1000), Connections: 5, Threads: 2}}
	seen := map[time.Duration]bool{}
	for i, n := range []int{3, 2} {
		th := newThread(r, i, n, nil)
		for j, c := range th.conns {
			c.pace(th.phase(j), 5)
			seen[c.due] = true
			if j == 0 && i == 0 {
				// Its second request is the run's sixth.
				c.seq++
				if got := r.cfg.Pacer.Due(float64(c.seq)*c.stride + c.phase); got != 5*time.Millisecond {
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
	c := newTestConn(t, testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		return testserver.Reply{Raw: large}
	}), Pacer{})
	for range 5 {
		if err := c.roundTrip(); err != nil {
			t.Fatal(err)
		}
	}
	if c.totals.Requests != 5 || c.totals.Errors.Socket() != 0 || c.read != 5*uint64(len(large)) {
		t.Errorf("requests %d errors %+v read %d", c.totals.Requests, c.totals.Errors, c.read)
	}
	if got := len(c.buf); got != readBufferSize {
		t.Errorf("buffer grew to %d for 1 MB bodies", got)
	}

	headers := []byte("HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("h", 20000) + "\r\nContent-Length: 2\r\n\r\nok")
	big := newTestConn(t, testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		return testserver.Reply{Raw: headers}
	}), Pacer{})
	for range 3 {
		if err := big.roundTrip(); err != nil {
			t.Fatal(err)
		}
	}
	if big.totals.Requests != 3 || big.totals.Errors.Socket() != 0 {
		t.Errorf("20 KB headers: requests %d errors %+v", big.totals.Requests, big.totals.Errors)
	}
	if got := len(big.buf); got < len(headers)-2 || got > MaxHeaderBytes {
		t.Errorf("buffer %d bytes for a %d-byte header section", got, len(headers))
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
		th := newThread(newRun(cfg), 0, 1, nil)
		c := th.conns[0]
		if hook {
			th.useScript(discardResponses{})
		}
		client, server := net.Pipe()
		go func() {
			_, _ = server.Write(data)
			server.Close()
		}()
		c.nc = client
		defer client.Close()
		before := c.totals
		for c.nc != nil && c.totals.Requests < 100 {
			if closeAfter, ok, err := c.readResponses(Request{Count: 1}); err != nil {
				t.Fatal(err)
			} else if ok && closeAfter {
				break
			}
			if len(c.buf) > MaxHeaderBytes {
				t.Fatalf("read buffer grew to %d", len(c.buf))
			}
			if len(c.parser.Body) > cfg.MaxBody {
				t.Fatalf("kept %d bytes of body", len(c.parser.Body))
			}
		}
		if c.totals.Requests == before.Requests && c.totals.Errors.Read == before.Errors.Read {
			t.Fatalf("neither a response nor a read error: %+v", c.totals)
		}
	})
}

// discardResponses is a script whose response() hook does nothing.
type discardResponses struct{}

func (discardResponses) Addr() net.Addr                { return nil }
func (discardResponses) Static() (Request, bool)       { return Request{}, true }
func (discardResponses) Next(int) (Request, error)     { return Request{}, nil }
func (discardResponses) HasDelay() bool                { return false }
func (discardResponses) Delay() (time.Duration, error) { return 0, nil }
func (discardResponses) HasResponse() bool             { return true }
func (discardResponses) Response(resp *Response) error { return nil }
