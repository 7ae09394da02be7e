package generator

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// thread is a shard of the run: a group of connections with its own
// statistics and a monitor goroutine that samples Req/Sec and enforces the
// timeout on pending requests.
type thread struct {
	run   *run
	index int
	addr  net.Addr

	static      Request
	script      ThreadScript
	dynamic     bool
	hasDelay    bool
	hasResponse bool

	conns   []*conn
	loop    *eventLoop // nil when the connections run on goroutines
	wg      sync.WaitGroup
	stats   *shardStats
	rate    *hdrhistogram.Histogram // Req/Sec samples, owned by the monitor
	stopped atomic.Bool
	active  atomic.Int64 // connections the connection stages let send
}

func newThread(r *run, index, conns int, addr net.Addr) *thread {
	th := &thread{
		run:   r,
		index: index,
		addr:  addr,
		stats: newShardStats(r.cfg.Pacer.Enabled()),
		rate:  newRateHistogram(),
	}
	if r.cfg.ByEndpoint {
		th.stats.endpoints = &endpointStats{}
	}
	th.conns = make([]*conn, conns)
	for i := range th.conns {
		th.conns[i] = newConn(th, i)
	}
	return th
}

func newRateHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, 1_000_000_000, histDigits)
}

// Stop ends this thread's connections after their pending requests; it is
// the ThreadControl handed to scripts.
func (th *thread) Stop() {
	if th.stopped.CompareAndSwap(false, true) {
		th.run.threadStopped()
	}
}

// Done is closed when the run ends; part of ThreadControl.
func (th *thread) Done() <-chan struct{} { return th.run.done }

// keepsResponses reports whether the connections look into each response:
// for the script's response(), a body check or redirects.
func (th *thread) keepsResponses() bool {
	cfg := &th.run.cfg
	return th.hasResponse || cfg.Expect.Body != nil || cfg.Follow > 0
}

func (th *thread) useScript(ts ThreadScript) {
	th.script = ts
	th.addr = ts.Addr()
	if req, ok := ts.Static(); ok {
		th.static = req
	} else {
		th.dynamic = true
	}
	th.hasDelay = ts.HasDelay()
	th.hasResponse = ts.HasResponse()
}

// start launches the connections, on the thread's event loop or each on
// its goroutine. In open-loop mode the run's requests are dealt
// round-robin over all connections of all threads, so each connection
// sends every Connections-th request and they do not fire in bursts.
func (th *thread) start() {
	cfg := &th.run.cfg
	for _, c := range th.conns {
		c.setProtocol()
	}
	if th.run.useLoop && th.startLoop() {
		return
	}
	th.wg.Add(len(th.conns))
	for _, c := range th.conns {
		c.prepareGoroutine()
		if cfg.Pacer.Enabled() {
			c.pace(th.run.units, lateSlack)
		}
		go c.runGoroutine()
	}
}

// startLoop runs the thread on an event loop, and reports whether it
// could: a script may point it at an address the loop cannot dial.
func (th *thread) startLoop() bool {
	ep, ok := toEndpoint(th.addr)
	if !ok {
		return false
	}
	l, err := newEventLoop(th, ep)
	if err != nil {
		return false
	}
	cfg := &th.run.cfg
	if cfg.Pacer.Enabled() {
		for _, c := range th.conns {
			// The tick and the poller's resolution are not lateness.
			c.pace(th.run.units, lateSlack+paceTick)
		}
	}
	th.loop = l
	th.wg.Add(1)
	go l.run()
	return true
}

// monitor samples Req/Sec every SampleInterval and times out pending
// requests, until done is closed.
func (th *thread) monitor(done <-chan struct{}) {
	r := th.run
	tick := min(r.cfg.SampleInterval, max(r.cfg.Timeout/4, time.Millisecond))
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	lastSample := max(r.clock(), r.cfg.Warmup)
	var lastCount uint64
	for {
		select {
		case <-done:
			return
		case <-ticker.C:
		}
		now := r.clock()
		if th.loop == nil {
			th.expire(now) // an event loop times out its own requests
		}
		// Half a tick of slack: ticks are not exactly SampleInterval apart.
		if now-lastSample < r.cfg.SampleInterval-tick/2 {
			continue
		}
		var count uint64
		for _, c := range th.conns {
			count += c.completed.Load()
		}
		// Like wrk, an interval without responses is folded into the next.
		if count > lastCount {
			ms := uint64((now - lastSample) / time.Millisecond)
			if ms > 0 {
				_ = th.rate.RecordValue(int64(float64(count-lastCount) / float64(ms) * 1000))
			}
			lastCount, lastSample = count, now
		}
	}
}

// expire interrupts requests pending for longer than the timeout; the
// connection then counts a timeout and reconnects.
func (th *thread) expire(now time.Duration) {
	timeout := int64(th.run.cfg.Timeout)
	for _, c := range th.conns {
		if since := c.inflight.Load(); since != 0 && int64(now)-since > timeout {
			c.expired.Store(true)
			c.interrupt()
		}
	}
}

// phase is connection i's place in the round-robin over all connections:
// connection i of every thread, then connection i+1 of every thread.
func (th *thread) phase(i int) int { return i*th.run.cfg.Threads + th.index }

func (th *thread) interruptAll() {
	if th.loop != nil {
		th.loop.p.wake()
		return
	}
	for _, c := range th.conns {
		c.interrupt()
	}
}
