package target

import (
	"net"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// connTracker lets a shutdown tell connections serving a request from
// those that are not: idle keep-alive connections, and clients that have
// connected but not yet sent a whole request (slow headers or body). The
// latter are cut at once; fasthttp alone would wait for them up to the
// shutdown timeout, or until a read timeout, since it cannot tell a
// request being read from one being handled.
type connTracker struct {
	mu sync.Mutex
	// conns maps each open connection to whether a handler is serving it.
	conns    map[net.Conn]bool
	stopping bool
}

func newConnTracker() *connTracker {
	return &connTracker{conns: make(map[net.Conn]bool)}
}

// connState is the fasthttp.Server.ConnState hook.
func (t *connTracker) connState(c net.Conn, state fasthttp.ConnState) {
	if state == fasthttp.StateActive {
		return // the handler wrapper marks the request
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch state {
	case fasthttp.StateNew:
		if t.stopping {
			// Accepted as the listener closed: nothing to serve it.
			_ = c.Close()
		}
		t.conns[c] = false
	case fasthttp.StateIdle:
		// The response is written: the request is over.
		t.conns[c] = false
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		delete(t.conns, c)
	}
}

// handler wraps the server's handler: a request whose handler starts is
// let finish; once the shutdown has begun, none start.
func (t *connTracker) handler(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		t.mu.Lock()
		stopping := t.stopping
		if !stopping {
			t.conns[ctx.Conn()] = true
		}
		t.mu.Unlock()
		if stopping {
			ctx.SetConnectionClose()
			ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
			ctx.SetContentType(fiber.MIMEApplicationJSON)
			ctx.SetBodyString(shuttingDownBody)
			return
		}
		next(ctx)
	}
}

// stop starts the shutdown: from now on no handler starts, and every
// connection not in one is closed, as are connections accepted later.
// Calling it again closes those whose request has finished since, should
// fasthttp not have closed them yet.
func (t *connTracker) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopping = true
	for c, busy := range t.conns {
		if !busy {
			_ = c.Close()
		}
	}
}

// shuttingDownBody answers a request that arrives as the server stops.
const shuttingDownBody = `{"error":"server shutting down"}`
