package generator

import (
	"errors"
	"os"
	"time"
)

// A connection's life in the event-loop engine: connect, then for each
// request take its open-loop slot and delay(), write it, read its
// responses, record them, and again.

// connect starts a non-blocking connect; the socket's first writable event
// finishes it.
func (l *eventLoop) connect(c *conn, now time.Duration) {
	if c.stopping() || !l.gate(c, now) {
		return
	}
	fd, err := sysConnect(l.ep)
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
	c.fd, c.state, c.start = fd, stateConnecting, now
}

func (l *eventLoop) connected(c *conn) {
	if err := sysConnectError(c.fd); err != nil {
		l.disconnect(c)
		l.connectFailed(c, l.r.clock(), err)
		return
	}
	c.backoff = 0
	c.state = stateIdle
	// Connection timing costs one lock per connection made; the lock is
	// this thread's.
	l.r.connect[l.th.index].record(l.r.clock()-c.start, 0)
	l.enqueue(c)
}

// connectFailed counts a failed connect and retries after a back-off that
// doubles with each failure in a row.
func (l *eventLoop) connectFailed(c *conn, now time.Duration, err error) {
	if c.stopping() {
		return
	}
	c.totals.Errors.Connect++
	c.th.stats.countError(ClassConnect, err, 0)
	c.publish()
	c.backoff = min(max(c.backoff*2, minBackoff), maxBackoff)
	c.wakeConnect = true
	l.timers.schedule(c, now+c.backoff)
}

// disconnect closes the socket and forgets the request in progress.
func (l *eventLoop) disconnect(c *conn) {
	if c.fd >= 0 {
		sysClose(c.fd)
		c.fd = -1
	}
	l.timers.remove(c)
	c.state = stateClosed
	c.readable, c.peerClosed = false, false
	c.r, c.w = 0, 0
	c.parser.reset()
}

// gate holds the connection back, closed, while the connection stages
// (Config.ConnStages) want fewer connections than its place, and brings it
// back by a timer when they want it again.
func (l *eventLoop) gate(c *conn, now time.Duration) bool {
	if len(l.r.cfg.ConnStages) == 0 {
		return true
	}
	active, wake := stageGate(l.r.cfg.ConnStages, float64(l.th.phase(c.index)), now)
	c.setActive(active)
	if active {
		return true
	}
	l.disconnect(c)
	if wake != never {
		c.wakeConnect = true
		l.timers.schedule(c, wake)
	}
	return false
}

// socketError counts a failure of class for err's reason unless the run is
// ending, then reconnects.
func (l *eventLoop) socketError(c *conn, counter *uint64, class ErrorClass, err error) {
	if !c.stopping() {
		*counter++
		c.th.stats.countError(class, err, c.req.EndpointOf(min(c.responses, c.req.Count-1)))
		c.publish()
	}
	l.disconnect(c)
	l.connect(c, l.r.clock())
}

func (l *eventLoop) readError(c *conn, err error) {
	if errors.Is(err, errBodyTooLarge) && !c.stopping() {
		c.totals.Errors.OverCap++
	}
	l.socketError(c, &c.totals.Errors.Read, ClassRead, err)
}

// send writes c's next request, unless its open-loop slot or delay() is
// still ahead: then the timer heap brings it back.
func (l *eventLoop) send(c *conn) {
	if c.state != stateIdle {
		return
	}
	if c.stopping() {
		l.disconnect(c)
		return
	}
	now := l.r.clock()
	if !l.gate(c, now) {
		return
	}
	if c.paced && !c.slotted {
		c.scheduled = c.due
		c.seq++
		c.due = l.r.cfg.Pacer.Due(float64(c.seq)*c.stride + c.phase)
		// The tick and the poller's resolution are not lateness.
		c.slack = max(c.due-c.scheduled, lateSlack+paceTick)
		c.slotted = true
	}
	if c.slotted && c.scheduled > now {
		// Sends due within the same tick go out together, so that their
		// responses come back together and one wake-up reads many.
		l.timers.schedule(c, (c.scheduled+paceTick-1)/paceTick*paceTick)
		return
	}
	if l.th.hasDelay && !c.delayed {
		d, err := l.th.script.Delay()
		if err != nil {
			l.fail(err)
			return
		}
		c.delayed = true
		if d > 0 {
			l.timers.schedule(c, now+d)
			return
		}
	}
	req, err := c.nextRequest()
	if err != nil {
		l.fail(err)
		return
	}
	if l.th.hasDelay || l.th.dynamic {
		now = l.r.clock() // the script's time is not the server's
	}
	l.begin(c, req, now)
	l.write(c)
}

// begin starts the round trip of req, written at now.
func (l *eventLoop) begin(c *conn, req Request, now time.Duration) {
	if c.slotted {
		behind := now - c.scheduled
		if behind > c.slack {
			c.late += uint64(req.Count)
		}
		c.maxBehind = max(c.maxBehind, behind)
	}
	c.slotted, c.delayed = false, false
	c.req, c.written, c.start = req, 0, now
	c.responses, c.statuses, c.closeAfter = 0, c.statuses[:0], false
	c.parser.begin(req.IsHead(0))
}

// write writes what is left of the request; the rest waits for room.
func (l *eventLoop) write(c *conn) {
	for c.written < len(c.req.Bytes) {
		n, err := sysWrite(c.fd, c.req.Bytes[c.written:])
		if err == errAgain {
			c.state = stateWriting
			return
		}
		if err != nil {
			l.socketError(c, &c.totals.Errors.Write, ClassWrite, err)
			return
		}
		c.written += n
	}
	c.state = stateReading
	c.sent += uint64(c.req.Count)
	if c.readable {
		l.read(c)
	}
}

// read reads and parses until the responses are all there or the kernel
// has no more bytes.
func (l *eventLoop) read(c *conn) {
	gen := c.gen
	for c.state == stateReading && c.gen == gen && !l.failed {
		own := c.r < c.w
		var n, asked int
		var err error
		if own {
			n, asked, err = l.fillOwn(c)
		} else {
			asked = len(l.buf)
			n, err = sysRead(c.fd, l.buf)
		}
		switch {
		case err == errAgain:
			c.readable = false
			return
		case err != nil:
			l.readError(c, err)
			return
		case n == 0:
			l.eof(c)
			return
		}
		c.read += uint64(n)
		if own {
			l.consumeOwn(c)
		} else {
			l.consume(c, l.buf[:n])
		}
		// A read the kernel could not fill drained the socket; later bytes
		// bring a new event, unless the server's close came with them.
		if n < asked && c.gen == gen && !c.peerClosed {
			c.readable = false
			return
		}
	}
}

// fillOwn reads into c's own buffer after the bytes left unparsed, growing
// it only for a header section that does not fit, as conn.fill does.
func (l *eventLoop) fillOwn(c *conn) (n, asked int, err error) {
	if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
	if c.w == len(c.buf) {
		if len(c.buf) >= MaxHeaderBytes {
			return 0, 0, errHeaderTooLarge
		}
		grown := make([]byte, min(2*len(c.buf), MaxHeaderBytes))
		copy(grown, c.buf[:c.w])
		c.buf = grown
	}
	asked = len(c.buf) - c.w
	n, err = sysRead(c.fd, c.buf[c.w:])
	if n > 0 {
		c.w += n
	}
	return n, asked, err
}

// consume parses bytes read into the shared buffer. What the parser leaves
// (a partial header section or line, or bytes after the last response)
// moves to the connection's own buffer, to be handed back with more.
func (l *eventLoop) consume(c *conn, data []byte) {
	gen := c.gen
	n, ok := l.parseResponses(c, data)
	if !ok {
		return
	}
	data = data[n:]
	if len(data) > 0 && c.gen == gen && c.fd >= 0 {
		if cap(c.buf) < len(data) {
			c.buf = make([]byte, max(len(data), readBufferSize))
		}
		c.buf = c.buf[:cap(c.buf)]
		c.r, c.w = 0, copy(c.buf, data)
	}
}

// parseResponses hands data to c's parser, completing each response it
// holds, until the parser needs more bytes or c is no longer reading the
// same connection; it returns how many bytes were parsed. ok is false after
// a broken response, which is counted and drops c.
func (l *eventLoop) parseResponses(c *conn, data []byte) (n int, ok bool) {
	gen := c.gen
	for n < len(data) && c.state == stateReading && c.gen == gen && !l.failed {
		m, done, err := c.parser.parse(data[n:])
		n += m
		if err != nil {
			l.readError(c, err)
			return n, false
		}
		if !done {
			break
		}
		l.responseDone(c)
	}
	return n, true
}

// consumeOwn parses the bytes in c's own buffer.
func (l *eventLoop) consumeOwn(c *conn) {
	gen := c.gen
	n, ok := l.parseResponses(c, c.buf[c.r:c.w])
	if !ok {
		return
	}
	c.r += n
	if c.gen == gen && c.r == c.w {
		c.r, c.w = 0, 0
	}
}

// eof handles the end of the stream: the end of a body that runs until the
// close, or a broken response.
func (l *eventLoop) eof(c *conn) {
	gen := c.gen
	done, err := c.parser.eof(c.w - c.r)
	if !done {
		l.readError(c, err)
		return
	}
	c.parser.Close = true
	l.responseDone(c)
	if c.state == stateReading && c.gen == gen {
		// More responses were due on a connection that is gone.
		l.readError(c, errEOFHeaders)
	}
}

// responseDone takes a complete response: the script's response() hook
// sees it, and the last of a batch ends the round trip.
func (l *eventLoop) responseDone(c *conn) {
	p := &c.parser
	if l.hook != nil {
		resp, err := l.hook.fill(p)
		if err != nil {
			l.readError(c, err)
			return
		}
		if err := l.th.script.Response(resp); err != nil {
			l.fail(err)
			return
		}
	}
	c.closeAfter = c.closeAfter || p.Close
	c.statuses = append(c.statuses, uint16(p.Status))
	c.responses++
	if c.responses < c.req.Count {
		p.begin(c.req.IsHead(c.responses))
		return
	}
	l.record(c)
}

// record ends a round trip: its latency goes on the last response of the
// batch, unless the responses came too late to count.
func (l *eventLoop) record(c *conn) {
	end := l.now
	if !l.nowValid || end < c.start {
		end = l.r.clock()
	}
	latency := end - c.start
	if latency > l.r.cfg.Timeout {
		l.socketError(c, &c.totals.Errors.Timeout, ClassTimeout, os.ErrDeadlineExceeded)
		return
	}
	last := len(c.statuses) - 1
	statusErrors := c.totals.Errors.Status
	for i, status := range c.statuses {
		s := sample{status: status, endpoint: c.req.EndpointOf(i)}
		if i == last {
			s.latency = uint32(min(latency/time.Microsecond, histHighest)) + 1
			if c.paced {
				s.corrected = uint32(min((end-c.scheduled)/time.Microsecond, histHighest)) + 1
			}
		}
		if status > 399 {
			c.totals.Errors.Status++
		}
		l.batch = append(l.batch, s)
	}
	c.totals.Requests += uint64(len(c.statuses))
	c.totals.Bytes = c.read
	// Only what changed is published: each store is a full barrier.
	c.completed.Store(c.totals.Requests)
	if c.totals.Errors.Status != statusErrors {
		c.failed.Store(c.totals.Errors.Socket() + c.totals.Errors.Status)
	}
	if len(l.batch) >= samplesPerFlush || end-l.lastFlush > flushInterval {
		l.flush(end)
	}
	if c.closeAfter {
		l.disconnect(c)
		l.connect(c, end)
		return
	}
	c.state = stateIdle
	l.enqueue(c)
}
