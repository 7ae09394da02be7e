package generator

import (
	"errors"
	"os"
	"sync/atomic"
	"time"

	"github.com/gowrk/gowrk/generator/wire"
	"github.com/gowrk/gowrk/generator/wire/h1"
	"github.com/gowrk/gowrk/generator/wire/h2"
	"github.com/gowrk/gowrk/generator/wire/h3"
	"github.com/gowrk/gowrk/pace"
)

const (
	// Back-off between failed dials, so a vanished target costs no CPU.
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
	// lateSlack is the least delay that counts a request as late: Go's
	// timers wake an idle process with millisecond resolution.
	lateSlack = time.Millisecond
)

var (
	errEmptyRequest = errors.New("script returned an empty request")
	// errStreamReset names a stream the server reset.
	errStreamReset = errors.New("stream reset by the server")
)

// conn is one connection, whichever engine moves its bytes (goroutine.go,
// loop.go) and whichever protocol frames them (its codec). Its methods in
// this file are the request path's bookkeeping, the one copy every engine
// and protocol uses: when the next request may start (connection stages,
// the open-loop schedule, delay()), what each request in flight is, and how
// its responses and failures count.
type conn struct {
	th    *thread
	index int
	// place is the connection's rank in the round-robin over all the run's
	// connections: its open-loop phase. group is the connection to the
	// server it shares with others (HTTP/3's streams; otherwise its own
	// place), groupRank that connection's rank in the workload, which the
	// connection stages gate; primary says it counts for the group. place
	// is the workload's scaled to the shard (shard.go).
	place     float64
	group     int
	groupRank float64
	primary   bool
	// source indexes Transport.SourceAddrs (-1: none given).
	source int
	codec  wire.Codec
	rec    *recorder
	hook   *Response // set when the thread's script has a response() hook

	// flights are the requests in flight, by codec slot; open counts them.
	flights []flight
	open    int

	// The open-loop schedule: the connection sends the run's requests
	// number place, place+stride, place+2*stride... due is the next one's
	// send time on the run clock, seq how many it has taken. A slot taken
	// and not yet sent is due at slot, late past slack.
	paced   bool
	stride  float64
	seq     uint64
	due     time.Duration
	slot    time.Duration
	slack   time.Duration
	slotted bool
	// delayed says delay() ran for the next request, which waits until
	// delayEnd.
	delayed  bool
	delayEnd time.Duration
	// active is whether the connection stages let it send now.
	active  bool
	backoff time.Duration
	// limited says the run has a number of requests, of which quota are
	// the connection's; quotaMet once it sent them and they ended.
	limited  bool
	quotaMet bool
	quota    uint64
	// measuring is set once the connection began a request after the
	// warm-up; readBase is what it had read before.
	measuring bool
	readBase  uint64
	// answered is set once the current connection completes a response;
	// established once any connection of this one's was made.
	answered    bool
	established bool

	in        inbuf
	totals    ThreadTotals
	read      uint64 // bytes read from the server
	sent      uint64
	late      uint64
	maxBehind time.Duration
	// redirects followed, and redirect responses left unfollowed.
	redirects, unfollowed uint64

	// Published for the thread's monitor and the series: atomic stores by
	// the owner, loads by the readers.
	completed atomic.Uint64
	failed    atomic.Uint64 // socket errors plus statuses above 399
	socket    atomic.Uint64 // socket errors
	checks    atomic.Uint64 // failed checks
	// On the goroutine engine, the monitor times requests out: inflight is
	// the oldest flight's start (run clock in ns, +1; 0 when none), and
	// expired says the monitor interrupted the connection for it.
	inflight atomic.Int64
	expired  atomic.Bool

	goConn   // the goroutine engine's state
	loopConn // the event-loop engine's state
}

// flight is one request, or pipelined batch, in flight.
type flight struct {
	req Request
	// endpoint is the first request's endpoint: a script may reuse the
	// storage of req.Endpoints for the connection's next flight while this
	// one is out (HTTP/2 streams).
	endpoint  uint16
	start     time.Duration
	scheduled time.Duration // open loop: the slot's send time; -1 otherwise
	// readBefore is how much the connection had read at the start: a
	// flight that times out with nothing read since was on a dead
	// connection.
	readBefore uint64
	responses  int
	statuses   []uint16 // held until the last response of the batch
	open       bool
	// warm says the flight began during the warm-up: nothing of it counts.
	warm bool
	// With Config.Follow: sent is a copy of the request last sent, next
	// the redirect's request being built, hops how many were followed.
	sent, next []byte
	hops       int
}

// bodyFailed marks, in flight.statuses, a response whose body failed the
// check: status codes stay below 1000.
const bodyFailed = 1 << 15

func (f *flight) endpointOf(i int) uint16 {
	if i == 0 {
		return f.endpoint
	}
	return f.req.EndpointOf(i)
}

func newConn(th *thread, index int) *conn {
	p := th.phase(index)
	size := max(th.run.groupSize, 1)
	c := &conn{th: th, index: index, group: p / size, primary: p%size == 0}
	c.place, c.groupRank = th.run.layout.places(p, size)
	if n := th.run.cfg.Requests; n > 0 {
		c.limited, c.quota = true, th.run.layout.quota(p, size, n)
	}
	// The streams of a QUIC connection share its source address.
	c.source = sourceOf(th.run.cfg.Transport.SourceAddrs, c.group)
	c.fd, c.heapIndex = -1, -1
	return c
}

// setProtocol gives the connection its codec and flight slots.
func (c *conn) setProtocol() {
	r := c.th.run
	keep := c.th.keepsResponses()
	switch t := &r.cfg.Transport; {
	case t.HTTP2:
		c.codec = h2.NewCodec(t.Streams, r.cfg.URL.Scheme, r.cfg.URL.Host, keep, r.cfg.MaxBody)
		c.flights = make([]flight, t.Streams)
	case t.HTTP3:
		c.codec = h3.NewCodec(r.cfg.URL.Scheme, r.cfg.URL.Host, keep, r.cfg.MaxBody)
		c.flights = make([]flight, 1)
	default:
		c.codec = h1.NewCodec(keep, r.cfg.MaxBody)
		c.flights = make([]flight, 1)
	}
}

// pace puts the connection on the run's open-loop schedule, in steps of
// stride requests; slack is the engine's timer resolution, which is not
// lateness.
func (c *conn) pace(stride int, slack time.Duration) {
	c.paced, c.stride, c.slack = true, float64(stride), slack
	c.due = c.th.run.cfg.Pacer.Due(c.place)
}

func (c *conn) stopping() bool {
	return c.th.run.stopping.Load() || c.th.stopped.Load()
}

// gate reports whether the connection stages let the connection send at
// now, and if not, when to look again (pace.Never: not during this run).
func (c *conn) gate(now time.Duration) (bool, time.Duration) {
	stages := c.th.run.layout.connStages
	if len(stages) == 0 {
		return true, now
	}
	active, wake := pace.Gate(stages, c.groupRank, now)
	if active != c.active {
		c.active = active
		switch {
		case !c.primary:
		case active:
			c.th.active.Add(1)
		default:
			c.th.active.Add(-1)
		}
	}
	return active, wake
}

// startRequests starts requests while the codec has room, the stages let
// the connection send, and the schedule and delay() say it is time. It
// returns when to try again if no response comes first (pace.Never when
// only a response can make room) and whether the stages hold the
// connection back; err is a script failure, which ends the run.
func (c *conn) startRequests(now time.Duration) (wake time.Duration, gated bool, err error) {
	th := c.th
	for c.codec.Room() > 0 {
		if c.limited && c.sent >= c.quota {
			c.meetQuota()
			return pace.Never, false, nil
		}
		if active, at := c.gate(now); !active {
			return at, true, nil
		}
		at, err := c.nextStart(now)
		if err != nil || at > now {
			return at, false, err
		}
		req, err := c.nextRequest()
		if err != nil {
			return 0, false, err
		}
		if th.hasDelay || th.dynamic {
			now = th.run.clock() // the script's time is not the server's
		}
		i := c.begin(req, now)
		if err := c.codec.Send(i, req.Bytes, req.Count, req.Heads); err != nil {
			return 0, false, err
		}
	}
	return pace.Never, false, nil
}

// nextStart is when the next request may go: its open-loop slot, then the
// script's delay().
func (c *conn) nextStart(now time.Duration) (time.Duration, error) {
	if c.paced && !c.slotted {
		c.slot = c.due
		c.seq++
		c.due = c.th.run.cfg.Pacer.Due(float64(c.seq)*c.stride + c.place)
		c.slotted = true
	}
	if c.slotted && c.slot > now {
		return c.slot, nil
	}
	if c.th.hasDelay {
		if !c.delayed {
			d, err := c.th.script.Delay()
			if err != nil {
				return 0, err
			}
			c.delayed, c.delayEnd = true, now+min(max(d, 0), pace.Never-now)
		}
		if c.delayEnd > now {
			return c.delayEnd, nil
		}
	}
	return now, nil
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

// begin puts req in a free flight slot, started at now, and returns the
// slot.
func (c *conn) begin(req Request, now time.Duration) int {
	i := 0
	for c.flights[i].open {
		i++
	}
	f := &c.flights[i]
	f.req, f.endpoint, f.start, f.responses = req, req.EndpointOf(0), now, 0
	f.statuses, f.scheduled, f.open, f.readBefore = f.statuses[:0], -1, true, c.read
	f.warm = now < c.th.run.cfg.Warmup
	if !f.warm && !c.measuring && c.th.run.cfg.Warmup > 0 {
		c.measuring, c.readBase = true, c.read
	}
	if c.th.run.cfg.Follow > 0 {
		f.sent, f.hops = append(f.sent[:0], req.Bytes...), 0
	}
	if c.slotted {
		f.scheduled = c.slot
		behind := now - c.slot
		if !f.warm {
			if behind > max(c.due-c.slot, c.slack) {
				c.late += uint64(req.Count)
			}
			c.maxBehind = max(c.maxBehind, behind)
		}
		c.slotted = false
	}
	c.delayed = false
	c.open++
	if !f.warm {
		c.sent += uint64(req.Count)
	}
	c.markInflight()
	return i
}

// unsend takes back the flight's requests, which the server refused
// unprocessed.
func (c *conn) unsend(f *flight) {
	if !f.warm {
		c.sent -= uint64(f.req.Count)
	}
}

// meetQuota notes, once, that the connection sent its share of the run's
// requests and all of them ended.
func (c *conn) meetQuota() {
	if c.quotaMet || c.open > 0 {
		return
	}
	c.quotaMet = true
	c.th.run.quotaMet()
}

// end closes a flight.
func (c *conn) end(f *flight) {
	if f.open {
		f.open = false
		c.open--
		c.markInflight()
		if c.limited && c.sent >= c.quota {
			c.meetQuota()
		}
	}
}

// dropFlights forgets the flights of a connection that is gone; whatever
// counts for them was counted already.
func (c *conn) dropFlights() {
	for i := range c.flights {
		c.flights[i].open = false
	}
	c.open = 0
	c.markInflight()
}

// markInflight publishes the oldest flight's start for the goroutine
// engine's timeout monitor.
func (c *conn) markInflight() {
	if c.timer == nil {
		return // the event loop times out its own requests
	}
	oldest := int64(0)
	for i := range c.flights {
		if f := &c.flights[i]; f.open && (oldest == 0 || int64(f.start)+1 < oldest) {
			oldest = int64(f.start) + 1
		}
	}
	c.inflight.Store(oldest)
}

// handle takes one codec event, at end on the run clock. broken is a
// response the connection cannot go on after (the hook's view refused
// it); fatal a script failure, which ends the run.
func (c *conn) handle(ev wire.Event, end time.Duration) (broken, fatal error) {
	f := &c.flights[ev.Flight]
	switch ev.Kind {
	case wire.Response:
		status := uint16(ev.Status)
		if c.hook != nil {
			if err := c.hook.Set(c.codec.Hook()); err != nil {
				return err, nil
			}
			if c.th.hasResponse {
				if err := c.th.script.Response(c.hook); err != nil {
					return nil, err
				}
			}
			if followed, err := c.follow(f, ev); followed || err != nil {
				return nil, err
			}
			if b := c.th.run.cfg.Expect.Body; b != nil && !b.pass(c.hook.Body()) {
				status |= bodyFailed
			}
		}
		f.statuses = append(f.statuses, status)
		f.responses++
		if f.responses == f.req.Count {
			c.complete(f, end)
		}
	case wire.Reset:
		c.flightError(f, ClassReset, errStreamReset)
		c.end(f)
	case wire.Refused:
		// Never processed: neither sent nor an error.
		c.unsend(f)
		c.end(f)
	case wire.Failed:
		c.flightError(f, ClassRead, ev.Err)
		c.end(f)
	}
	return nil, nil
}

// complete ends a flight whose responses are all in: its latency goes on
// the last response, unless they came too late to count.
func (c *conn) complete(f *flight, end time.Duration) {
	r := c.th.run
	if end < f.start {
		end = r.clock()
	}
	latency := end - f.start
	if f.warm {
		c.answered, c.backoff = true, 0
		c.end(f)
		return
	}
	if latency > r.cfg.Timeout {
		// A late response is a timeout, never a latency sample.
		c.countError(&c.totals.Errors.Timeout, ClassTimeout, os.ErrDeadlineExceeded, f.endpoint)
		c.end(f)
		return
	}
	last := len(f.statuses) - 1
	e := &c.totals.Errors
	failures := e.Status + e.Check
	expect := &r.cfg.Expect
	for i, status := range f.statuses {
		code := status &^ bodyFailed
		s := sample{status: code, endpoint: f.endpointOf(i)}
		if i == last {
			s.latency = micros(latency)
			if f.scheduled >= 0 {
				s.corrected = micros(end - f.scheduled)
			}
		}
		switch {
		case !expect.statusFails(int(code)):
			if status&bodyFailed != 0 {
				e.Check++
				e.CheckBody++
				s.failed = true
			}
		case len(expect.Status) > 0:
			e.Check++
			s.failed = true
		default:
			e.Status++
			s.failed = true
		}
		c.rec.add(s)
	}
	c.totals.Requests += uint64(len(f.statuses))
	// Only what changed is published: each store is a full barrier.
	c.completed.Store(c.totals.Requests)
	if e.Status+e.Check != failures {
		c.failed.Store(e.Socket() + e.Status + e.Check)
		c.checks.Store(e.Check)
	}
	c.rec.due(end)
	c.answered, c.backoff = true, 0
	c.end(f)
}

// counter is the connection's error count of class.
func (c *conn) counter(class ErrorClass) *uint64 {
	e := &c.totals.Errors
	switch class {
	case ClassConnect:
		return &e.Connect
	case ClassWrite:
		return &e.Write
	case ClassTimeout:
		return &e.Timeout
	case ClassReset:
		return &e.Reset
	}
	return &e.Read
}

// countError counts one failure of class for err's reason and endpoint,
// unless the run is ending: an interrupted request is not an error.
func (c *conn) countError(counter *uint64, class ErrorClass, err error, endpoint uint16) {
	if c.stopping() || c.warming() {
		return
	}
	*counter++
	if errors.Is(err, h1.ErrBodyTooLarge) || errors.Is(err, h2.ErrBodyTooLarge) || errors.Is(err, h3.ErrBodyTooLarge) {
		c.totals.Errors.OverCap++
	}
	c.th.stats.countError(class, err, endpoint)
	c.publish()
}

// flightError counts a failure of class for the flight, unless it began
// in the warm-up.
func (c *conn) flightError(f *flight, class ErrorClass, err error) {
	if f.warm {
		return
	}
	c.countError(c.counter(class), class, err, f.endpointOf(f.responses))
}

// lose counts the failure of a connection that broke: an error of class
// for each flight on it, or one for the connection when none was out (as
// wrk counts a connection closed between requests). The engine then drops
// the connection.
func (c *conn) lose(class ErrorClass, err error) {
	if c.open == 0 {
		if class == ClassTimeout {
			return // the timeouts are counted
		}
		c.countError(c.counter(class), class, err, 0)
		return
	}
	for i := range c.flights {
		if f := &c.flights[i]; f.open {
			c.flightError(f, class, err)
			c.end(f)
		}
	}
}

// expire gives up the flights out for longer than the timeout at now, each
// a timeout, and reports whether the connection must close for it: to
// cancel an HTTP/1.1 request, or because nothing came on the connection
// since the flight started. A connection closed so loses its other flights
// too, as timeouts.
func (c *conn) expire(now time.Duration) (closeConn bool) {
	timeout := c.th.run.cfg.Timeout
	for i := range c.flights {
		f := &c.flights[i]
		if !f.open || now-f.start <= timeout {
			continue
		}
		c.flightError(f, ClassTimeout, os.ErrDeadlineExceeded)
		closeConn = closeConn || c.read == f.readBefore || !c.codec.Cancel(i)
		c.end(f)
	}
	if closeConn {
		c.lose(ClassTimeout, os.ErrDeadlineExceeded)
	}
	return closeConn
}

// connectFailed counts a failed connect and returns how long to wait
// before the next: a back-off that doubles with each failure in a row.
func (c *conn) connectFailed(err error) time.Duration {
	if c.stopping() {
		return 0
	}
	if errors.As(err, new(sharedDialError)) || c.warming() {
		// Counted by the connection that dialed; in the warm-up, not at all.
		return c.backOff()
	}
	c.totals.Errors.Connect++
	c.th.stats.countError(ClassConnect, err, 0)
	c.publish()
	return c.backOff()
}

// closedClean returns how long to wait before reconnecting after the
// connection ended without an error (the server closed it, or went away):
// at once when it answered, after a back-off otherwise, so that a server
// that refuses every request cleanly costs no CPU either.
func (c *conn) closedClean() time.Duration {
	if c.answered {
		return 0
	}
	return c.backOff()
}

func (c *conn) backOff() time.Duration {
	c.backoff = min(max(c.backoff*2, minBackoff), maxBackoff)
	return c.backoff
}

// publish makes the counters visible to the monitor and the series loop.
func (c *conn) publish() {
	c.completed.Store(c.totals.Requests)
	c.failed.Store(c.totals.Errors.Socket() + c.totals.Errors.Status + c.totals.Errors.Check)
	c.socket.Store(c.totals.Errors.Socket())
}

// warming reports whether the run is in its warm-up.
func (c *conn) warming() bool {
	w := c.th.run.cfg.Warmup
	return w > 0 && c.th.run.clock() < w
}
