package generator

import (
	"github.com/gowrk/gowrk/pace"
	"testing"
	"time"

	"github.com/gowrk/gowrk/threshold"
)

func testWindow(t *testing.T, stop string) *stopWindow {
	t.Helper()
	conds, err := threshold.Parse(stop)
	if err != nil {
		t.Fatal(err)
	}
	return newStopWindow(Config{Stop: conds, StopWindow: 3 * time.Second, SeriesInterval: time.Second, Pacer: pace.Ramp(100, 1100, 10*time.Second, 0)})
}

// bucket is one second with n responses of the given latency and errs errors.
func pushBucket(w *stopWindow, at int, n int, latencyUS int64, errs uint64) {
	h := NewLatencyHistogram()
	_ = h.RecordValues(latencyUS, int64(n))
	start := time.Duration(at) * time.Second
	w.push(Interval{Start: start, Length: time.Second, Requests: uint64(n), Errors: errs, SocketErrors: errs, Target: scheduled(w, at)}, h)
}

// scheduled is the number of requests the ramp schedules in second at.
func scheduled(w *stopWindow, at int) float64 {
	start := time.Duration(at) * time.Second
	return w.cfg.Pacer.Count(start+time.Second) - w.cfg.Pacer.Count(start)
}

// pushKeptUp is a bucket in which every scheduled request was answered.
func pushKeptUp(w *stopWindow, at int, latencyUS int64) {
	pushBucket(w, at, int(scheduled(w, at)+0.5), latencyUS, 0)
}

func TestStopWindowSlides(t *testing.T) {
	w := testWindow(t, "errors>1%")
	// Three good seconds (150, 250, 350 responses), then errors: 30 of 400
	// in one second is 7.5% of it, 3% of the window (250 + 350 + 400).
	for i := range 3 {
		pushKeptUp(w, i, 1000)
		if w.check(time.Duration(i+1) * time.Second) {
			t.Fatalf("tripped at %ds without errors", i+1)
		}
	}
	pushBucket(w, 3, 370, 1000, 30)
	if !w.check(4 * time.Second) {
		t.Fatal("did not trip")
	}
	bp := w.breakpoint(10 * time.Second)
	// The last good bucket was the third second: its scheduled rate is the
	// ramp's average over it, 100 + 100*2.5.
	if !bp.Found || bp.Rate != 350 || bp.Throughput != 350 || bp.At != 4*time.Second {
		t.Errorf("breakpoint %+v", bp)
	}
	if len(bp.Reasons) != 1 || bp.Reasons[0] != "errors>1% (errors = 3.00%)" {
		t.Errorf("reasons %q", bp.Reasons)
	}
}

func TestStopWindowForgetsOldBuckets(t *testing.T) {
	w := testWindow(t, "p99>100ms")
	pushBucket(w, 0, 100, 500_000, 0) // a slow second...
	pushBucket(w, 1, 100, 1000, 0)
	pushBucket(w, 2, 100, 1000, 0)
	if !w.check(3 * time.Second) {
		t.Fatal("a slow second within the window did not trip")
	}
	w = testWindow(t, "p99>100ms")
	pushBucket(w, 0, 100, 500_000, 0)
	for i := 1; i <= 3; i++ {
		pushBucket(w, i, 100, 1000, 0)
	}
	if w.check(4 * time.Second) {
		t.Error("a slow second out of the window still trips")
	}
}

// A full window without a single response while requests were due is
// broken; a window that is not full yet is given time.
func TestStopWindowWithoutResponses(t *testing.T) {
	w := testWindow(t, "p99>1s")
	pushBucket(w, 0, 0, 0, 0)
	pushBucket(w, 1, 0, 0, 0)
	if w.check(2 * time.Second) {
		t.Error("tripped before the window was full")
	}
	pushBucket(w, 2, 0, 0, 0)
	if !w.check(3 * time.Second) {
		t.Error("a silent full window did not trip")
	}
	if bp := w.breakpoint(3 * time.Second); bp.Rate != 0 || bp.Reasons[0] != "p99>1s (p99: no data)" {
		t.Errorf("breakpoint %+v", bp)
	}
}

func TestStopWindowNotReached(t *testing.T) {
	w := testWindow(t, "errors>1%")
	for i := range 5 {
		pushKeptUp(w, i, 1000)
		w.check(time.Duration(i+1) * time.Second)
	}
	bp := w.breakpoint(5500 * time.Millisecond)
	if bp.Found || bp.Rate != 550 || bp.At != 5500*time.Millisecond {
		t.Errorf("breakpoint %+v, want not found at 550/s", bp)
	}
}

// A saturated server passes a latency window for a while after it stopped
// keeping up with the schedule; the rates it did not keep up with are not
// the breakpoint.
func TestStopWindowRequiresKeepingUp(t *testing.T) {
	w := testWindow(t, "p99>1s")
	pushKeptUp(w, 0, 1000) // 150 scheduled, 150 answered
	pushKeptUp(w, 1, 1000) // 250
	w.check(2 * time.Second)
	pushBucket(w, 2, 280, 1000, 0) // 350 scheduled, 280 answered: 80%
	w.check(3 * time.Second)
	pushBucket(w, 3, 280, 2_000_000, 0)
	if !w.check(4 * time.Second) {
		t.Fatal("did not trip")
	}
	if bp := w.breakpoint(4 * time.Second); bp.Rate != 250 || bp.Throughput != 250 {
		t.Errorf("breakpoint %+v, want the 250/s second", bp)
	}
}
