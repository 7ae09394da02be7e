package report

import (
	"testing"
	"time"
)

func TestHeadline(t *testing.T) {
	open := openLoopResult(false)
	if Headline(open) != open.Corrected || Correction(open) != "schedule" {
		t.Error("open loop: the headline is not the schedule-corrected latency")
	}
	closed := closedLoopResult()
	if Correction(closed) != "wrk" || Headline(closed).TotalCount() != CorrectedLatency(closed).TotalCount() {
		t.Error("closed loop: the headline is not wrk's corrected latency")
	}
	o := Observation(open, Headline(open))
	if o.Responses != 4990 || o.SocketErrors != 10 || o.Errors != 50 || o.Elapsed != 5*time.Second || o.Latency != open.Corrected {
		t.Errorf("observation %+v", o)
	}
}
