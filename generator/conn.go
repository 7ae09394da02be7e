package generator

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// readBufferSize is what one read takes, wrk's receive buffer size. The
	// buffer grows only for a header section that does not fit it, up to
	// MaxHeaderBytes; bodies pass through it and are not kept.
	readBufferSize = 8 << 10
	// Back-off between failed dials, so a vanished target costs no CPU.
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
	// lateSlack is the least delay that counts a request as late: Go's
	// timers wake an idle process with millisecond resolution.
	lateSlack = time.Millisecond
	// flushInterval bounds how long samples wait in a connection before
	// they reach the thread's statistics, for the per-second series.
	flushInterval = 50 * time.Millisecond
)

var errEmptyRequest = errors.New("script returned an empty request")

// longAgo is a deadline in the past, used to interrupt blocked I/O.
var longAgo = time.Unix(1, 0)

// conn is one connection: a goroutine that owns its socket, buffers and
// counters and sends one request (or one pipelined batch) at a time.
type conn struct {
	th    *thread
	index int

	ncMu sync.Mutex // guards nc against the monitor's interrupts
	nc   net.Conn

	// buf[r:w] holds bytes read and not yet parsed: the start of a response
	// whose headers (or chunk-size line) are not all there yet.
	buf    []byte
	r, w   int
	parser responseParser
	hook   *Response // set when the script has a response() hook
	read   uint64    // bytes read from the server
	// endpoint is the endpoint index of the request being sent or read.
	endpoint uint16
	// active is whether the connection stages let it send now.
	active bool

	batch    []sample
	lastSent time.Duration // run clock at the last flush
	totals   ThreadTotals
	timer    *time.Timer // reused for every wait, so waiting allocates nothing

	// Open-loop schedule: this connection sends the run's requests number
	// phase, phase+stride, phase+2*stride... due is the next one's send time
	// on the run clock, seq how many it has taken from its schedule.
	paced     bool
	phase     float64
	stride    float64
	seq       uint64
	due       time.Duration
	sent      uint64
	late      uint64
	maxBehind time.Duration

	// Published for the thread's monitor: atomic stores by the owner, loads
	// by the monitor, once per request or batch.
	completed atomic.Uint64
	failed    atomic.Uint64 // socket errors plus statuses above 399
	socket    atomic.Uint64 // socket errors
	inflight  atomic.Int64  // run clock (ns) at the write of the pending request, 0 if none
	expired   atomic.Bool   // the monitor timed out the pending request

	loopConn // the event-loop engine's state
}

// newConn returns a connection with only what both engines need; the
// goroutine engine adds its buffers with prepareGoroutine.
func newConn(th *thread, index int) *conn {
	c := &conn{th: th, index: index}
	c.fd, c.heapIndex = -1, -1
	return c
}

// prepareGoroutine gives the connection what it needs to run on its own
// goroutine: a read buffer, a sample batch, a timer and a response object
// for a response() hook.
func (c *conn) prepareGoroutine() {
	if c.buf == nil {
		c.buf = make([]byte, readBufferSize)
		c.batch = make([]sample, 0, samplesPerFlush)
		c.timer = time.NewTimer(time.Hour)
		c.timer.Stop()
	}
	if c.th.hasResponse && c.hook == nil {
		c.hook = &Response{}
	}
}

// pace puts the connection on the run's open-loop schedule as request
// number phase of every stride.
func (c *conn) pace(phase, stride int) {
	c.paced = true
	c.phase, c.stride = float64(phase), float64(stride)
	c.due = c.th.run.cfg.Pacer.Due(c.phase)
}

// sleep waits d, or less if the run ends; it reports whether the run goes on.
func (c *conn) sleep(d time.Duration) bool {
	c.timer.Reset(d)
	select {
	case <-c.th.run.done:
		c.timer.Stop()
		return false
	case <-c.timer.C:
		return true
	}
}

func (c *conn) loop() {
	defer c.finish()
	if c.th.run.cfg.Transport.HTTP2 {
		c.loopH2()
		return
	}
	r := c.th.run
	backoff := time.Duration(0)
	staged := len(r.cfg.ConnStages) > 0
	for !c.stopping() {
		if staged && !c.awaitActive() {
			return
		}
		if c.nc == nil {
			if err := c.connect(); err != nil {
				if !c.dialFailed(err, &backoff) {
					return
				}
				continue
			}
			backoff = 0
		}
		if err := c.roundTrip(); err != nil {
			r.fail(err)
			return
		}
	}
}

// dialFailed counts a failed dial with its reason and waits out the
// back-off before the next one; it reports whether the run goes on.
func (c *conn) dialFailed(err error, backoff *time.Duration) bool {
	if c.stopping() {
		return false
	}
	c.totals.Errors.Connect++
	c.th.stats.reasons.count(ClassConnect, classify(err))
	c.publish()
	*backoff = min(max(*backoff*2, minBackoff), maxBackoff)
	return c.sleep(*backoff)
}

func (c *conn) stopping() bool {
	return c.th.run.stopping.Load() || c.th.stopped.Load()
}

func (c *conn) connect() error {
	nc, err := c.th.run.dialer.dialTimed(c.th.run.ctx, c.th.addr, c.th.run.connect[c.th.index])
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
	c.r, c.w = 0, 0
	c.parser.reset()
	c.expired.Store(false)
	return nil
}

func (c *conn) disconnect() {
	c.ncMu.Lock()
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
	c.ncMu.Unlock()
	c.inflight.Store(0)
}

// interrupt unblocks the connection's pending I/O; called by other goroutines.
func (c *conn) interrupt() {
	c.ncMu.Lock()
	if c.nc != nil {
		_ = c.nc.SetDeadline(longAgo)
	}
	c.ncMu.Unlock()
}

// roundTrip sends one request or pipelined batch and reads its responses.
// It returns only fatal errors (script failures); socket errors are counted.
func (c *conn) roundTrip() error {
	scheduled, slack, ok := c.awaitSchedule()
	if !ok {
		return nil
	}
	if ok, err := c.awaitDelay(); !ok || err != nil {
		return err
	}
	req, err := c.nextRequest()
	if err != nil {
		return err
	}
	c.endpoint = req.EndpointOf(0)
	r := c.th.run
	start := r.clock()
	if scheduled >= 0 {
		behind := start - scheduled
		if behind > slack {
			c.late += uint64(req.Count)
		}
		c.maxBehind = max(c.maxBehind, behind)
	}
	c.inflight.Store(int64(start))
	if _, err := c.nc.Write(req.Bytes); err != nil {
		c.socketError(&c.totals.Errors.Write, ClassWrite, err)
		return nil
	}
	c.sent += uint64(req.Count)
	// Let the other connections run while the server works: the response is
	// then usually there when this one reads, which saves a read that would
	// fail with EAGAIN and a trip through the netpoller.
	runtime.Gosched()
	closeAfter, ok, err := c.readResponses(req)
	if !ok || err != nil {
		return err
	}
	c.record(req.Count, start, scheduled)
	if closeAfter {
		c.disconnect()
	}
	// Like wrk's event loop, which writes the next request on a later loop
	// turn, let the other connections read their responses first; a busy
	// generator then does not count its own backlog as server latency.
	runtime.Gosched()
	return nil
}

// awaitSchedule waits, in open-loop mode, for the next request's send time
// and returns it with the slack allowed before it counts as late; scheduled
// is -1 in closed-loop mode. ok is false when the run ended meanwhile.
func (c *conn) awaitSchedule() (scheduled, slack time.Duration, ok bool) {
	if !c.paced {
		return -1, 0, true
	}
	r := c.th.run
	scheduled = c.due
	c.seq++
	c.due = r.cfg.Pacer.Due(float64(c.seq)*c.stride + c.phase)
	slack = max(c.due-scheduled, lateSlack)
	if wait := scheduled - r.clock(); wait > 0 && !c.sleep(wait) {
		return scheduled, slack, false
	}
	return scheduled, slack, true
}

// awaitDelay waits for the script's delay() before a request; ok is false
// when the run ended meanwhile.
func (c *conn) awaitDelay() (bool, error) {
	if !c.th.hasDelay {
		return true, nil
	}
	d, err := c.th.script.Delay()
	if err != nil {
		return false, err
	}
	return d <= 0 || c.sleep(d), nil
}

// nextRequest is the static request, or the script's next one.
func (c *conn) nextRequest() (Request, error) {
	if !c.th.dynamic {
		return c.th.static, nil
	}
	req, err := c.th.script.Next(c.index)
	if err != nil {
		return req, err
	}
	if req.Count < 1 || len(req.Bytes) == 0 {
		return req, errEmptyRequest
	}
	return req, nil
}

// readResponses reads the responses to req, hands each to the script's
// response() hook and counts it. ok is false after a socket error, which is
// counted and drops the connection; err is a script failure.
func (c *conn) readResponses(req Request) (closeAfter, ok bool, err error) {
	for i := 0; i < req.Count; i++ {
		c.endpoint = req.EndpointOf(i)
		if err := c.readResponse(req.IsHead(i)); err != nil {
			c.readError(err)
			return false, false, nil
		}
		if c.hook != nil {
			resp, err := c.hook.fill(&c.parser)
			if err != nil {
				c.readError(err)
				return false, false, nil
			}
			if err := c.th.script.Response(resp); err != nil {
				return false, false, err
			}
		}
		closeAfter = closeAfter || c.parser.Close
		status := c.parser.Status
		c.batch = append(c.batch, sample{status: uint16(status), endpoint: c.endpoint})
		c.totals.Requests++
		if status > 399 {
			c.totals.Errors.Status++
		}
	}
	return closeAfter, true, nil
}

// record ends a round trip of count requests written at start (and due at
// scheduled, in open-loop mode): its latency goes on the last response of
// the batch, unless the responses came too late to count.
func (c *conn) record(count int, start, scheduled time.Duration) {
	r := c.th.run
	end := r.clock()
	c.inflight.Store(0)
	latency := end - start
	if latency > r.cfg.Timeout || c.expired.Load() {
		// A late response is a timeout, never a latency sample.
		c.dropBatch(count)
		c.socketError(&c.totals.Errors.Timeout, ClassTimeout, os.ErrDeadlineExceeded)
		return
	}
	last := &c.batch[len(c.batch)-1]
	last.latency = uint32(min(latency/time.Microsecond, histHighest)) + 1
	if scheduled >= 0 {
		last.corrected = uint32(min((end-scheduled)/time.Microsecond, histHighest)) + 1
	}
	c.totals.Bytes = c.read
	c.publish()
	if len(c.batch) >= samplesPerFlush || end-c.lastSent > flushInterval {
		c.flush(end)
	}
}

// readResponse reads one response, the reply to a HEAD request when head
// is set. The body is counted as it passes and kept only for a hook.
func (c *conn) readResponse(head bool) error {
	p := &c.parser
	p.begin(head)
	for {
		if c.r < c.w {
			n, done, err := p.parse(c.buf[c.r:c.w])
			c.r += n
			if err != nil {
				return err
			}
			if done {
				return nil
			}
		}
		if err := c.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				done, perr := p.eof(c.w - c.r)
				if done {
					p.Close = true
					return nil
				}
				return perr
			}
			return err
		}
	}
}

// fill reads more bytes after the unparsed ones, making room first: the
// unparsed bytes move to the front, and the buffer doubles only when they
// fill it (a header section up to MaxHeaderBytes).
func (c *conn) fill() error {
	if c.r == c.w {
		c.r, c.w = 0, 0
	} else if c.r > 0 {
		c.w = copy(c.buf, c.buf[c.r:c.w])
		c.r = 0
	}
	if c.w == len(c.buf) {
		// Only the parser's limits end this: it fails a header section of
		// MaxHeaderBytes and a line of maxLineBytes.
		grown := make([]byte, min(2*len(c.buf), MaxHeaderBytes))
		copy(grown, c.buf[:c.w])
		c.buf = grown
	}
	n, err := c.nc.Read(c.buf[c.w:])
	c.w += n
	c.read += uint64(n)
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// dropBatch forgets the last n responses, which arrived too late to count.
func (c *conn) dropBatch(n int) {
	for _, s := range c.batch[len(c.batch)-n:] {
		c.totals.Requests--
		if s.status > 399 {
			c.totals.Errors.Status--
		}
	}
	c.batch = c.batch[:len(c.batch)-n]
}

func (c *conn) readError(err error) {
	if c.expired.Load() || errors.Is(err, os.ErrDeadlineExceeded) {
		c.socketError(&c.totals.Errors.Timeout, ClassTimeout, os.ErrDeadlineExceeded)
		return
	}
	if errors.Is(err, errBodyTooLarge) && !c.stopping() {
		c.totals.Errors.OverCap++
	}
	c.socketError(&c.totals.Errors.Read, ClassRead, err)
}

// socketError counts a failure of class for err's reason unless the run is
// ending (an interrupted request is not an error), then drops the
// connection.
func (c *conn) socketError(counter *uint64, class ErrorClass, err error) {
	if !c.stopping() {
		*counter++
		c.th.stats.countError(class, err, c.endpoint)
		c.publish()
	}
	c.disconnect()
}

// publish makes the counters visible to the monitor and the series loop.
func (c *conn) publish() {
	c.completed.Store(c.totals.Requests)
	c.failed.Store(c.totals.Errors.Socket() + c.totals.Errors.Status)
	c.socket.Store(c.totals.Errors.Socket())
}

func (c *conn) flush(now time.Duration) {
	if len(c.batch) > 0 {
		c.th.stats.add(c.batch)
		c.batch = c.batch[:0]
	}
	c.lastSent = now
}

func (c *conn) finish() {
	c.disconnect()
	c.flush(0)
	c.mergeTotals()
	c.th.wg.Done()
}

// mergeTotals adds the connection's counters to its thread's.
func (c *conn) mergeTotals() {
	c.totals.Bytes = c.read
	s := c.th.stats
	s.mu.Lock()
	s.totals.Requests += c.totals.Requests
	s.totals.Bytes += c.totals.Bytes
	s.totals.Errors.add(c.totals.Errors)
	s.sent += c.sent
	s.late += c.late
	s.maxBehind = max(s.maxBehind, c.maxBehind)
	s.mu.Unlock()
}
