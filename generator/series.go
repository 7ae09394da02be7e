package generator

import (
	"github.com/gowrk/gowrk/pace"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// seriesRecorder cuts the run into Config.SeriesInterval buckets from a
// single goroutine: it builds Result.Series, hands each bucket to
// Config.OnInterval and Config.Progress, and checks the stop conditions.
type seriesRecorder struct {
	// mu orders the ticks with the end of the run, so that no tick falls
	// after the run's end and the last bucket gets every sample.
	mu        sync.Mutex
	stopped   bool
	run       *run
	threads   []*thread
	merged    *hdrhistogram.Histogram // the bucket's latency
	mergedRaw *hdrhistogram.Histogram // open loop: the bucket's measured latency
	intervals []Interval
	lastTick  time.Duration
	last      counters
	window    *stopWindow // nil without stop conditions
}

// counters are the connections' published totals.
type counters struct {
	requests, errors, socket uint64
}

func (c counters) minus(o counters) counters {
	return counters{c.requests - o.requests, c.errors - o.errors, c.socket - o.socket}
}

func newSeriesRecorder(r *run, threads []*thread) *seriesRecorder {
	// The series starts after the warm-up.
	s := &seriesRecorder{run: r, threads: threads, merged: NewLatencyHistogram(), lastTick: r.cfg.Warmup}
	if r.cfg.Pacer.Enabled() {
		s.mergedRaw = NewLatencyHistogram()
	}
	if len(r.cfg.Stop) > 0 {
		s.window = newStopWindow(r.cfg)
	}
	return s
}

func (s *seriesRecorder) loop(done <-chan struct{}) {
	ticker := time.NewTicker(s.run.cfg.SeriesInterval)
	defer ticker.Stop()
	for {
		select {
		case <-done:
			return
		case <-ticker.C:
			if s.tick() {
				s.run.end()
				return
			}
		}
	}
}

// tick closes a bucket and reports whether a stop condition holds.
func (s *seriesRecorder) tick() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return false
	}
	now := s.run.clock()
	if cfg := &s.run.cfg; now < cfg.Warmup {
		if cfg.Progress != nil {
			cfg.Progress(Snapshot{Elapsed: now, Duration: cfg.Warmup, WarmingUp: true})
		}
		return false
	}
	return s.flush(now) && s.window != nil && s.window.check(now)
}

// stop ends the ticks and returns the end of the run on the run clock,
// which no tick comes after.
func (s *seriesRecorder) stop() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return s.run.clock()
}

// flush closes the bucket that ends at now and reports whether there was
// one. Requests and errors come from the connections' published counters;
// latency from the threads' interval histograms, which connections fill in
// batches.
func (s *seriesRecorder) flush(now time.Duration) bool {
	if now <= s.lastTick {
		return false
	}
	var total counters
	var codes map[int]uint64 // the status codes so far, for OnInterval only
	var byClass [ClassStatus]uint64
	var checks uint64
	if s.run.cfg.OnInterval != nil {
		codes = map[int]uint64{}
	}
	s.merged.Reset()
	if s.mergedRaw != nil {
		s.mergedRaw.Reset()
	}
	for _, th := range s.threads {
		for _, c := range th.conns {
			total.requests += c.completed.Load()
			total.errors += c.failed.Load()
			total.socket += c.socket.Load()
			checks += c.checks.Load()
		}
		st := th.stats
		st.mu.Lock()
		s.merged.Merge(st.interval)
		st.interval.Reset()
		if s.mergedRaw != nil {
			s.mergedRaw.Merge(st.intervalRaw)
			st.intervalRaw.Reset()
		}
		if codes != nil {
			for code, n := range &st.status {
				if n > 0 {
					codes[code] += n
				}
			}
		}
		st.mu.Unlock()
		if codes != nil {
			// The connections count reasons atomically, without the lock.
			for class := range byClass {
				for why := range st.reasons[class] {
					byClass[class] += st.reasons[class][why].Load()
				}
			}
		}
	}
	cfg := &s.run.cfg
	delta := total.minus(s.last)
	warmup := cfg.Warmup
	iv := Interval{
		Start:        s.lastTick - warmup,
		Length:       now - s.lastTick,
		Requests:     delta.requests,
		Errors:       delta.errors,
		SocketErrors: delta.socket,
	}
	if s.merged.TotalCount() > 0 {
		iv.P50 = s.merged.ValueAtQuantile(50)
		iv.P90 = s.merged.ValueAtQuantile(90)
		iv.P99 = s.merged.ValueAtQuantile(99)
		iv.Max = s.merged.Max()
	}
	if cfg.Pacer.Enabled() {
		iv.Target = (cfg.Pacer.Count(now) - cfg.Pacer.Count(s.lastTick)) / iv.Length.Seconds()
	}
	if len(cfg.ConnStages) > 0 {
		iv.TargetConns = pace.StageValue(cfg.ConnStages, now)
		for _, th := range s.threads {
			iv.Conns += int(th.active.Load())
		}
	}
	s.intervals = append(s.intervals, iv)
	if s.window != nil {
		s.window.push(iv, s.merged)
	}
	s.lastTick, s.last = now, total
	if f := cfg.OnInterval; f != nil {
		f(IntervalData{Interval: iv, Config: cfg, RunStart: s.run.epoch.Add(warmup), Latency: s.merged, Uncorrected: s.mergedRaw, StatusCodes: codes, ErrorsByClass: byClass, Checks: checks})
	}
	if p := cfg.Progress; p != nil {
		snap := Snapshot{Elapsed: now - warmup, Duration: cfg.Duration, Requests: total.requests, Errors: total.errors, SocketErrors: total.socket, Rate: iv.Rate(), Of: cfg.Requests}
		if cfg.Pacer.Enabled() {
			snap.Target = cfg.Pacer.RateAt(now)
		}
		p(snap)
	}
	return true
}
