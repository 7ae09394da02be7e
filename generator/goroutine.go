package generator

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/gowrk/gowrk/generator/wire"
	"github.com/gowrk/gowrk/generator/wire/h1"
	"github.com/gowrk/gowrk/pace"
)

// The goroutine engine: each connection has a goroutine that owns its
// socket (net.Conn: TCP, a unix socket, TLS, a proxy's tunnel) and blocks
// in it. It runs wherever Go runs, and wherever the event loop cannot. The
// thread's monitor times requests out by interrupting the socket; waits
// for a request's start (its open-loop slot, delay(), connection stages)
// are a timer when nothing is in flight, and the socket's read deadline
// when responses are due meanwhile (HTTP/2 streams).

// longAgo is a deadline in the past, used to interrupt blocked I/O.
var longAgo = time.Unix(1, 0)

// goConn is a connection's goroutine-engine state.
type goConn struct {
	ncMu sync.Mutex // guards nc against the monitor's interrupts
	nc   net.Conn
	// timer is reused for every wait, so waiting allocates nothing.
	timer *time.Timer
	// wakeAt is the read deadline set for a request's start, zero for none.
	wakeAt time.Duration
}

// prepareGoroutine gives the connection its timer, recorder and response
// view.
func (c *conn) prepareGoroutine() {
	c.timer = time.NewTimer(time.Hour)
	c.timer.Stop()
	c.rec = newRecorder(c.th.stats)
	if c.th.keepsResponses() {
		c.hook = &Response{}
	}
}

// runGoroutine is the connection's goroutine: connect, serve, reconnect,
// until the run ends.
func (c *conn) runGoroutine() {
	defer c.finishGoroutine()
	r := c.th.run
	for !c.stopping() {
		if c.nc == nil {
			if active, wake := c.gate(r.clock()); !active {
				if !c.sleepUntil(wake) {
					return
				}
				continue
			}
			if err := c.dial(); err != nil {
				if !c.sleep(c.connectFailed(err)) {
					return
				}
				continue
			}
		}
		if err := c.serve(); err != nil {
			r.fail(err)
			return
		}
	}
}

// sleep waits d, or less if the run ends; it reports whether the run goes
// on.
func (c *conn) sleep(d time.Duration) bool {
	if d <= 0 {
		return !c.stopping()
	}
	c.timer.Reset(d)
	select {
	case <-c.th.run.done:
		c.timer.Stop()
		return false
	case <-c.timer.C:
		return !c.stopping()
	}
}

// sleepUntil waits until t on the run clock.
func (c *conn) sleepUntil(t time.Duration) bool {
	if t == pace.Never {
		<-c.th.run.done
		return false
	}
	return c.sleep(t - c.th.run.clock())
}

func (c *conn) dial() error {
	r := c.th.run
	var nc net.Conn
	var err error
	if r.quic != nil {
		nc, err = r.quic.openStream(r.ctx, c.group, r.connect[c.th.index])
	} else {
		nc, err = r.dialer.dialTimed(r.ctx, c.th.addr, c.source, r.connect[c.th.index])
	}
	if err != nil {
		return err
	}
	c.ncMu.Lock()
	c.nc = nc
	c.ncMu.Unlock()
	// The run may have ended, and interrupted its connections, during the
	// dial: this one was not there to be interrupted.
	if c.stopping() {
		c.disconnect()
		return context.Canceled
	}
	c.in.reset()
	c.codec.Reset()
	c.expired.Store(false)
	c.answered, c.wakeAt, c.established = false, 0, true
	return nil
}

// disconnect closes the socket and forgets the flights on it.
func (c *conn) disconnect() {
	c.ncMu.Lock()
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
	c.ncMu.Unlock()
	c.dropFlights()
}

// interrupt unblocks the connection's pending I/O; called by other
// goroutines.
func (c *conn) interrupt() {
	c.ncMu.Lock()
	if c.nc != nil {
		_ = c.nc.SetDeadline(longAgo)
	}
	c.ncMu.Unlock()
}

// serve runs requests on the connection until it is dropped or the run
// ends. Socket errors are counted; it returns only fatal ones.
func (c *conn) serve() error {
	for c.nc != nil && !c.stopping() {
		if err := c.step(); err != nil {
			return err
		}
	}
	return nil
}

// step starts what may start, writes it, and reads until something
// happened: a response, an error, or the time for the next start.
func (c *conn) step() error {
	wake, gated, err := c.startRequests(c.th.run.clock())
	if err != nil {
		return err
	}
	if c.open == 0 {
		switch {
		case gated:
			c.disconnect()
		case !c.codec.Reusable():
			c.disconnect()
			c.sleep(c.closedClean())
		case c.flush():
			c.sleepUntil(wake)
		}
		return nil
	}
	if !c.flush() {
		return nil
	}
	// Let the other connections run while the server works: the response
	// is then usually there when this one reads, which saves a read that
	// would fail with EAGAIN and a trip through the netpoller.
	runtime.Gosched()
	if gated {
		wake = pace.Never
	}
	if err := c.receive(wake); err != nil {
		return err
	}
	// Like wrk's event loop, which writes the next request on a later loop
	// turn, let the other connections read their responses first; a busy
	// generator then does not count its own backlog as server latency.
	runtime.Gosched()
	return nil
}

// flush writes what the codec has to send; false when that broke the
// connection (counted and dropped).
func (c *conn) flush() bool {
	for out := c.codec.Output(); len(out) > 0; out = c.codec.Output() {
		n, err := c.nc.Write(out)
		c.codec.Wrote(n)
		if err != nil {
			c.broke(ClassWrite, err)
			return false
		}
	}
	if hc, ok := c.codec.(wire.HalfCloser); ok && hc.CloseWrite() {
		// A server that has the request may stop reading (STOP_SENDING)
		// before the end is sent: what matters shows on the read side.
		_ = c.nc.(closeWriter).CloseWrite()
	}
	return true
}

// closeWriter is a connection whose sending side closes alone (a QUIC
// stream).
type closeWriter interface{ CloseWrite() error }

// receive reads and handles events until at least one was handled, the
// connection is dropped, or wake passes (a request may start then).
func (c *conn) receive(wake time.Duration) error {
	c.setWake(wake)
	for {
		if c.in.pending() {
			handled, err := c.parse()
			if err != nil || handled || c.nc == nil {
				return err
			}
		}
		space, err := c.in.space(c.codec.MaxPending())
		if err != nil {
			c.broke(ClassRead, err)
			return nil
		}
		n, err := c.nc.Read(space)
		c.in.w += n
		c.read += uint64(n)
		c.totals.Bytes = c.read
		if n > 0 {
			continue
		}
		switch {
		case err == nil:
			err = io.ErrNoProgress
		case errors.Is(err, io.EOF):
			return c.eof()
		case errors.Is(err, os.ErrDeadlineExceeded) && !c.stopping():
			// The monitor's interrupt, or the wait for a start is over.
			now := c.th.run.clock()
			if c.expired.Swap(false) && c.expire(now) {
				c.disconnect()
				return nil
			}
			c.rearm(wake)
			if c.open == 0 || wake <= now {
				return nil
			}
			continue
		}
		c.broke(ClassRead, err)
		return nil
	}
}

// setWake sets the read deadline to wake, a request's start, when that
// changes it: only HTTP/2 with a wait ahead reads with one.
func (c *conn) setWake(wake time.Duration) {
	if wake == pace.Never {
		wake = 0
	}
	if wake == c.wakeAt {
		return
	}
	c.wakeAt = wake
	var at time.Time
	if wake > 0 {
		at = c.th.run.epoch.Add(wake)
	}
	_ = c.nc.SetReadDeadline(at)
	// The monitor may have interrupted the socket just before: its
	// deadline must win.
	if c.expired.Load() || c.stopping() {
		c.interrupt()
	}
}

// rearm clears the deadlines an interrupt or a wait left, then waits for
// wake again.
func (c *conn) rearm(wake time.Duration) {
	_ = c.nc.SetDeadline(time.Time{})
	c.wakeAt = 0
	c.setWake(wake)
}

// parse hands the buffered bytes to the codec and handles its events.
// handled says some event was; a broken connection is counted and dropped.
func (c *conn) parse() (handled bool, fatal error) {
	for c.in.pending() {
		n, ev, err := c.codec.Parse(c.in.unparsed())
		c.in.consumed(n)
		if err != nil {
			c.broke(ClassRead, err)
			return handled, nil
		}
		if ev.Kind == wire.None {
			break
		}
		handled = true
		broken, fatal := c.handle(ev, c.th.run.clock())
		if fatal != nil {
			return handled, fatal
		}
		if broken != nil {
			c.broke(ClassRead, broken)
			return handled, nil
		}
	}
	return handled, nil
}

// eof handles the server's end of the stream.
func (c *conn) eof() error {
	ev, err := c.codec.EOF(c.in.w - c.in.r)
	if ev.Kind != wire.None {
		broken, fatal := c.handle(ev, c.th.run.clock())
		if fatal != nil {
			return fatal
		}
		if err == nil {
			err = broken
		}
	}
	if err == nil && c.open > 0 {
		err = h1.ErrEOFHeaders // more responses were due
	}
	if err != nil {
		c.broke(ClassRead, err)
		return nil
	}
	c.disconnect()
	c.sleep(c.closedClean())
	return nil
}

// broke counts a connection that failed with err and drops it. Requests
// the monitor interrupted are timeouts, whatever the socket then said.
func (c *conn) broke(class ErrorClass, err error) {
	switch {
	case errors.Is(err, errStreamRefused):
		// Never processed: neither sent nor an error.
		for i := range c.flights {
			if f := &c.flights[i]; f.open {
				c.unsend(f)
			}
		}
		c.disconnect()
		return
	case errors.Is(err, errStreamReset):
		class = ClassReset
	}
	if c.expired.Load() || errors.Is(err, os.ErrDeadlineExceeded) {
		before := c.open
		c.expire(c.th.run.clock())
		if before > 0 && c.open == 0 {
			c.disconnect()
			return
		}
	}
	c.lose(class, err)
	c.disconnect()
}

func (c *conn) finishGoroutine() {
	c.disconnect()
	c.rec.flush(0)
	c.th.stats.merge(c)
	c.th.wg.Done()
}
