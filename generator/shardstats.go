package generator

import (
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram geometry shared by every latency histogram, so runs from
// different machines merge: 1 µs to 1 hour, 3 significant digits.
const (
	histLowest  = 1
	histHighest = 3_600_000_000
	histDigits  = 3
	maxStatus   = 1000
)

// NewLatencyHistogram returns an empty histogram with gowrk's geometry.
func NewLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, histDigits)
}

func recordClamped(h *hdrhistogram.Histogram, v int64) {
	if v > histHighest {
		v = histHighest
	}
	if v < 0 {
		v = 0
	}
	_ = h.RecordValue(v)
}

// sample is one completed response as a connection saw it. latency and
// corrected are µs+1 so that zero can mean "no latency sample": in a
// pipelined batch only the last response carries one.
type sample struct {
	latency   uint32
	corrected uint32
	status    uint16
	endpoint  uint16 // Request.EndpointOf, counted only with Config.ByEndpoint
	failed    bool   // an error status or a failed check
}

// micros is d as a sample's latency field: µs+1, saturated.
func micros(d time.Duration) uint32 {
	return uint32(min(max(d, 0)/time.Microsecond, histHighest)) + 1
}

const (
	// samplesPerFlush bounds how many samples wait before their thread's
	// lock is taken: the lock is taken once per batch, never per request.
	samplesPerFlush = 64
	// flushInterval bounds how long samples wait, for the per-second
	// series.
	flushInterval = 50 * time.Millisecond
)

// recorder batches samples on their way to a thread's statistics: one per
// event loop, or one per connection on the goroutine engine.
type recorder struct {
	stats     *shardStats
	batch     []sample
	lastFlush time.Duration
}

func newRecorder(stats *shardStats) *recorder {
	return &recorder{stats: stats, batch: make([]sample, 0, 2*samplesPerFlush)}
}

// add takes one sample.
func (r *recorder) add(s sample) { r.batch = append(r.batch, s) }

// due flushes the batch when it is full or has waited long enough.
func (r *recorder) due(now time.Duration) {
	if len(r.batch) >= samplesPerFlush || now-r.lastFlush > flushInterval {
		r.flush(now)
	}
}

// flush hands the batch to the thread's statistics.
func (r *recorder) flush(now time.Duration) {
	if len(r.batch) > 0 {
		r.stats.add(r.batch)
		r.batch = r.batch[:0]
	}
	r.lastFlush = now
}

// shardStats is a thread's recorded data. Recorders add batches of samples
// under mu; the thread's monitor and the run's series loop read it under mu.
type shardStats struct {
	mu        sync.Mutex
	latency   *hdrhistogram.Histogram
	corrected *hdrhistogram.Histogram // open-loop mode only
	// failed and failedCorrected are the failed responses' share of them.
	failed, failedCorrected *hdrhistogram.Histogram
	// Since the last series tick: interval holds the corrected latency in
	// open-loop mode and the measured one otherwise; intervalRaw holds the
	// measured latency in open-loop mode only.
	interval    *hdrhistogram.Histogram
	intervalRaw *hdrhistogram.Histogram
	status      [maxStatus]uint64
	totals      ThreadTotals
	sent        uint64
	late        uint64
	maxBehind   time.Duration
	endpoints   *endpointStats // with Config.ByEndpoint only
	reasons     reasonCounts
	// connRequests are the responses of each connection, established how
	// many of them connected, filled as they finish.
	connRequests []uint64
	established  int
	redirects    uint64
	unfollowed   uint64
}

func newShardStats(openLoop bool) *shardStats {
	s := &shardStats{latency: NewLatencyHistogram(), interval: NewLatencyHistogram(), failed: NewLatencyHistogram()}
	if openLoop {
		s.corrected = NewLatencyHistogram()
		s.intervalRaw = NewLatencyHistogram()
		s.failedCorrected = NewLatencyHistogram()
	}
	return s
}

func (s *shardStats) add(batch []sample) {
	s.mu.Lock()
	for _, b := range batch {
		s.status[b.status]++
		if s.endpoints != nil {
			s.endpoints.add(b)
		}
		if b.latency == 0 {
			continue
		}
		lat := int64(b.latency) - 1
		recordClamped(s.latency, lat)
		if b.failed {
			recordClamped(s.failed, lat)
			if s.corrected != nil && b.corrected != 0 {
				recordClamped(s.failedCorrected, int64(b.corrected)-1)
			}
		}
		if s.corrected != nil && b.corrected != 0 {
			recordClamped(s.corrected, int64(b.corrected)-1)
			recordClamped(s.interval, int64(b.corrected)-1)
			recordClamped(s.intervalRaw, lat)
		} else {
			recordClamped(s.interval, lat)
		}
	}
	s.mu.Unlock()
}

// countError counts a socket error by reason, and for the endpoint of the
// request it hit; safe for the thread's connections to call concurrently.
func (s *shardStats) countError(class ErrorClass, err error, endpoint uint16) {
	s.reasons.count(class, classify(err))
	if s.endpoints != nil && class != ClassConnect {
		s.endpoints.errors[min(endpoint, OtherEndpoint)].Add(1)
	}
}

// merge adds a connection's counters to the thread's, after the run.
func (s *shardStats) merge(c *conn) {
	s.mu.Lock()
	s.totals.Requests += c.totals.Requests
	if c.th.run.cfg.Warmup == 0 || c.measuring {
		s.totals.Bytes += c.read - c.readBase
	}
	s.redirects += c.redirects
	s.unfollowed += c.unfollowed
	s.totals.Errors.Add(c.totals.Errors)
	s.sent += c.sent
	s.late += c.late
	s.maxBehind = max(s.maxBehind, c.maxBehind)
	s.connRequests = append(s.connRequests, c.totals.Requests)
	if c.established && c.primary {
		s.established++
	}
	s.mu.Unlock()
}
