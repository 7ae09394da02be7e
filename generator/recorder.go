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
}

// samplesPerFlush bounds how much a connection buffers before it takes its
// thread's lock: the lock is taken once per batch, never per request.
const samplesPerFlush = 64

// shardStats is a thread's recorded data. Connections add batches of samples
// under mu; the thread's monitor and the run's series loop read it under mu.
type shardStats struct {
	mu        sync.Mutex
	latency   *hdrhistogram.Histogram
	corrected *hdrhistogram.Histogram // open-loop mode only
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
}

func newShardStats(openLoop bool) *shardStats {
	s := &shardStats{latency: NewLatencyHistogram(), interval: NewLatencyHistogram()}
	if openLoop {
		s.corrected = NewLatencyHistogram()
		s.intervalRaw = NewLatencyHistogram()
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
