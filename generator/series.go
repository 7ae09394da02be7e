package generator

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// seriesRecorder cuts the run into Config.SeriesInterval buckets from a
// single goroutine, and feeds the progress callback.
type seriesRecorder struct {
	run       *run
	threads   []*thread
	merged    *hdrhistogram.Histogram
	intervals []Interval
	lastTick  time.Duration
	lastReqs  uint64
	lastErrs  uint64
}

func newSeriesRecorder(r *run, threads []*thread) *seriesRecorder {
	return &seriesRecorder{run: r, threads: threads, merged: NewLatencyHistogram()}
}

func (s *seriesRecorder) loop(done <-chan struct{}) {
	ticker := time.NewTicker(s.run.cfg.SeriesInterval)
	defer ticker.Stop()
	for {
		select {
		case <-done:
			return
		case <-ticker.C:
			s.flush(s.run.clock())
		}
	}
}

// flush closes the bucket that ends at now. Requests and errors come from
// the connections' published counters; latency from the threads' interval
// histograms, which connections fill in batches.
func (s *seriesRecorder) flush(now time.Duration) {
	var reqs, errs uint64
	s.merged.Reset()
	for _, th := range s.threads {
		for _, c := range th.conns {
			reqs += c.completed.Load()
			errs += c.failed.Load()
		}
		th.stats.mu.Lock()
		s.merged.Merge(th.stats.interval)
		th.stats.interval.Reset()
		th.stats.mu.Unlock()
	}
	if now <= s.lastTick {
		return
	}
	iv := Interval{
		Start:    s.lastTick,
		Requests: reqs - s.lastReqs,
		Errors:   errs - s.lastErrs,
	}
	if s.merged.TotalCount() > 0 {
		iv.P50 = s.merged.ValueAtQuantile(50)
		iv.P90 = s.merged.ValueAtQuantile(90)
		iv.P99 = s.merged.ValueAtQuantile(99)
		iv.Max = s.merged.Max()
	}
	s.intervals = append(s.intervals, iv)
	s.lastTick, s.lastReqs, s.lastErrs = now, reqs, errs
	if p := s.run.cfg.Progress; p != nil {
		p(Snapshot{Elapsed: now, Requests: reqs, Errors: errs})
	}
}
