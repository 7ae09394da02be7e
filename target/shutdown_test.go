package target

import (
	"net"
	"sync"
	"testing"

	"github.com/valyala/fasthttp"
)

// Once the shutdown has begun, no handler starts: a request that completes
// its headers then gets a 503 and the connection is closed after it.
func TestNoHandlerStartsAfterStop(t *testing.T) {
	tr := newConnTracker()
	ran := 0
	h := tr.handler(func(*fasthttp.RequestCtx) { ran++ })
	var ctx fasthttp.RequestCtx
	ctx.Init(&fasthttp.Request{}, &net.TCPAddr{}, nil)
	h(&ctx)
	if ran != 1 {
		t.Fatalf("handler ran %d times before stop", ran)
	}
	tr.stop()
	ctx.Response.Reset()
	h(&ctx)
	if ran != 1 {
		t.Errorf("handler ran after stop")
	}
	if ctx.Response.StatusCode() != 503 || !ctx.Response.ConnectionClose() || string(ctx.Response.Body()) != shuttingDownBody {
		t.Errorf("after stop: %d close=%v %q", ctx.Response.StatusCode(), ctx.Response.ConnectionClose(), ctx.Response.Body())
	}
}

// stop closes the connections no handler is serving and leaves the busy
// ones; connections opened during the shutdown are closed at once.
func TestStopClosesOnlyIdleConnections(t *testing.T) {
	tr := newConnTracker()
	idle, busy, late := newFakeConn(), newFakeConn(), newFakeConn()
	tr.connState(idle, fasthttp.StateNew)
	tr.connState(busy, fasthttp.StateActive)
	tr.conns[busy] = true // as the handler wrapper marks it
	tr.stop()
	if !idle.closed() || busy.closed() {
		t.Fatalf("after stop: idle closed %v, busy closed %v", idle.closed(), busy.closed())
	}
	tr.connState(late, fasthttp.StateNew)
	if !late.closed() {
		t.Error("a connection accepted during the shutdown stayed open")
	}
	tr.connState(busy, fasthttp.StateIdle) // its response is written
	tr.stop()
	if !busy.closed() {
		t.Error("a connection stayed open after its request finished")
	}
}

// fakeConn is a connection that only records whether it was closed.
type fakeConn struct {
	net.Conn
	mu       sync.Mutex
	isClosed bool
}

func newFakeConn() *fakeConn { return &fakeConn{} }

func (c *fakeConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.isClosed = true
	return nil
}

func (c *fakeConn) closed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.isClosed
}

// The tracker sits on every request: it must not allocate.
func TestTrackerDoesNotAllocate(t *testing.T) {
	tr := newConnTracker()
	c := newFakeConn()
	h := tr.handler(func(*fasthttp.RequestCtx) {})
	var ctx fasthttp.RequestCtx
	ctx.Init2(c, nil, false)
	tr.connState(c, fasthttp.StateNew)
	allocs := testing.AllocsPerRun(100, func() {
		tr.connState(c, fasthttp.StateActive)
		h(&ctx)
		tr.connState(c, fasthttp.StateIdle)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per request", allocs)
	}
}
