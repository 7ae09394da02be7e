package generator

import (
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// ConnectTiming holds, in µs, how long each phase of making a connection
// took. DNS has one sample per lookup (gowrk resolves the target once per
// run, as wrk does); TCP and TLS one per connection made, reconnects
// included. TLS is nil for plain-text targets.
type ConnectTiming struct {
	DNS, TCP, TLS *hdrhistogram.Histogram
}

// connectStats is one thread's connection timing; the lock is taken once
// per connection made, never per request.
type connectStats struct {
	mu       sync.Mutex
	tcp, tls *hdrhistogram.Histogram
}

func newConnectStats() *connectStats {
	return &connectStats{tcp: NewLatencyHistogram(), tls: NewLatencyHistogram()}
}

func (s *connectStats) record(tcp, handshake time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	recordClamped(s.tcp, int64(tcp/time.Microsecond))
	if handshake > 0 {
		recordClamped(s.tls, int64(handshake/time.Microsecond))
	}
	s.mu.Unlock()
}

// connectTiming merges the threads' connection timing.
func (r *run) connectTiming(dns *hdrhistogram.Histogram) ConnectTiming {
	ct := ConnectTiming{DNS: dns, TCP: NewLatencyHistogram()}
	if r.dialer.tls != nil {
		ct.TLS = NewLatencyHistogram()
	}
	for _, s := range r.connect {
		s.mu.Lock()
		ct.TCP.Merge(s.tcp)
		if ct.TLS != nil {
			ct.TLS.Merge(s.tls)
		}
		s.mu.Unlock()
	}
	return ct
}
