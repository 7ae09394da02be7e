package generator

import (
	"runtime"
	"time"
)

// The event-loop engine, in the manner of wrk's: one goroutine per thread,
// locked to its OS thread, drives all of the thread's connections over
// non-blocking sockets (poller.go). A connection costs a small struct, no
// goroutine, stack or read buffer of its own; responses are parsed in the
// loop's shared buffer. Request starts (the open-loop schedule, delay(),
// connection stages), reconnect back-off and timeouts go through the
// loop's timer heap and its periodic scan. A connection's life is in
// loopconn.go; what counts is the shared bookkeeping (conn.go).

const (
	// loopReadSize is the loop's shared read buffer: large enough that big
	// bodies pass in few reads. Only bytes a read leaves unparsed (a partial
	// header section, line or frame) move to a connection's own buffer.
	loopReadSize = 64 << 10
	// maxEvents bounds the events taken from the poller per turn.
	maxEvents = 512
	// connectBatch bounds the connects a turn starts when the run begins:
	// with tens of thousands of connections the loop handles the ones made
	// between batches, so no connect waits on the loop's own syscalls
	// (their time would count as connect time, and beyond the timeout as a
	// connect error).
	connectBatch = 256
	// paceTick is the resolution of open-loop send times: sends due within
	// one tick go out together at its end. Waits are whole milliseconds
	// (the poller's resolution, and wrk2's), so an idle loop wakes up to
	// 1 ms after a send's time.
	paceTick = 500 * time.Microsecond
)

// eventLoop runs one thread's connections.
type eventLoop struct {
	th    *thread
	conns []*conn // the thread's
	r     *run
	ep    endpoint
	// sources are Transport.SourceAddrs as the loop binds them.
	sources []endpoint
	p       *poller
	buf     []byte
	events  []pollEvent
	// ready holds connections that may send; they do so after the turn's
	// events are handled, so responses are timed before requests go out.
	ready, sending []*conn
	timers         timerHeap
	rec            *recorder
	scanEvery      time.Duration
	nextScan       time.Duration
	// started counts the connections whose first connect has begun.
	started int
	failed  bool
	// now is the run clock when the poller returned, the end time of the
	// responses read from its events (the bytes were there by then); valid
	// while those events are handled.
	now      time.Duration
	nowValid bool
}

func newEventLoop(th *thread, ep endpoint) (*eventLoop, error) {
	p, err := newPoller(maxEvents)
	if err != nil {
		return nil, err
	}
	cfg := &th.run.cfg
	l := &eventLoop{
		th:        th,
		conns:     th.conns,
		r:         th.run,
		ep:        ep,
		p:         p,
		buf:       make([]byte, loopReadSize),
		events:    make([]pollEvent, maxEvents),
		ready:     make([]*conn, 0, len(th.conns)),
		sending:   make([]*conn, 0, len(th.conns)),
		timers:    make(timerHeap, 0, len(th.conns)),
		rec:       newRecorder(th.stats),
		scanEvery: min(cfg.SampleInterval, max(cfg.Timeout/4, time.Millisecond)),
	}
	for _, a := range cfg.Transport.SourceAddrs {
		l.sources = append(l.sources, sourceEndpoint(a))
	}
	var hook *Response
	if th.keepsResponses() {
		// Hooks run one at a time on the loop: one response view serves all.
		hook = &Response{}
	}
	for _, c := range th.conns {
		c.rec, c.hook = l.rec, hook
	}
	return l, nil
}

// run connects every connection and turns the loop until the run ends.
func (l *eventLoop) run() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer l.finish()
	l.nextScan = l.r.clock() + l.scanEvery
	l.startConnects()
	for !l.over() {
		l.turn()
	}
}

func (l *eventLoop) over() bool { return l.failed || l.r.stopping.Load() }

// turn sends what is ready, waits for events or the next timer, handles
// the events, then the timers due.
func (l *eventLoop) turn() {
	l.sendReady()
	n := l.p.wait(l.events, l.waitTime())
	now := l.r.clock()
	l.now, l.nowValid = now, true
	for _, ev := range l.events[:n] {
		l.handle(ev)
	}
	l.nowValid = false
	for c := l.timers.popDue(now); c != nil; c = l.timers.popDue(now) {
		if c.wakeConnect {
			c.wakeConnect = false
			l.connect(c, now)
		} else {
			l.service(c)
		}
	}
	if now >= l.nextScan {
		l.scan(now)
	}
	l.startConnects()
}

// startConnects begins the next batch of first connects.
func (l *eventLoop) startConnects() {
	end := min(l.started+connectBatch, len(l.conns))
	for ; l.started < end; l.started++ {
		l.connect(l.conns[l.started], l.r.clock())
	}
}

// waitTime is how long the poller may wait, in milliseconds, rounded up:
// until the next timer or scan, not at all when connections are ready.
func (l *eventLoop) waitTime() int {
	if len(l.ready) > 0 || l.started < len(l.conns) {
		return 0
	}
	next := l.nextScan
	if t, ok := l.timers.next(); ok && t < next {
		next = t
	}
	d := next - l.r.clock()
	if d <= 0 {
		return 0
	}
	return int((d + time.Millisecond - 1) / time.Millisecond)
}

func (l *eventLoop) enqueue(c *conn) {
	if !c.queued {
		c.queued = true
		l.ready = append(l.ready, c)
	}
}

func (l *eventLoop) sendReady() {
	l.sending, l.ready = l.ready, l.sending[:0]
	for i, c := range l.sending {
		l.sending[i] = nil
		c.queued = false
		if !l.failed {
			l.service(c)
		}
	}
}

// scan times out requests and connects pending for longer than the
// timeout, and hands samples waiting too long to the thread's statistics.
func (l *eventLoop) scan(now time.Duration) {
	timeout := l.r.cfg.Timeout
	for _, c := range l.conns {
		switch {
		case c.state == stateConnecting && now-c.connStart > timeout:
			l.disconnect(c)
			l.connectFailed(c, now, errConnectTimeout)
		case c.state == stateOpen && c.open > 0:
			timeouts := c.totals.Errors.Timeout
			if c.expire(now) {
				l.reconnect(c, now, 0)
			} else if c.totals.Errors.Timeout != timeouts {
				l.enqueue(c) // cancels to send, room to start
			}
		}
	}
	if now-l.rec.lastFlush > flushInterval {
		l.rec.flush(now)
	}
	l.nextScan = now + l.scanEvery
}

func (l *eventLoop) fail(err error) {
	l.failed = true
	l.r.fail(err)
}

func (l *eventLoop) finish() {
	for _, c := range l.conns {
		l.disconnect(c)
		l.th.stats.merge(c)
	}
	l.rec.flush(0)
	l.p.close()
	l.th.wg.Done()
}

// reserveProcs lets each of n event loops keep a scheduler P while it waits
// in the poller, plus one for the rest of the run: with fewer (GOMAXPROCS
// follows the CPUs the process may use), loops sharing a CPU would hand
// their P to each other through the scheduler on every wait. It returns
// the function that restores the previous setting.
func reserveProcs(n int) func() {
	prev := runtime.GOMAXPROCS(0)
	if prev >= n+1 {
		return func() {}
	}
	runtime.GOMAXPROCS(n + 1)
	return func() { runtime.GOMAXPROCS(prev) }
}
