package generator

import (
	"errors"
	"fmt"
	"net/url"
	"time"
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
	// Rate, when above zero, is the total number of requests per second,
	// spread evenly over the connections (open-loop mode).
	Rate float64
	// Script, when set, supplies each thread's requests and hooks.
	Script Scripter
	// SampleInterval is how often each thread records its Req/Sec rate.
	SampleInterval time.Duration
	// SeriesInterval is the width of one time-series bucket in Result.Series.
	SeriesInterval time.Duration
	// Progress, when set, is called about once per SeriesInterval from a
	// single goroutine with the totals so far. It must return quickly.
	Progress func(Snapshot)
}

// Header is one request header.
type Header struct {
	Name, Value string
}

// Snapshot is a view of a running test, for progress displays.
type Snapshot struct {
	Elapsed  time.Duration
	Requests uint64
	Errors   uint64
}

const (
	defaultSampleInterval = 100 * time.Millisecond
	defaultSeriesInterval = time.Second
	defaultTimeout        = 2 * time.Second
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
	if cfg.Method == "" {
		cfg.Method = "GET"
	}
	if cfg.SampleInterval <= 0 {
		cfg.SampleInterval = defaultSampleInterval
	}
	if cfg.SeriesInterval <= 0 {
		cfg.SeriesInterval = defaultSeriesInterval
	}
	return cfg, nil
}
