package generator

import (
	"errors"
	"os"
	"runtime"
	"time"
)

// The event-loop engine, in the manner of wrk's: one goroutine per thread,
// locked to its OS thread, drives all of the thread's connections over
// non-blocking sockets. A connection costs a small struct, no goroutine,
// stack or read buffer of its own; responses are parsed in the loop's
// shared buffer. The open-loop schedule, delay(), reconnect back-off and
// timeouts go through the loop's timer heap and its periodic scan. The
// poller and socket calls are per platform (poll_*.go); where there is none,
// or for TLS, threads use the goroutine engine (conn.go).

const (
	// loopReadSize is the loop's shared read buffer: large enough that big
	// bodies pass in few reads. Only bytes a read leaves unparsed (a partial
	// header section or line) move to a connection's own buffer.
	loopReadSize = 64 << 10
	// maxEvents bounds the events taken from the poller per turn.
	maxEvents = 512
	// paceTick is the resolution of open-loop send times: sends due within
	// one tick go out together at its end. Waits are whole milliseconds
	// (the poller's resolution, and wrk2's), so an idle loop wakes up to
	// 1 ms after a send's time.
	paceTick = 500 * time.Microsecond
)

// errAgain is a non-blocking call that must wait for the next event.
var errAgain = errors.New("resource temporarily unavailable")

type connState uint8

const (
	stateClosed     connState = iota // no socket; reconnecting, maybe after back-off
	stateConnecting                  // a non-blocking connect in progress
	stateIdle                        // connected, waiting for its next send
	stateWriting                     // a request partly written, waiting for room
	stateReading                     // waiting for the responses
)

type pollFlags uint8

const (
	pollIn  pollFlags = 1 << iota // readable, or an error or hang-up to read
	pollOut                       // writable, or a connect finished
	pollErr                       // an error is pending
	pollHup                       // the server closed its side
)

// pollEvent is one ready socket: the connection's index and socket
// generation, so events for a socket already closed are ignored.
type pollEvent struct {
	idx   int32
	gen   uint32
	flags pollFlags
}

// loopConn is a connection's state in the event-loop engine.
type loopConn struct {
	fd        int
	gen       uint32 // bumped for every socket
	state     connState
	heapIndex int           // place in the timer heap, -1 when not in it
	wake      time.Duration // when the timer fires
	// wakeConnect says the timer ends a back-off; otherwise it is the next
	// send's schedule or delay.
	wakeConnect bool
	queued      bool // in the loop's ready queue
	backoff     time.Duration

	req        Request
	written    int
	start      time.Duration // run clock at the write, or at the connect
	scheduled  time.Duration // open loop: the send time of the slot taken
	slack      time.Duration // open loop: how late the slot may go out
	slotted    bool          // open loop: a slot is taken and not yet sent
	delayed    bool          // delay() ran for the next request
	responses  int           // responses to req read so far
	statuses   []uint16      // their statuses, held until the last arrives
	closeAfter bool

	// readable is set by an event and cleared by a read the kernel could not
	// fill: with edge-triggered events, bytes left unread get no new event.
	readable bool
	// peerClosed is set when the server shut its side: reads then go on
	// until they see the end of the stream.
	peerClosed bool
}

// eventLoop runs one thread's connections.
type eventLoop struct {
	th     *thread
	conns  []*conn // the thread's
	r      *run
	ep     endpoint
	p      *poller
	buf    []byte
	events []pollEvent
	// ready holds connections that may send; they do so after the turn's
	// events are handled, so responses are timed before requests go out.
	ready, sending []*conn
	timers         timerHeap
	batch          []sample
	lastFlush      time.Duration
	scanEvery      time.Duration
	nextScan       time.Duration
	hook           *Response
	failed         bool
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
		batch:     make([]sample, 0, 2*samplesPerFlush),
		scanEvery: min(cfg.SampleInterval, max(cfg.Timeout/4, time.Millisecond)),
	}
	if th.hasResponse {
		// Hooks run one at a time on the loop: one response object serves all.
		l.hook = &Response{}
	}
	return l, nil
}

// run connects every connection and turns the loop until the run ends.
func (l *eventLoop) run() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer l.finish()
	now := l.r.clock()
	l.nextScan = now + l.scanEvery
	for _, c := range l.th.conns {
		l.connect(c, now)
	}
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
			l.send(c)
		}
	}
	if now >= l.nextScan {
		l.scan(now)
	}
}

// waitTime is how long the poller may wait, in milliseconds, rounded up:
// until the next timer or scan, not at all when connections are ready.
func (l *eventLoop) waitTime() int {
	if len(l.ready) > 0 {
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
	case stateWriting:
		if ev.flags&(pollOut|pollErr) != 0 {
			l.write(c)
		}
	case stateReading:
		if c.readable {
			l.read(c)
		}
	}
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
			l.send(c)
		}
	}
}

// scan times out requests and connects pending for longer than the
// timeout, and hands samples waiting too long to the thread's statistics.
func (l *eventLoop) scan(now time.Duration) {
	timeout := l.r.cfg.Timeout
	for _, c := range l.th.conns {
		if now-c.start <= timeout {
			continue
		}
		switch c.state {
		case stateConnecting:
			l.disconnect(c)
			l.connectFailed(c, now, os.ErrDeadlineExceeded)
		case stateWriting, stateReading:
			l.socketError(c, &c.totals.Errors.Timeout, ClassTimeout, os.ErrDeadlineExceeded)
		}
	}
	if len(l.batch) > 0 && now-l.lastFlush > flushInterval {
		l.flush(now)
	}
	l.nextScan = now + l.scanEvery
}

func (l *eventLoop) fail(err error) {
	l.failed = true
	l.r.fail(err)
}

func (l *eventLoop) flush(now time.Duration) {
	if len(l.batch) > 0 {
		l.th.stats.add(l.batch)
		l.batch = l.batch[:0]
	}
	l.lastFlush = now
}

func (l *eventLoop) finish() {
	for _, c := range l.th.conns {
		l.disconnect(c)
		c.mergeTotals()
	}
	l.flush(0)
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
