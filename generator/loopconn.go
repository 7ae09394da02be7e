package generator

import (
	"os"
	"time"

	"github.com/gowrk/gowrk/generator/wire"
	"github.com/gowrk/gowrk/generator/wire/h1"
	"github.com/gowrk/gowrk/pace"
)

// A connection's life on the event loop: connect; then, whenever it is
// serviced, start the requests the bookkeeping allows and write what the
// codec has to send; whenever the socket is readable, read, parse and
// handle the events; reconnect when it breaks or closes.

// errConnectTimeout is a connect that took longer than the timeout.
var errConnectTimeout = os.ErrDeadlineExceeded

type connState uint8

const (
	stateClosed     connState = iota // no socket; reconnecting, maybe after back-off
	stateConnecting                  // a non-blocking connect in progress
	stateOpen                        // connected
)

// loopConn is a connection's event-loop state.
type loopConn struct {
	fd        int
	gen       uint32 // bumped for every socket
	state     connState
	heapIndex int           // place in the timer heap, -1 when not in it
	wake      time.Duration // when the timer fires
	// wakeConnect says the timer ends a back-off or a connection stage's
	// wait; otherwise it is a request's start.
	wakeConnect bool
	queued      bool          // in the loop's ready queue
	connStart   time.Duration // run clock at the connect
	// readable is set by an event and cleared by a read the kernel could not
	// fill: with edge-triggered events, bytes left unread get no new event.
	readable bool
	// peerClosed is set when the server shut its side: reads then go on
	// until they see the end of the stream.
	peerClosed bool
	// wantWrite says output waits for the socket to take more.
	wantWrite bool
}

func (l *eventLoop) handle(ev pollEvent) {
	if ev.idx == wakeIndex {
		l.p.drainWake()
		return
	}
	c := l.conns[ev.idx]
	if c.gen != ev.gen || c.fd < 0 {
		return
	}
	if ev.flags&pollIn != 0 {
		c.readable = true
	}
	if ev.flags&pollHup != 0 {
		c.peerClosed = true
	}
	switch c.state {
	case stateConnecting:
		l.connected(c)
	case stateOpen:
		if c.wantWrite && ev.flags&(pollOut|pollErr) != 0 && !l.flush(c) {
			return
		}
		if c.readable {
			l.read(c)
		}
	}
}

// connect starts a non-blocking connect, unless the connection stages
// hold the connection back: a timer brings it back when they want it.
func (l *eventLoop) connect(c *conn, now time.Duration) {
	if c.stopping() {
		return
	}
	if active, wake := c.gate(now); !active {
		if wake != pace.Never {
			l.connectAt(c, wake)
		}
		return
	}
	var src *endpoint
	if c.source >= 0 {
		src = &l.sources[c.source]
	}
	fd, err := sysConnect(l.ep, src)
	if err == nil {
		c.gen++
		if err = l.p.add(fd, int32(c.index), c.gen); err != nil {
			sysClose(fd)
		}
	}
	if err != nil {
		l.connectFailed(c, now, err)
		return
	}
	c.fd, c.state, c.connStart = fd, stateConnecting, now
}

func (l *eventLoop) connectAt(c *conn, t time.Duration) {
	c.wakeConnect = true
	l.timers.schedule(c, t)
}

func (l *eventLoop) connected(c *conn) {
	if err := sysConnectError(c.fd); err != nil {
		l.disconnect(c)
		l.connectFailed(c, l.r.clock(), err)
		return
	}
	// Connection timing costs one lock per connection made; the lock is
	// this thread's.
	l.r.connect[l.th.index].record(l.r.clock()-c.connStart, 0)
	c.state = stateOpen
	c.in.reset()
	c.codec.Reset()
	c.answered, c.established = false, true
	l.enqueue(c)
}

// connectFailed counts a failed connect and retries after the back-off.
func (l *eventLoop) connectFailed(c *conn, now time.Duration, err error) {
	if c.stopping() {
		return
	}
	l.connectAt(c, now+c.connectFailed(err))
}

// disconnect closes the socket and forgets the flights on it.
func (l *eventLoop) disconnect(c *conn) {
	if c.fd >= 0 {
		sysClose(c.fd)
		c.fd = -1
	}
	l.timers.remove(c)
	c.state = stateClosed
	c.readable, c.peerClosed, c.wantWrite = false, false, false
	c.in.reset()
	c.dropFlights()
}

// reconnect drops the connection and makes a new one after wait.
func (l *eventLoop) reconnect(c *conn, now, wait time.Duration) {
	l.disconnect(c)
	if wait > 0 {
		l.connectAt(c, now+wait)
		return
	}
	l.connect(c, now)
}

// broke counts the failure of a connection and makes a new one.
func (l *eventLoop) broke(c *conn, class ErrorClass, err error) {
	c.lose(class, err)
	l.reconnect(c, l.r.clock(), 0)
}

// service starts what may start, writes what is to be written, and sets
// the timer for the next start.
func (l *eventLoop) service(c *conn) {
	if c.state != stateOpen {
		return
	}
	if c.stopping() {
		l.disconnect(c)
		return
	}
	now := l.r.clock()
	wake, gated, err := c.startRequests(now)
	if err != nil {
		l.fail(err)
		return
	}
	if c.open == 0 {
		switch {
		case gated:
			l.disconnect(c)
			if wake != pace.Never {
				l.connectAt(c, wake)
			}
			return
		case !c.codec.Reusable():
			l.reconnect(c, now, c.closedClean())
			return
		}
	}
	if !l.flush(c) {
		return
	}
	switch {
	case gated || wake == pace.Never:
		l.timers.remove(c)
	case c.slotted && wake == c.slot:
		// Sends due within the same tick go out together, so that their
		// responses come back together and one wake-up reads many.
		l.timers.schedule(c, (wake+paceTick-1)/paceTick*paceTick)
	default:
		l.timers.schedule(c, wake)
	}
	if c.readable {
		l.read(c)
	}
}

// flush writes what the codec has to send, until the socket takes no more;
// false when that broke the connection (counted, and reconnecting).
func (l *eventLoop) flush(c *conn) bool {
	for out := c.codec.Output(); len(out) > 0; out = c.codec.Output() {
		n, err := sysWrite(c.fd, out)
		if err == errAgain {
			c.wantWrite = true
			return true
		}
		if err != nil {
			l.broke(c, ClassWrite, err)
			return false
		}
		c.codec.Wrote(n)
	}
	c.wantWrite = false
	return true
}

// read reads and parses until the kernel has no more bytes or the
// connection is gone.
func (l *eventLoop) read(c *conn) {
	gen := c.gen
	for c.gen == gen && c.fd >= 0 && !l.failed {
		own := c.in.pending()
		var n, asked int
		var err error
		if own {
			var space []byte
			if space, err = c.in.space(c.codec.MaxPending()); err == nil {
				asked = len(space)
				n, err = sysRead(c.fd, space)
			}
		} else {
			asked = len(l.buf)
			n, err = sysRead(c.fd, l.buf)
		}
		switch {
		case err == errAgain:
			c.readable = false
			return
		case err != nil:
			l.broke(c, ClassRead, err)
			return
		case n == 0:
			l.eof(c)
			return
		}
		c.read += uint64(n)
		c.totals.Bytes = c.read
		if own {
			c.in.w += n
			if !l.parse(c, c.in.unparsed(), true) {
				return
			}
		} else if !l.parse(c, l.buf[:n], false) {
			return
		}
		// A read the kernel could not fill drained the socket; later bytes
		// bring a new event, unless the server's close came with them.
		if n < asked && c.gen == gen && !c.peerClosed {
			c.readable = false
			return
		}
	}
}

// parse hands data to the codec and handles its events until it needs
// more bytes; what it leaves is kept in the connection's own buffer (own:
// data is that buffer's). It reports whether the connection is still up.
func (l *eventLoop) parse(c *conn, data []byte, own bool) bool {
	gen := c.gen
	handled := false
	n := 0
	for n < len(data) {
		m, ev, err := c.codec.Parse(data[n:])
		n += m
		if err != nil {
			l.broke(c, ClassRead, err)
			return false
		}
		if ev.Kind == wire.None {
			break
		}
		handled = true
		if !l.event(c, ev) || c.gen != gen {
			return false
		}
	}
	if own {
		c.in.consumed(n)
	} else if n < len(data) {
		c.in.keep(data[n:])
	}
	if handled || len(c.codec.Output()) > 0 {
		l.enqueue(c)
	}
	return true
}

// event handles one codec event; false when the connection is gone or the
// run failed.
func (l *eventLoop) event(c *conn, ev wire.Event) bool {
	end := l.now
	if !l.nowValid {
		end = l.r.clock()
	}
	broken, fatal := c.handle(ev, end)
	if fatal != nil {
		l.fail(fatal)
		return false
	}
	if broken != nil {
		l.broke(c, ClassRead, broken)
		return false
	}
	return true
}

// eof handles the end of the stream: the end of a body that runs until the
// close, a broken response, or a clean close.
func (l *eventLoop) eof(c *conn) {
	gen := c.gen
	ev, err := c.codec.EOF(c.in.w - c.in.r)
	if ev.Kind != wire.None && (!l.event(c, ev) || c.gen != gen) {
		return
	}
	if err == nil && c.open > 0 {
		err = h1.ErrEOFHeaders // more responses were due
	}
	if err != nil {
		l.broke(c, ClassRead, err)
		return
	}
	now := l.r.clock()
	l.reconnect(c, now, c.closedClean())
}
