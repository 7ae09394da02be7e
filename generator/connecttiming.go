package generator

import (
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// ConnectTiming holds, in µs, how long each phase of making a connection
// took. DNS has one sample per lookup (gowrk resolves the target once per
// run, as wrk does); TCP and TLS one per connection made, reconnects
// included; QUIC one per HTTP/3 connection's handshake, instead of TCP and
// TLS. TLS is nil for plain-text targets, TCP and TLS for HTTP/3, QUIC for
// everything else.
type ConnectTiming struct {
	DNS, TCP, TLS, QUIC *hdrhistogram.Histogram
	// ZeroRTT counts the QUIC connections that sent their first requests
	// as 0-RTT early data, before the handshake completed.
	ZeroRTT uint64
}

// connectStats is one thread's connection timing; the lock is taken once
// per connection made, never per request.
type connectStats struct {
	// from, when set, is the end of the warm-up: connections made before
	// it are not timed.
	from           time.Time
	mu             sync.Mutex
	tcp, tls, quic *hdrhistogram.Histogram
	zeroRTT        uint64
}

func newConnectStats() *connectStats {
	return &connectStats{tcp: NewLatencyHistogram(), tls: NewLatencyHistogram(), quic: NewLatencyHistogram()}
}

// recordQUIC takes a QUIC handshake's time, and whether the connection
// used 0-RTT.
func (s *connectStats) recordQUIC(handshake time.Duration, zeroRTT bool) {
	if s == nil || s.warming() {
		return
	}
	s.mu.Lock()
	recordClamped(s.quic, int64(handshake/time.Microsecond))
	if zeroRTT {
		s.zeroRTT++
	}
	s.mu.Unlock()
}

func (s *connectStats) record(tcp, handshake time.Duration) {
	if s == nil || s.warming() {
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
	ct := ConnectTiming{DNS: dns}
	switch {
	case r.quic != nil:
		ct.QUIC = NewLatencyHistogram()
	case r.dialer.tls != nil:
		ct.TCP, ct.TLS = NewLatencyHistogram(), NewLatencyHistogram()
	default:
		ct.TCP = NewLatencyHistogram()
	}
	for _, s := range r.connect {
		s.mu.Lock()
		for _, m := range [...]struct{ to, from *hdrhistogram.Histogram }{{ct.TCP, s.tcp}, {ct.TLS, s.tls}, {ct.QUIC, s.quic}} {
			if m.to != nil {
				m.to.Merge(m.from)
			}
		}
		ct.ZeroRTT += s.zeroRTT
		s.mu.Unlock()
	}
	return ct
}

func (s *connectStats) warming() bool { return !s.from.IsZero() && time.Now().Before(s.from) }
