package summary

import (
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
)

func closedLoop() *generator.Result {
	res := &generator.Result{Latency: generator.NewLatencyHistogram(), Runtime: time.Second, Requests: 100}
	res.Config.Connections = 1
	for range 99 {
		_ = res.Latency.RecordValue(1000)
	}
	// One stall of 50 intervals: wrk adds the requests it kept from being sent.
	_ = res.Latency.RecordValue(500_000)
	return res
}

func TestHeadline(t *testing.T) {
	closed := closedLoop()
	run := New(closed)
	if run.Correction() != "wrk" || run.Headline.TotalCount() <= closed.Latency.TotalCount() {
		t.Errorf("closed loop: correction %q, %d samples; want wrk's, with added samples", run.Correction(), run.Headline.TotalCount())
	}
	if got, want := CorrectionInterval(closed), int64(10_000); got != want {
		t.Errorf("correction interval %d µs, want %d", got, want)
	}
	open := closedLoop()
	open.Corrected = generator.NewLatencyHistogram()
	if run := New(open); run.Headline != open.Corrected || run.Correction() != "schedule" {
		t.Error("open loop: the headline is not the schedule-corrected latency")
	}
	if run := New(&generator.Result{}); run.Headline != nil {
		t.Error("no latency data, yet a headline")
	}
}

func TestObservation(t *testing.T) {
	res := closedLoop()
	res.Errors.Connect, res.Errors.Status = 3, 7
	run := New(res)
	o := run.Observation()
	if o.Responses != 100 || o.SocketErrors != 3 || o.Errors != 10 || o.Elapsed != time.Second || o.Latency != run.Headline {
		t.Errorf("observation %+v", o)
	}
}
