package generator

import (
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testserver"
)

// TestLoopConnectsInBatches: a loop with many connections starts at most
// connectBatch connects per turn, so the connects made meanwhile are taken
// from the poller (and timed) before the next batch; every connection
// opens.
func TestLoopConnectsInBatches(t *testing.T) {
	if !loopSupported {
		t.Skip("no event loop on this platform")
	}
	srv := testserver.Start(t, false, alwaysOK)
	const n = 2*connectBatch + 10 // three batches
	r, th := newTestThread(t, Config{URL: parseURL(t, srv.URL+"/")}, EngineLoop, n)
	ep, _ := toEndpoint(th.addr)
	l, err := newEventLoop(th, ep)
	if err != nil {
		t.Fatal(err)
	}
	th.loop = l
	t.Cleanup(func() {
		for _, c := range l.conns {
			l.disconnect(c)
		}
		l.p.close()
	})
	for _, c := range th.conns {
		c.setProtocol()
	}
	l.nextScan = r.clock() + l.scanEvery
	begun := func() (k int) {
		for _, c := range l.conns {
			if c.state != stateClosed {
				k++
			}
		}
		return k
	}
	l.startConnects()
	if got := begun(); got != connectBatch {
		t.Fatalf("first batch began %d connects, want %d", got, connectBatch)
	}
	if w := l.waitTime(); w != 0 {
		t.Fatalf("loop would wait %d ms with connects to start", w)
	}
	l.turn()
	if got := begun(); got != 2*connectBatch {
		t.Fatalf("after one turn %d connects began, want %d", got, 2*connectBatch)
	}
	deadline := time.Now().Add(10 * time.Second)
	for srv.Connections() < n || begun() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d connections began, server saw %+v", begun(), n, srv.Peers())
		}
		l.turn()
	}
}
