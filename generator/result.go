package generator

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Result is everything a run measured. Histograms hold microseconds.
type Result struct {
	// Config is the configuration the run used, defaults filled in.
	Config Config
	// Start is the wall-clock time the run started.
	Start time.Time
	// StartOffset is Start less Config.StartAt: how late the run began on
	// the clock it was given; zero without StartAt.
	StartOffset time.Duration
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
	// ErrorReasons break the errors down by class and reason.
	ErrorReasons []ErrorReason
	// Endpoints are the per-endpoint results with Config.ByEndpoint.
	Endpoints []EndpointResult
	// Latency holds, per request, the time from writing it to the end of its
	// response. It is not corrected for coordinated omission.
	Latency *hdrhistogram.Histogram
	// FailedLatency and FailedCorrected hold the part of Latency and
	// Corrected that are failed responses (Errors.Responses): fast errors
	// make the whole look better than the successes were.
	FailedLatency, FailedCorrected *hdrhistogram.Histogram
	// Corrected holds, in open-loop mode, latency measured from each request's
	// scheduled send time; nil in closed-loop mode.
	Corrected *hdrhistogram.Histogram
	// RequestRate holds each thread's Req/Sec samples.
	RequestRate *hdrhistogram.Histogram
	// Series is the run cut into Config.SeriesInterval buckets.
	Series []Interval
	// Threads are the per-thread totals.
	Threads []ThreadTotals
	// Sent counts the requests handed to connections, each request of a
	// pipelined batch once; those the server refused unprocessed (HTTP/2
	// GOAWAY) are not. Every one of them got a response, an error, or was
	// still out when the run ended.
	Sent uint64
	// Due counts, in open-loop mode, the requests the schedule called for
	// during the run.
	Due uint64
	// Late counts, in open-loop mode, requests written after their scheduled
	// time by more than their connection's interval (and at least lateSlack,
	// the timer resolution).
	Late uint64
	// MaxBehind is, in open-loop mode, the furthest any request was written
	// behind its scheduled time.
	MaxBehind time.Duration
	// Redirects counts the redirects followed (Config.Follow), Unfollowed
	// the redirect responses that ended a request instead: to another
	// origin, past the limit, without a usable Location, or on a
	// connection the server closed.
	Redirects, Unfollowed uint64
	// Completed says the run ended because its Config.Requests were done.
	Completed bool
	// Breakpoint is set when Config.Stop has conditions.
	Breakpoint *Breakpoint
	// Interrupted is true when the run was cancelled before its duration.
	Interrupted bool
	// Connect is how long making connections took, by phase.
	Connect ConnectTiming
	// Engine is the engine the run used.
	Engine Engine
	// Established counts the connections (-c's, or the shard's) that were
	// made at least once during the run: fewer than asked means the server
	// or the machine refused some.
	Established int
	// ConnRequests are the responses each connection got (HTTP/3: each
	// stream), in no particular order: an uneven spread means the server
	// served some connections and starved others.
	ConnRequests []uint64
}

// Unsent is the number of requests due during the run that were never
// written: how far behind schedule the run ended.
func (r *Result) Unsent() uint64 {
	if r.Due > r.Sent {
		return r.Due - r.Sent
	}
	return 0
}

// Breakpoint is what a run with stop conditions found.
type Breakpoint struct {
	// Found is true when a stop condition held and ended the run.
	Found bool
	// Rate is the highest target rate sustained: the scheduled requests per
	// second over the last series interval at whose end no condition held
	// over the window and whose responses kept up with the schedule (95%).
	// 0 when no interval qualified.
	Rate float64
	// Throughput is the responses per second over that interval.
	Throughput float64
	// Connections is, with connection stages, the connections the stages
	// called for at the end of that interval.
	Connections float64
	// At is when the condition held (Found) or the run ended.
	At time.Duration
	// Reasons describe the conditions that held, e.g.
	// "p99>500ms (p99 = 612.00ms)".
	Reasons []string
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
	// Status counts responses with a status above 399, unless
	// Config.Expect lists the statuses that pass.
	Status uint64
	// Check counts responses that failed Config.Expect's checks; CheckBody
	// those of them whose status passed and body did not.
	Check, CheckBody uint64
	// Reset counts HTTP/2 streams the server reset (RST_STREAM).
	Reset uint64
	// OverCap counts, among Read, responses whose body was over the cap a
	// response() hook may see (Config.MaxBody).
	OverCap uint64
}

// Responses is the number of responses that failed: statuses above 399 and
// failed checks.
func (e Errors) Responses() uint64 { return e.Status + e.Check }

// Socket is the number of socket errors (everything but Status and Check).
func (e Errors) Socket() uint64 { return e.Connect + e.Read + e.Write + e.Timeout + e.Reset }

// Add adds o's counts to e's.
func (e *Errors) Add(o Errors) {
	e.Connect += o.Connect
	e.Read += o.Read
	e.Write += o.Write
	e.Timeout += o.Timeout
	e.Status += o.Status
	e.Reset += o.Reset
	e.OverCap += o.OverCap
	e.Check += o.Check
	e.CheckBody += o.CheckBody
}

// Interval summarizes one time-series bucket of the run.
type Interval struct {
	// Start is the bucket's offset from the start of the run; Length its
	// width (the last bucket may be shorter).
	Start, Length time.Duration
	// Requests and Errors (socket errors plus statuses above 399) in the
	// bucket; SocketErrors are those of Errors that are not responses.
	Requests, Errors, SocketErrors uint64
	// Latency percentiles of the requests completed in the bucket, in µs:
	// corrected in open-loop mode.
	P50, P90, P99, Max int64
	// Target is, in open-loop mode, the scheduled requests per second over
	// the bucket.
	Target float64
	// TargetConns is, with connection stages, the connections the stages
	// call for at the bucket's end, and Conns those active then.
	TargetConns float64
	Conns       int
}

// ErrorShare is the share of the bucket's attempts (responses and socket
// errors) that failed, in percent: a response with an error status counts
// once, not as a response and again as an error.
func (iv Interval) ErrorShare() float64 {
	attempts := iv.Requests + iv.SocketErrors
	if attempts == 0 {
		return 0
	}
	return float64(iv.Errors) / float64(attempts) * 100
}

// Rate is the bucket's responses per second.
func (iv Interval) Rate() float64 {
	if iv.Length <= 0 {
		return 0
	}
	return float64(iv.Requests) / iv.Length.Seconds()
}

// ThreadTotals are one thread's counters.
type ThreadTotals struct {
	Requests, Bytes uint64
	Errors          Errors
}
