package promexport

import (
	"maps"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
)

func latencies(us ...int64) *hdrhistogram.Histogram {
	h := generator.NewLatencyHistogram()
	for _, v := range us {
		_ = h.RecordValue(v)
	}
	return h
}

func TestStateAddsIntervals(t *testing.T) {
	s := State{OpenLoop: true}
	var byClass [generator.ClassStatus]uint64
	byClass[generator.ClassRead], byClass[generator.ClassTimeout] = 2, 1
	s.addInterval(generator.IntervalData{
		Interval:      generator.Interval{Requests: 3, Target: 100},
		Latency:       latencies(800, 900, 3000),
		StatusCodes:   map[int]uint64{200: 2, 503: 1},
		ErrorsByClass: byClass,
	})
	byClass[generator.ClassConnect], byClass[generator.ClassReset] = 4, 5
	s.addInterval(generator.IntervalData{
		Interval:      generator.Interval{Requests: 2, Target: 200},
		Latency:       latencies(700, 400),
		StatusCodes:   map[int]uint64{200: 3, 503: 1, 404: 1},
		ErrorsByClass: byClass,
	})
	want := generator.Errors{Connect: 4, Read: 2, Timeout: 1, Reset: 5, Status: 2}
	if s.Requests != 5 || s.Errors != want || !maps.Equal(s.StatusCodes, map[int]uint64{200: 3, 503: 1, 404: 1}) {
		t.Errorf("state %+v", s)
	}
	if s.Latency.Count != 5 || s.Latency.Buckets[2] != 1 || s.Latency.Buckets[3] != 3 || s.Latency.Buckets[5] != 1 || s.Target != 200 {
		t.Errorf("latency %+v, target %v", s.Latency, s.Target)
	}
	// With --expect-status, failed statuses are checks, counted by the run.
	s.addInterval(generator.IntervalData{
		Config:      &generator.Config{Expect: generator.Expect{Status: []generator.StatusRange{{Lo: 200, Hi: 299}}}},
		StatusCodes: map[int]uint64{200: 3, 503: 1, 404: 1}, ErrorsByClass: byClass, Checks: 2,
	})
	if s.Errors.Status != 0 || s.Errors.Check != 2 {
		t.Errorf("with --expect-status: errors %+v", s.Errors)
	}
	// A closed-loop run has no target.
	c := State{}
	c.addInterval(generator.IntervalData{Interval: generator.Interval{Target: 5}})
	if c.Target != 0 || c.StatusCodes != nil {
		t.Errorf("closed loop: %+v", c)
	}
}

func TestResultState(t *testing.T) {
	res := &generator.Result{
		Requests:    7,
		Errors:      generator.Errors{Connect: 1, Read: 2, Write: 3, Timeout: 4, Status: 5, Reset: 6, OverCap: 1},
		StatusCodes: map[int]uint64{200: 2, 500: 5},
		Latency:     latencies(100, 200),
		Series:      []generator.Interval{{Target: 10}, {Target: 20}},
		Endpoints: []generator.EndpointResult{
			{Name: "POST /b", Requests: 1, Errors: 1, StatusCodes: map[int]uint64{500: 1}, Latency: latencies(5000)},
			{Name: generator.OtherName, Requests: 2, StatusCodes: map[int]uint64{200: 2}, Latency: latencies(1, 2)},
			{Name: "GET /a", Requests: 4, StatusCodes: map[int]uint64{200: 4}, Latency: latencies(1, 2, 3, 4)},
		},
	}
	s := ResultState(res)
	want := res.Errors
	want.OverCap = 0
	if s.OpenLoop || s.Requests != 7 || s.Errors != want || s.Latency.Count != 2 || s.Target != 0 {
		t.Errorf("closed loop state %+v", s)
	}
	if len(s.Endpoints) != 3 || s.Endpoints[0].Name != "GET /a" || s.Endpoints[2].Name != generator.OtherName ||
		s.Endpoints[1].Latency.Count != 1 || s.Endpoints[1].Errors != 1 {
		t.Errorf("endpoints %+v", s.Endpoints)
	}
	if res.Endpoints[0].Name != "POST /b" {
		t.Error("the result's endpoints were reordered")
	}

	// Open loop: the corrected latency, and the last interval's target.
	res.Config.Pacer = pace.ConstantRate(20)
	res.Config.Duration = time.Second
	res.Corrected = latencies(100, 200, 300)
	s = ResultState(res)
	if !s.OpenLoop || s.Latency.Count != 3 || s.Target != 20 {
		t.Errorf("open loop state %+v", s)
	}
}
