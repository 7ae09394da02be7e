// Package summary is a finished run as its outputs see it: the result and
// the headline latency, computed once and shared by the text, JSON and HTML
// reports, the .hgrm and interval log, the thresholds and the script's
// done(). It is apart from report so the packages feeding on it (luascript,
// hdrlog) need not import the renderers.
package summary

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/threshold"
)

// Run is a finished run with its headline latency.
type Run struct {
	*generator.Result
	// Headline is the latency every report leads with and thresholds
	// check: in open-loop mode the latency from each request's scheduled
	// send time; otherwise the measured latency with wrk's after-the-fact
	// coordinated-omission correction, as wrk prints it.
	Headline *hdrhistogram.Histogram
}

// New summarizes res, building the headline latency (nil when res has
// no latency data).
func New(res *generator.Result) *Run {
	h := res.Corrected
	if h == nil && res.Latency != nil {
		h = CorrectedLatency(res)
	}
	return &Run{Result: res, Headline: h}
}

// Outcomes are Headline split into the successful responses' latency and
// the failed ones' (error statuses and failed checks), corrected alike:
// fast failures would make the whole look better than the successes were.
func (r *Run) Outcomes() (success, failure *hdrhistogram.Histogram) {
	if r.Headline == nil || r.FailedLatency == nil {
		return nil, nil
	}
	if r.Corrected != nil {
		return stats.Subtract(r.Corrected, r.FailedCorrected), r.FailedCorrected
	}
	interval := CorrectionInterval(r.Result)
	return stats.Correct(stats.Subtract(r.Latency, r.FailedLatency), interval), stats.Correct(r.FailedLatency, interval)
}

// Correction names how Headline corrects for coordinated omission:
// "schedule" (from scheduled send times) or "wrk" (wrk's post-correction).
func (r *Run) Correction() string {
	if r.Corrected != nil {
		return "schedule"
	}
	return "wrk"
}

// Observation is the whole run as thresholds see it.
func (r *Run) Observation() threshold.Observation {
	return threshold.Observation{
		Latency:      r.Headline,
		Responses:    r.Requests,
		SocketErrors: r.Errors.Socket(),
		Errors:       r.Errors.Socket() + r.Errors.Responses(),
		Elapsed:      r.Runtime,
	}
}

// CorrectionInterval is the expected interval between a connection's
// requests that wrk's correction assumes, in µs: the run's mean.
func CorrectionInterval(res *generator.Result) int64 {
	return stats.CorrectionInterval(uint64(res.Runtime/time.Microsecond), res.Requests, res.Config.Connections)
}

// CorrectedLatency is the latency data wrk reports: the recorded latencies
// plus wrk's after-the-fact coordinated-omission correction.
func CorrectedLatency(res *generator.Result) *hdrhistogram.Histogram {
	return stats.Correct(res.Latency, CorrectionInterval(res))
}

// Source is one run of a merged result.
type Source struct {
	File     string
	URL      string
	Start    time.Time
	Runtime  time.Duration
	Requests uint64
}
