package generator

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/threshold"
)

// Config describes one run. Zero values of the optional fields mean wrk's
// defaults.
type Config struct {
	// URL is the target, http or https.
	URL *url.URL
	// Connections is the exact number of connections kept open.
	Connections int
	// Threads is the number of shards the connections are spread over; each
	// keeps its own statistics, merged after the run.
	Threads int
	// Duration is how long the run lasts.
	Duration time.Duration
	// Timeout is the deadline for one request's complete response.
	Timeout time.Duration
	// Headers are sent with every static request, in order. A "Host" header
	// replaces the automatic one.
	Headers []Header
	// Method and Body form the static request; Method defaults to GET.
	Method string
	Body   []byte
	// MaxBody is how much of a response body a response() hook may see; a
	// larger body is a read error (Errors.OverCap). Without a hook, bodies
	// are counted and never kept, whatever their size. 0 means
	// DefaultMaxBody.
	MaxBody int
	// Pacer, when enabled, sets the total number of requests per second over
	// time, spread evenly over the connections (open-loop mode). Each
	// connection sends on its own schedule; one that falls behind sends as
	// soon as it can until it is back on schedule.
	Pacer pace.Pacer
	// Stop ends the run early when any condition holds over the last
	// StopWindow of the run, checked once per SeriesInterval. The result's
	// Breakpoint says which condition and at what rate.
	Stop []threshold.Condition
	// StopWindow is the sliding window Stop is measured over.
	StopWindow time.Duration
	// ByEndpoint groups the results by endpoint (Result.Endpoints).
	ByEndpoint bool
	// ConnStages, when set, ramp the number of active connections in
	// closed loop; Connections is the most there can be.
	ConnStages []pace.Stage
	// Script, when set, supplies each thread's requests and hooks.
	Script Scripter
	// SampleInterval is how often each thread records its Req/Sec rate.
	SampleInterval time.Duration
	// SeriesInterval is the width of one time-series bucket in Result.Series.
	SeriesInterval time.Duration
	// Progress, when set, is called about once per SeriesInterval from a
	// single goroutine with the totals so far. It must return quickly.
	Progress func(Snapshot)
	// StartAt, when set, is the wall-clock time the first connections are
	// made, after the threads are set up: generators on several machines
	// given one StartAt begin together, with no coordinator. A StartAt
	// already passed when setup ends fails the run.
	StartAt time.Time
	// Started, when set, is called once the target answered and every
	// thread is set up (scripts' setup and init have run), just before the
	// first request: where wrk prints its "Running" header.
	Started func()
	// OnInterval, when set, is called with each series bucket as it closes,
	// from the same goroutine as Progress, e.g. to stream an HdrHistogram
	// log. The histograms are only valid during the call.
	OnInterval func(IntervalData)
	// Transport adds what wrk cannot do: HTTP/2, TLS options, unix sockets
	// and proxies. The zero value is wrk's behaviour.
	Transport Transport
	// Engine picks how connections are driven; the zero value picks the
	// cheapest that can run the configuration.
	Engine Engine
	// Shard, when set, runs only this generator's part of the workload the
	// rest of Config describes; the result's Config is then the shard's:
	// its connections, and its rate and connection stages.
	Shard Shard
	// Requests, when set, ends the run once exactly this many requests got
	// a response or an error (a failed connect is no request; a pipelined
	// batch is sent whole). Each connection sends its share: the requests
	// of the whole workload's round-robin that fall to its place, so
	// shards together send exactly Requests too. Duration still bounds the
	// run.
	Requests uint64
	// Warmup is run before the measured part, at the same load, and left
	// out of every statistic: the result covers the Duration after it.
	// Requests count from its end. Not with stages or a ramp.
	Warmup time.Duration
	// Follow is how many redirects (301, 302, 303, 307, 308 to the same
	// origin) one request follows on its connection; its latency and
	// status are then the whole chain's. 0 follows none, as wrk.
	Follow int
	// Expect are the checks each response must pass.
	Expect Expect
	// Workload names the workload's definition (gowrk's CLI: a hash of the
	// options that shape the load), recorded in the outputs so that runs of
	// different workloads are not merged or compared as one.
	Workload string
}

// IntervalData is one closed series bucket with its latency histograms.
type IntervalData struct {
	Interval
	// Config is the run's configuration, defaults filled in.
	Config *Config
	// RunStart is the wall-clock time the run started.
	RunStart time.Time
	// Latency holds the bucket's latencies in µs: corrected (measured from
	// the scheduled send time) in open-loop mode, as measured otherwise.
	Latency *hdrhistogram.Histogram
	// Uncorrected holds, in open-loop mode, the bucket's latencies measured
	// from the actual write; nil in closed-loop mode.
	Uncorrected *hdrhistogram.Histogram
	// StatusCodes counts the responses by status code from the start of the
	// run to the bucket's end, as far as connections have recorded them
	// (they record in batches); the caller may keep the map.
	StatusCodes map[int]uint64
	// ErrorsByClass counts the socket errors by class, indexed by
	// ErrorClass (ClassConnect to ClassReset), from the start of the run
	// to the bucket's end.
	ErrorsByClass [ClassStatus]uint64
	// Checks counts the responses that failed Config.Expect's checks, from
	// the start of the run to the bucket's end.
	Checks uint64
}

// Snapshot is a view of a running test, for progress displays.
type Snapshot struct {
	// Elapsed is the time since the start; Duration the planned length.
	Elapsed, Duration time.Duration
	// Requests (responses), Errors (socket errors plus statuses above 399)
	// and SocketErrors (requests without a response) are totals so far.
	Requests, Errors, SocketErrors uint64
	// Rate is the responses per second over the last interval.
	Rate float64
	// Target is the scheduled requests per second now; 0 in closed loop.
	Target float64
	// WarmingUp says the run is in its warm-up, which Elapsed and Duration
	// then measure; nothing is counted yet.
	WarmingUp bool
	// Of is Config.Requests: the run ends after that many.
	Of uint64
}

// DefaultMaxBody is how much of a response body a response() hook sees
// when the configuration does not say.
const DefaultMaxBody = 1 << 20

const (
	defaultSampleInterval = 100 * time.Millisecond
	defaultSeriesInterval = time.Second
	defaultTimeout        = 2 * time.Second
	defaultStopWindow     = 5 * time.Second
)

// ErrConfig marks a configuration that cannot run.
var ErrConfig = errors.New("invalid configuration")

func (c *Config) withDefaults() (Config, error) {
	cfg := *c
	if cfg.URL == nil || cfg.URL.Host == "" || (cfg.URL.Scheme != "http" && cfg.URL.Scheme != "https") {
		return cfg, fmt.Errorf("%w: URL must be http:// or https:// with a host", ErrConfig)
	}
	if cfg.Threads <= 0 {
		return cfg, fmt.Errorf("%w: threads must be > 0", ErrConfig)
	}
	if cfg.Connections < cfg.Threads {
		return cfg, fmt.Errorf("%w: number of connections must be >= threads", ErrConfig)
	}
	if cfg.Duration <= 0 {
		return cfg, fmt.Errorf("%w: duration must be > 0", ErrConfig)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Method == "" {
		cfg.Method = "GET"
	}
	if cfg.SampleInterval <= 0 {
		cfg.SampleInterval = defaultSampleInterval
	}
	if cfg.SeriesInterval <= 0 {
		cfg.SeriesInterval = defaultSeriesInterval
	}
	if err := cfg.Pacer.Validate(); err != nil {
		return cfg, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	if len(cfg.ConnStages) > 0 {
		if cfg.Pacer.Enabled() {
			return cfg, fmt.Errorf("%w: connection stages are for closed loop", ErrConfig)
		}
		if err := pace.ValidateStages(cfg.ConnStages, "connections"); err != nil {
			return cfg, fmt.Errorf("%w: %v", ErrConfig, err)
		}
	}
	if cfg.Engine > EngineGoroutine {
		return cfg, fmt.Errorf("%w: unknown engine %v", ErrConfig, cfg.Engine)
	}
	if cfg.Warmup < 0 || cfg.Follow < 0 {
		return cfg, fmt.Errorf("%w: warm-up and redirects cannot be negative", ErrConfig)
	}
	if cfg.Warmup > 0 && (cfg.Pacer.Ramping() || len(cfg.ConnStages) > 0 || len(cfg.Stop) > 0) {
		return cfg, fmt.Errorf("%w: a warm-up needs a constant load, without stages, a ramp or stop conditions", ErrConfig)
	}
	if cfg.Requests > 0 && (cfg.Pacer.Ramping() || len(cfg.ConnStages) > 0 || len(cfg.Stop) > 0) {
		return cfg, fmt.Errorf("%w: a number of requests cannot be used with stages, a ramp or stop conditions", ErrConfig)
	}
	if cfg.Requests > 0 && cfg.Requests < uint64(cfg.Connections) {
		return cfg, fmt.Errorf("%w: %d requests are fewer than the %d connections", ErrConfig, cfg.Requests, cfg.Connections)
	}
	if cfg.StopWindow <= 0 {
		cfg.StopWindow = defaultStopWindow
	}
	cfg.StopWindow = max(cfg.StopWindow, cfg.SeriesInterval)
	return cfg, nil
}
