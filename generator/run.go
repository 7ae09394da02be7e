// Package generator is gowrk's engine: a closed- or open-loop HTTP load
// generator sharded into threads whose statistics are merged after the run.
// It prints nothing.
//
// A run (run.go) is threads (thread.go), each a shard of connections with
// its own statistics (shardstats.go), merged after the run (result.go) and
// cut into a time series while it runs (series.go, window.go). A
// connection's bookkeeping is written once (conn.go): when a request may
// start (package pace), what is in flight, how responses and failures
// count (reasons.go, endpoint.go). Protocols are codecs behind the
// contract in package wire (HTTP/1.1 in wire/h1, HTTP/2 in wire/h2).
// Engines move the bytes: one event loop per thread on Linux (loop.go,
// loopconn.go, over poller.go's contract), or a goroutine per connection
// anywhere, for TLS and proxy tunnels too (goroutine.go, dial.go,
// transport.go).
package generator

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// run is the state shared by the threads of one Run call.
type run struct {
	cfg    Config
	dialer *dialer
	// useLoop runs threads on event loops rather than a goroutine per
	// connection.
	useLoop bool
	engine  Engine
	// units are the engine connections, groupSize how many of them share
	// one connection to the server (HTTP/3's streams), quic the HTTP/3
	// connections.
	units, groupSize int
	// layout places the run's connections in the workload of its shard.
	layout layout
	quic   *quicPool
	epoch  time.Time
	// ctx ends with the run; dials and TLS handshakes in progress then stop.
	ctx    context.Context
	cancel context.CancelFunc

	stopping   atomic.Bool
	done       chan struct{} // closed when the run must end
	doneOnce   sync.Once
	fatalOnce  sync.Once
	fatal      error
	liveShards atomic.Int64
	// quotaLeft counts, with Config.Requests, the connections still sending
	// their share; completed says they all did.
	quotaLeft atomic.Int64
	completed atomic.Bool
	// connect is each thread's connection timing, by thread index.
	connect []*connectStats
}

// clock is the time since the run started.
func (r *run) clock() time.Duration { return time.Since(r.epoch) }

func (r *run) end() {
	r.doneOnce.Do(func() {
		// What the end interrupts (dials, requests) is no error.
		r.stopping.Store(true)
		close(r.done)
		r.cancel()
	})
}

func newRun(cfg Config) *run {
	r := &run{cfg: cfg, dialer: wrkDialer(&cfg), done: make(chan struct{}), units: cfg.Connections, groupSize: 1, layout: wholeLayout(&cfg)}
	r.connect = make([]*connectStats, cfg.Threads)
	for i := range r.connect {
		r.connect[i] = newConnectStats()
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

// fail ends the run with err, the first fatal error winning.
func (r *run) fail(err error) {
	r.fatalOnce.Do(func() { r.fatal = err })
	r.end()
}

// quotaMet is a connection's word that its share of Config.Requests is done.
func (r *run) quotaMet() {
	if r.quotaLeft.Add(-1) == 0 {
		r.completed.Store(true)
		r.end()
	}
}

func (r *run) threadStopped() {
	if r.liveShards.Add(-1) == 0 {
		r.end()
	}
}

// Run performs one load test and returns what it measured. It returns an
// error, and no result, when the run cannot start (bad configuration,
// unresolvable or unreachable target, too few file descriptors, a script
// that fails in setup) or when a script fails during the run. Cancelling ctx
// ends the run early with a full result marked Interrupted.
func Run(ctx context.Context, c Config) (*Result, error) {
	cfg, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	place, err := cfg.applyShard()
	if err != nil {
		return nil, err
	}
	if err := ensureFileLimit(cfg.Connections); err != nil {
		return nil, err
	}
	if err := validateTransport(&cfg); err != nil {
		return nil, err
	}
	d, err := newDialer(&cfg)
	if err != nil {
		return nil, err
	}
	// Refused before anything is dialled.
	engine, err := chooseEngine(&cfg, d)
	if err != nil {
		return nil, err
	}
	dns := NewLatencyHistogram()
	addrs, err := targetAddrs(ctx, &cfg, dns)
	if err != nil {
		return nil, err
	}
	if addrs, err = reachableFrom(cfg.Transport.SourceAddrs, addrs); err != nil {
		return nil, err
	}
	tcpConns := cfg.Connections
	if cfg.Transport.HTTP3 {
		tcpConns = 0
	}
	if err := checkSources(cfg.Transport.SourceAddrs, addrs[0], tcpConns); err != nil {
		return nil, err
	}
	// groupSize engine connections share a connection: the streams of an
	// HTTP/3 connection, each an engine connection.
	units, groupSize := cfg.Connections, 1
	var pool *quicPool
	var addr net.Addr
	if cfg.Transport.HTTP3 {
		units, groupSize, addr = cfg.Connections*cfg.Transport.Streams, cfg.Transport.Streams, addrs[0]
		if pool, err = newQUICPool(&cfg, d, addr, cfg.Connections); err != nil {
			return nil, err
		}
		if err := preflightQUIC(ctx, pool); err != nil {
			return nil, err
		}
	} else {
		// A target that takes longer than the whole run to accept a
		// connection counts as unreachable: the run must end on time.
		if addr, err = firstReachable(ctx, cfg.URL, addrs, d.first(), min(cfg.Timeout, cfg.Duration)); err != nil {
			return nil, err
		}
		if err := preflight(ctx, &cfg, d, addr); err != nil {
			return nil, err
		}
	}
	static, err := StaticRequest(&cfg)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	if d.proxy != nil && !d.tunnels() {
		static = proxyRequest(static, cfg.URL, d.proxyAuth)
	}

	r := newRun(cfg)
	r.layout = place
	r.dialer = d
	r.engine, r.useLoop = engine, engine == EngineLoop
	r.units, r.groupSize, r.quic = units, groupSize, pool
	if pool != nil {
		defer pool.close()
	}
	if r.useLoop {
		defer reserveProcs(cfg.Threads)()
	}
	threads := make([]*thread, cfg.Threads)
	// Counted before setup, so a script that stops threads there ends the run.
	r.liveShards.Store(int64(len(threads)))
	if cfg.Requests > 0 {
		r.quotaLeft.Store(int64(units))
	}
	for i := range threads {
		n := units / cfg.Threads
		if i < units%cfg.Threads {
			n++
		}
		th := newThread(r, i, n, addr)
		th.static = static
		if cfg.Script != nil {
			// Numbered across the shards, so scripts tell all threads apart.
			ts, err := cfg.Script.NewThread(cfg.Shard.Index*cfg.Threads+i, addr, th)
			if err != nil {
				return nil, err
			}
			th.useScript(ts)
			// delay() paces a connection; the streams of an HTTP/3
			// connection are engine connections each, so each would wait
			// on its own and the rate would grow with --streams.
			if groupSize > 1 && th.hasDelay {
				return nil, fmt.Errorf("a script's delay() cannot pace --http3 with --streams %d: use --streams 1", groupSize)
			}
		}
		threads[i] = th
	}

	if err := waitUntil(ctx, cfg.StartAt); err != nil {
		return nil, err
	}
	if cfg.Started != nil {
		cfg.Started()
	}
	r.epoch = time.Now()
	if cfg.Warmup > 0 {
		for _, cs := range r.connect {
			cs.from = r.epoch.Add(cfg.Warmup)
		}
	}
	var monitors sync.WaitGroup
	for _, th := range threads {
		th.start()
		monitors.Add(1)
		go func() { defer monitors.Done(); th.monitor(r.done) }()
	}
	series := newSeriesRecorder(r, threads)
	monitors.Add(1)
	go func() { defer monitors.Done(); series.loop(r.done) }()

	timer := time.NewTimer(cfg.Warmup + cfg.Duration)
	interrupted := false
	select {
	case <-timer.C:
	case <-ctx.Done():
		interrupted = true
	case <-r.done:
	}
	timer.Stop()
	runtime := series.stop()
	r.end()
	for _, th := range threads {
		th.interruptAll()
	}
	for _, th := range threads {
		th.wg.Wait()
	}
	monitors.Wait()
	if r.fatal != nil {
		return nil, r.fatal
	}
	series.flush(runtime)
	res := collect(cfg, threads, max(runtime-cfg.Warmup, 0))
	res.Connect = r.connectTiming(dns)
	res.Start = r.epoch.Add(cfg.Warmup)
	res.Completed = r.completed.Load()
	if !cfg.StartAt.IsZero() {
		res.StartOffset = r.epoch.Sub(cfg.StartAt)
	}
	res.Series = series.intervals
	res.Interrupted = interrupted
	res.Engine = r.engine
	if series.window != nil {
		res.Breakpoint = series.window.breakpoint(runtime - cfg.Warmup)
	}
	return res, nil
}

func collect(cfg Config, threads []*thread, runtime time.Duration) *Result {
	cfg.Script = nil
	res := &Result{
		Config:        cfg,
		Runtime:       runtime,
		StatusCodes:   map[int]uint64{},
		Latency:       NewLatencyHistogram(),
		FailedLatency: NewLatencyHistogram(),
		RequestRate:   newRateHistogram(),
		Threads:       make([]ThreadTotals, len(threads)),
	}
	if cfg.Pacer.Enabled() {
		res.Corrected = NewLatencyHistogram()
		res.FailedCorrected = NewLatencyHistogram()
		res.Due = uint64(cfg.Pacer.Count(cfg.Warmup+runtime) - cfg.Pacer.Count(cfg.Warmup))
		if cfg.Requests > 0 {
			res.Due = min(res.Due, cfg.Requests)
		}
	}
	for i, th := range threads {
		s := th.stats
		res.Threads[i] = s.totals
		res.Requests += s.totals.Requests
		res.Bytes += s.totals.Bytes
		res.Errors.Add(s.totals.Errors)
		res.Sent += s.sent
		res.Late += s.late
		res.MaxBehind = max(res.MaxBehind, s.maxBehind)
		res.Latency.Merge(s.latency)
		res.FailedLatency.Merge(s.failed)
		if res.Corrected != nil {
			res.Corrected.Merge(s.corrected)
			res.FailedCorrected.Merge(s.failedCorrected)
		}
		res.Redirects += s.redirects
		res.Unfollowed += s.unfollowed
		res.RequestRate.Merge(th.rate)
		res.Established += s.established
		res.ConnRequests = append(res.ConnRequests, s.connRequests...)
		for code, n := range s.status {
			if n > 0 {
				res.StatusCodes[code] += n
			}
		}
	}
	res.ErrorReasons = collectReasons(threads, res.StatusCodes, &cfg.Expect, res.Errors)
	if cfg.ByEndpoint {
		res.Endpoints = collectEndpoints(&cfg, threads)
	}
	return res
}
