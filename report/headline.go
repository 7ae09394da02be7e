package report

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/threshold"
)

// Headline is the latency every report leads with and thresholds check:
// in open-loop mode the latency from each request's scheduled send time;
// otherwise the measured latency with wrk's after-the-fact
// coordinated-omission correction, as wrk prints it.
func Headline(res *generator.Result) *hdrhistogram.Histogram {
	if res.Corrected != nil {
		return res.Corrected
	}
	return CorrectedLatency(res)
}

// Correction names how Headline corrects for coordinated omission:
// "schedule" (from scheduled send times) or "wrk" (wrk's post-correction).
func Correction(res *generator.Result) string {
	if res.Corrected != nil {
		return "schedule"
	}
	return "wrk"
}

// CorrectedLatency is the latency data wrk reports: the recorded latencies
// plus wrk's after-the-fact coordinated-omission correction.
func CorrectedLatency(res *generator.Result) *hdrhistogram.Histogram {
	interval := stats.CorrectionInterval(uint64(res.Runtime/time.Microsecond), res.Requests, res.Config.Connections)
	return stats.Correct(res.Latency, interval)
}

// Observation is the whole run as thresholds see it, with latency from
// headline (Headline(res), passed in as it is costly to build).
func Observation(res *generator.Result, headline *hdrhistogram.Histogram) threshold.Observation {
	return threshold.Observation{
		Latency:      headline,
		Responses:    res.Requests,
		SocketErrors: res.Errors.Socket(),
		Errors:       res.Errors.Socket() + res.Errors.Status,
		Elapsed:      res.Runtime,
	}
}
