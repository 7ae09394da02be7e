package generator

import (
	"net/url"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testserver"
)

// newTestLoop returns the event loop of a one-thread, one-connection run
// against srv, open-loop when pacer is enabled, with its connection
// connecting.
func newTestLoop(t testing.TB, srv *testserver.Server, pacer Pacer) *eventLoop {
	t.Helper()
	if !loopSupported {
		t.Skip("no event loop on this platform")
	}
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
	r.useLoop = true
	r.epoch = time.Now()
	th := newThread(r, 0, 1, addrs[0])
	if th.static, err = StaticRequest(&cfg); err != nil {
		t.Fatal(err)
	}
	if pacer.Enabled() {
		th.conns[0].pace(0, 1)
	}
	ep, ok := toEndpoint(th.addr)
	if !ok {
		t.Fatalf("no endpoint for %v", th.addr)
	}
	l, err := newEventLoop(th, ep)
	if err != nil {
		t.Fatal(err)
	}
	th.loop = l
	l.nextScan = r.clock() + l.scanEvery
	l.connect(th.conns[0], r.clock())
	t.Cleanup(func() {
		l.disconnect(th.conns[0])
		l.p.close()
	})
	return l
}

// turnUntil turns the loop until its connection has n more responses.
func turnUntil(t testing.TB, l *eventLoop, n uint64) {
	c := l.th.conns[0]
	want := c.totals.Requests + n
	for c.totals.Requests < want {
		if c.totals.Errors.Socket() != 0 || l.failed {
			t.Fatalf("errors %+v", c.totals.Errors)
		}
		l.turn()
	}
}

// The loop engine's steady state allocates nothing per request either.
func assertLoopNoAllocations(t *testing.T, l *eventLoop) {
	t.Helper()
	turnUntil(t, l, 100)
	allocs := testing.AllocsPerRun(2000, func() { turnUntil(t, l, 1) })
	if allocs != 0 {
		t.Errorf("%.2f allocations per request, want 0", allocs)
	}
}

func TestLoopDoesNotAllocate(t *testing.T) {
	l := newTestLoop(t, testserver.Start(t, false, alwaysOK), Pacer{})
	assertLoopNoAllocations(t, l)
	if c := l.th.conns[0]; c.totals.Requests != 2101 || c.sent != 2101 {
		t.Errorf("requests %d sent %d", c.totals.Requests, c.sent)
	}
}

func TestOpenLoopLoopDoesNotAllocate(t *testing.T) {
	l := newTestLoop(t, testserver.Start(t, false, alwaysOK), ConstantRate(20000))
	assertLoopNoAllocations(t, l)
	if c := l.th.conns[0]; c.totals.Requests != 2101 || c.sent != 2101 {
		t.Errorf("requests %d sent %d", c.totals.Requests, c.sent)
	}
}

func BenchmarkLoopRoundTrip(b *testing.B) {
	l := newTestLoop(b, testserver.Start(b, false, alwaysOK), Pacer{})
	b.ReportAllocs()
	for b.Loop() {
		turnUntil(b, l, 1)
	}
}
