package generator

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/threshold"
)

// stopWindow keeps the last StopWindow of series buckets and checks the
// stop conditions over them. Its memory is fixed: one reused histogram per
// bucket of the window.
type stopWindow struct {
	cfg      *Config
	slots    []windowSlot
	next     int // the slot the next bucket goes into
	filled   int
	sum      *hdrhistogram.Histogram
	lastGood Breakpoint // the last check in which no condition held
	result   Breakpoint // set when a condition held
}

type windowSlot struct {
	latency                   *hdrhistogram.Histogram
	responses, errors, socket uint64
	length                    time.Duration
	due                       float64 // requests scheduled in the bucket
	conns                     float64 // connections the connection stages called for
}

func newStopWindow(cfg Config) *stopWindow {
	n := int((cfg.StopWindow + cfg.SeriesInterval - 1) / cfg.SeriesInterval)
	w := &stopWindow{cfg: &cfg, slots: make([]windowSlot, n), sum: NewLatencyHistogram()}
	for i := range w.slots {
		w.slots[i].latency = NewLatencyHistogram()
	}
	return w
}

// push adds a closed bucket, replacing the oldest. latency is copied: the
// series recorder reuses it for the next bucket.
func (w *stopWindow) push(iv Interval, latency *hdrhistogram.Histogram) {
	sl := &w.slots[w.next]
	sl.latency.Reset()
	sl.latency.Merge(latency)
	sl.responses, sl.errors, sl.socket, sl.length = iv.Requests, iv.Errors, iv.SocketErrors, iv.Length
	sl.due = iv.Target * iv.Length.Seconds()
	sl.conns = iv.TargetConns
	w.next = (w.next + 1) % len(w.slots)
	w.filled = min(w.filled+1, len(w.slots))
}

// check reports whether a stop condition holds over the window ending at
// now, and keeps what the breakpoint is.
func (w *stopWindow) check(now time.Duration) bool {
	w.sum.Reset()
	o := threshold.Observation{Latency: w.sum}
	due := 0.0
	for i := range w.filled {
		sl := &w.slots[i]
		w.sum.Merge(sl.latency)
		o.Responses += sl.responses
		o.Errors += sl.errors
		o.SocketErrors += sl.socket
		o.Elapsed += sl.length
		due += sl.due
	}
	// A whole window without a response while requests were due is broken,
	// even though there is no latency to compare.
	noDataHolds := w.filled == len(w.slots) && due >= 1
	breaches := threshold.Check(w.cfg.Stop, o, noDataHolds)
	if len(breaches) == 0 {
		if o.Attempts() == 0 {
			// Nothing answered yet: not broken, but not known good either.
			return false
		}
		// The newest bucket is known good when the server also kept up with
		// it: a saturated server passes a latency window for a while after
		// it stopped keeping up, and that rate was not sustained.
		if newest := &w.slots[(w.next+len(w.slots)-1)%len(w.slots)]; newest.length > 0 && keptUp(newest) {
			w.lastGood = Breakpoint{
				At:          now,
				Rate:        newest.due / newest.length.Seconds(),
				Throughput:  float64(newest.responses) / newest.length.Seconds(),
				Connections: newest.conns,
			}
		}
		return false
	}
	w.result = w.lastGood
	w.result.Found, w.result.At = true, now
	for _, b := range breaches {
		w.result.Reasons = append(w.result.Reasons, b.String())
	}
	return true
}

// keptUp reports whether a bucket's responses reached 95% of the requests
// scheduled in it (less two, for the rounding of small counts).
func keptUp(sl *windowSlot) bool {
	return float64(sl.responses) >= 0.95*sl.due-2
}

// breakpoint is what the run found, given that it ended at end.
func (w *stopWindow) breakpoint(end time.Duration) *Breakpoint {
	if w.result.Found {
		b := w.result
		return &b
	}
	b := w.lastGood
	b.At = end
	return &b
}
