package generator

import (
	"net/url"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testserver"
)

// newTestConn returns a connected conn of a one-thread run against srv.
func newTestConn(t testing.TB, srv *testserver.Server) *conn {
	t.Helper()
	u, _ := url.Parse(srv.URL + "/")
	cfg, err := (&Config{URL: u, Connections: 1, Threads: 1, Duration: time.Minute}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := resolve(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	r := &run{cfg: cfg, dialer: newDialer(u, cfg.Timeout), done: make(chan struct{}), epoch: time.Now()}
	th := newThread(r, 0, 1, addrs[0])
	if th.static, err = StaticRequest(&cfg); err != nil {
		t.Fatal(err)
	}
	c := th.conns[0]
	if err := c.connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.disconnect)
	return c
}

func alwaysOK(int64, *fasthttp.Request) testserver.Reply { return testserver.OK }

// The steady-state request loop must not allocate: at hundreds of thousands
// of requests a second, garbage is CPU.
func TestRoundTripDoesNotAllocate(t *testing.T) {
	c := newTestConn(t, testserver.Start(t, false, alwaysOK))
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
	if c.totals.Requests != 2101 || c.totals.Errors.Socket() != 0 {
		t.Errorf("requests %d, errors %+v", c.totals.Requests, c.totals.Errors)
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	c := newTestConn(b, testserver.Start(b, false, alwaysOK))
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
	perConn, offset := schedule(Config{URL: u, Rate: 1000, Connections: 4, Threads: 2})
	if perConn != 4*time.Millisecond {
		t.Fatalf("interval %v, want 4ms", perConn)
	}
	seen := map[time.Duration]bool{}
	for th := range 2 {
		for c := range 2 {
			seen[offset(th, c)] = true
		}
	}
	for _, want := range []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond} {
		if !seen[want] {
			t.Errorf("no connection starts at %v: %v", want, seen)
		}
	}
}
