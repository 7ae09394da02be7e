package generator

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Result is everything a run measured. Histograms hold microseconds.
type Result struct {
	// Config is the configuration the run used, defaults filled in.
	Config Config
	// Runtime is the wall time from the start of the run to its end.
	Runtime time.Duration
	// Requests counts complete responses of any status.
	Requests uint64
	// Bytes counts every byte read from the server, headers included.
	Bytes uint64
	// Errors counts failures by class.
	Errors Errors
	// StatusCodes counts responses by status code.
	StatusCodes map[int]uint64
	// Latency holds, per request, the time from writing it to the end of its
	// response. It is not corrected for coordinated omission.
	Latency *hdrhistogram.Histogram
	// Corrected holds, in open-loop mode, latency measured from each request's
	// scheduled send time; nil in closed-loop mode.
	Corrected *hdrhistogram.Histogram
	// RequestRate holds each thread's Req/Sec samples.
	RequestRate *hdrhistogram.Histogram
	// Series is the run cut into Config.SeriesInterval buckets.
	Series []Interval
	// Threads are the per-thread totals.
	Threads []ThreadTotals
	// Late counts, in open-loop mode, requests written after their scheduled
	// time by more than one scheduled interval.
	Late uint64
	// Interrupted is true when the run was cancelled before its duration.
	Interrupted bool
}

// Errors counts failed requests by class, as wrk reports them.
type Errors struct {
	// Connect counts failed dials.
	Connect uint64
	// Read counts resets, connections closed mid-response and malformed responses.
	Read uint64
	// Write counts failed writes.
	Write uint64
	// Timeout counts requests without a complete response within the timeout.
	Timeout uint64
	// Status counts responses with a status above 399.
	Status uint64
}

// Socket is the number of socket errors (everything but Status).
func (e Errors) Socket() uint64 { return e.Connect + e.Read + e.Write + e.Timeout }

func (e *Errors) add(o Errors) {
	e.Connect += o.Connect
	e.Read += o.Read
	e.Write += o.Write
	e.Timeout += o.Timeout
	e.Status += o.Status
}

// Interval summarizes one time-series bucket of the run.
type Interval struct {
	// Start is the bucket's offset from the start of the run.
	Start time.Duration
	// Requests and Errors (socket errors plus statuses above 399) in the bucket.
	Requests, Errors uint64
	// Latency percentiles of the requests completed in the bucket, in µs.
	P50, P90, P99, Max int64
}

// ThreadTotals are one thread's counters.
type ThreadTotals struct {
	Requests, Bytes uint64
	Errors          Errors
}
