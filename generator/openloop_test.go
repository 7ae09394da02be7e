package generator_test

import (
	"maps"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/threshold"
)

func okHandler(int64, *fasthttp.Request) testserver.Reply { return testserver.OK }

// When the server keeps up, the sent rate is the asked rate.
func TestConstantRateHoldsTheRate(t *testing.T) {
	srv := testserver.Start(t, false, okHandler)
	cfg := config(t, srv.URL, 20, 2, 2*time.Second)
	cfg.Pacer = pace.ConstantRate(2000)
	res := run(t, cfg)
	sentRate := float64(res.Sent) / res.Runtime.Seconds()
	if math.Abs(sentRate-2000)/2000 > 0.02 {
		t.Errorf("sent %d in %v = %.1f/s, want 2000/s within 2%%", res.Sent, res.Runtime, sentRate)
	}
	if res.Corrected == nil || res.Corrected.TotalCount() != res.Latency.TotalCount() {
		t.Fatalf("corrected histogram missing or short")
	}
	if float64(res.Unsent()) > 0.02*float64(res.Due) {
		t.Errorf("%d of %d due requests never sent", res.Unsent(), res.Due)
	}
	for _, iv := range res.Series {
		if iv.Length >= 900*time.Millisecond && math.Abs(iv.Target-2000) > 1 {
			t.Errorf("interval target %.1f, want 2000", iv.Target)
		}
	}
}

// stallingServer answers at once, except that for one second starting one
// second after its first request it answers nothing until the second ends.
func stallingServer(t *testing.T) *testserver.Server {
	var once sync.Once
	var first time.Time
	return testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		now := time.Now()
		once.Do(func() { first = now })
		from, to := first.Add(time.Second), first.Add(2*time.Second)
		if now.After(from) && now.Before(to) {
			return testserver.Reply{Raw: testserver.OK.Raw, Delay: to.Sub(now)}
		}
		return testserver.OK
	})
}

// A 1 s stall: the requests that should have been sent during it wait up
// to 1 s, which the corrected latency shows and the uncorrected one, which
// sees only the few requests in flight, does not (coordinated omission).
func TestConstantRateCorrectsForAStall(t *testing.T) {
	srv := stallingServer(t)
	cfg := config(t, srv.URL, 10, 2, 3*time.Second)
	cfg.Pacer = pace.ConstantRate(1000)
	res := run(t, cfg)
	p99 := func(h interface{ ValueAtQuantile(float64) int64 }) time.Duration {
		return time.Duration(h.ValueAtQuantile(99)) * time.Microsecond
	}
	t.Logf("corrected p99 %v, uncorrected p99 %v, behind %v, late %d", p99(res.Corrected), p99(res.Latency), res.MaxBehind, res.Late)
	if got := p99(res.Corrected); got < 700*time.Millisecond || got > 1200*time.Millisecond {
		t.Errorf("corrected p99 = %v, want the stall (about 1s)", got)
	}
	if got := p99(res.Latency); got > 100*time.Millisecond {
		t.Errorf("uncorrected p99 = %v, want well under the stall", got)
	}
	if res.MaxBehind < 800*time.Millisecond || res.Late == 0 {
		t.Errorf("max behind %v, late %d: want the stall's backlog", res.MaxBehind, res.Late)
	}
	if res.Errors != (generator.Errors{}) {
		t.Errorf("errors %+v", res.Errors)
	}
}

// cappedServer answers 503 to requests past capacity per second, counted
// in fixed 100 ms windows.
func cappedServer(t *testing.T, capacity int64) *testserver.Server {
	const window = 100 * time.Millisecond
	perWindow := capacity * int64(window) / int64(time.Second)
	var mu sync.Mutex
	var windowStart time.Time
	var count int64
	return testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); now.Sub(windowStart) >= window {
			windowStart, count = now, 0
		}
		count++
		if count > perWindow {
			return testserver.Status(503)
		}
		return testserver.OK
	})
}

func TestBreakpointFindsCapacity(t *testing.T) {
	const capacity = 1000
	srv := cappedServer(t, capacity)
	// The window needs time to see the errors: at this slope the expected
	// overshoot is about 5%.
	cfg := config(t, srv.URL, 20, 2, 4*time.Second)
	cfg.Pacer = pace.Ramp(500, 1500, 4*time.Second, 0)
	cfg.Stop, _ = threshold.Parse("errors>1%")
	cfg.SeriesInterval = 100 * time.Millisecond
	cfg.StopWindow = 500 * time.Millisecond
	res := run(t, cfg)
	bp := res.Breakpoint
	if bp == nil || !bp.Found {
		t.Fatalf("no breakpoint: %+v", bp)
	}
	t.Logf("breakpoint %+v", bp)
	// The race detector slows the generator enough that sends bunch up and
	// a burst overflows a 100 ms window early: allow it more.
	tolerance := 0.1
	if raceEnabled {
		tolerance = 0.35
	}
	if math.Abs(bp.Rate-capacity) > tolerance*capacity {
		t.Errorf("breakpoint %.0f/s, want %d/s within %.0f%% (%+v)", bp.Rate, capacity, tolerance*100, bp)
	}
	if res.Runtime > 3500*time.Millisecond {
		t.Errorf("run went on for %v after the breakpoint at %v", res.Runtime, bp.At)
	}
	if len(bp.Reasons) != 1 || bp.Reasons[0][:10] != "errors>1% " {
		t.Errorf("reasons %q", bp.Reasons)
	}
}

// Without a tripped condition the breakpoint is the rate the run reached.
func TestBreakpointNotReached(t *testing.T) {
	srv := testserver.Start(t, false, okHandler)
	cfg := config(t, srv.URL, 4, 1, 1*time.Second)
	cfg.Pacer = pace.Ramp(100, 300, time.Second, 0)
	cfg.Stop, _ = threshold.Parse("errors>1%")
	cfg.SeriesInterval = 100 * time.Millisecond
	res := run(t, cfg)
	bp := res.Breakpoint
	if bp == nil || bp.Found || bp.Rate < 250 {
		t.Errorf("breakpoint %+v, want none found, rate near 300", bp)
	}
}

func TestIntervalsReachCallbacks(t *testing.T) {
	srv := testserver.Start(t, false, okHandler)
	cfg := config(t, srv.URL, 4, 2, time.Second)
	cfg.Pacer = pace.ConstantRate(500)
	cfg.SeriesInterval = 200 * time.Millisecond
	var latency, uncorrected, requests atomic.Int64
	var snaps atomic.Int32
	cfg.OnInterval = func(d generator.IntervalData) {
		latency.Add(d.Latency.TotalCount())
		uncorrected.Add(d.Uncorrected.TotalCount())
		requests.Add(int64(d.Requests))
		if d.RunStart.IsZero() {
			t.Error("no run start")
		}
	}
	cfg.Progress = func(s generator.Snapshot) {
		snaps.Add(1)
		if s.Duration != time.Second || s.Target != 500 {
			t.Errorf("snapshot %+v", s)
		}
	}
	res := run(t, cfg)
	if latency.Load() != res.Corrected.TotalCount() || uncorrected.Load() != res.Latency.TotalCount() {
		t.Errorf("interval histograms hold %d/%d samples, result %d/%d",
			latency.Load(), uncorrected.Load(), res.Corrected.TotalCount(), res.Latency.TotalCount())
	}
	if uint64(requests.Load()) < res.Requests || snaps.Load() < 4 {
		t.Errorf("intervals count %d requests (result %d), %d snapshots", requests.Load(), res.Requests, snaps.Load())
	}
}

// Each bucket hands on the status codes counted from the start of the run:
// they only grow, and the last bucket's are the result's.
func TestIntervalsCarryStatusCodesSoFar(t *testing.T) {
	srv := testserver.Start(t, false, func(n int64, _ *fasthttp.Request) testserver.Reply {
		if n%4 == 0 {
			return testserver.Status(503)
		}
		return testserver.OK
	})
	cfg := config(t, srv.URL, 4, 2, time.Second)
	cfg.SeriesInterval = 200 * time.Millisecond
	var last map[int]uint64
	cfg.OnInterval = func(d generator.IntervalData) {
		for code, n := range last {
			if d.StatusCodes[code] < n {
				t.Errorf("status %d went from %d to %d", code, n, d.StatusCodes[code])
			}
		}
		last = d.StatusCodes
	}
	res := run(t, cfg)
	if !maps.Equal(last, res.StatusCodes) || res.StatusCodes[503] == 0 || res.StatusCodes[200] == 0 {
		t.Errorf("last bucket's status codes %v, result's %v", last, res.StatusCodes)
	}
}

// Each bucket hands on the socket errors by class from the start of the
// run: they only grow, and the last bucket's are the result's.
func TestIntervalsCarryErrorClassesSoFar(t *testing.T) {
	srv := testserver.Start(t, false, func(n int64, _ *fasthttp.Request) testserver.Reply {
		switch n % 3 {
		case 0:
			return testserver.Reply{Then: testserver.Reset}
		case 1:
			return testserver.Reply{Raw: testserver.OK.Raw, Delay: 300 * time.Millisecond}
		}
		return testserver.OK
	})
	cfg := config(t, srv.URL, 4, 2, time.Second)
	cfg.Timeout = 150 * time.Millisecond
	cfg.SeriesInterval = 200 * time.Millisecond
	var last [generator.ClassStatus]uint64
	cfg.OnInterval = func(d generator.IntervalData) {
		for class, n := range last {
			if d.ErrorsByClass[class] < n {
				t.Errorf("%v errors went from %d to %d", generator.ErrorClass(class), n, d.ErrorsByClass[class])
			}
		}
		last = d.ErrorsByClass
	}
	res := run(t, cfg)
	e := res.Errors
	want := [generator.ClassStatus]uint64{generator.ClassConnect: e.Connect, generator.ClassRead: e.Read,
		generator.ClassWrite: e.Write, generator.ClassTimeout: e.Timeout, generator.ClassReset: e.Reset}
	if last != want || e.Read == 0 || e.Timeout == 0 {
		t.Errorf("last bucket's errors by class %v, result's %+v", last, e)
	}
}
