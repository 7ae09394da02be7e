// Package hdrlog writes and reads gowrk's HdrHistogram interval logs
// (.hlog) and merges the logs of several runs into one result.
//
// A log is a standard HdrHistogram log (format 1.3) of latencies in
// microseconds, two compressed histograms per series interval: untagged,
// the latency gowrk reports (corrected from the scheduled send times in
// open-loop mode, with wrk's correction otherwise), and tagged
// "uncorrected", as measured. In closed-loop mode the untagged intervals
// follow all the tagged ones, as the correction is known only when the run
// ends. Any HdrHistogram tool reads it. gowrk adds comment lines, which those tools
// skip, with what merging needs besides latency: the run's configuration,
// each interval's request and error counts, and the run's totals.
package hdrlog

import (
	"net/url"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/threshold"
)

// UncorrectedTag tags the histograms of latency measured from the write.
const UncorrectedTag = "uncorrected"

// Comment prefixes of gowrk's lines.
const (
	runPrefix      = "#gowrk-run "
	intervalPrefix = "#gowrk-interval "
	summaryPrefix  = "#gowrk-summary "
)

// logVersion is the version of gowrk's logs: 2 since closed-loop logs hold
// the corrected latency untagged.
const logVersion = 2

// runMeta is the #gowrk-run line: the run's configuration.
type runMeta struct {
	Version         int      `json:"gowrk_log_version"`
	URL             string   `json:"url"`
	Connections     int      `json:"connections"`
	Threads         int      `json:"threads"`
	DurationS       float64  `json:"duration_s"`
	TimeoutS        float64  `json:"timeout_s"`
	SeriesIntervalS float64  `json:"series_interval_s"`
	RateFrom        float64  `json:"rate_from"`
	RateTo          float64  `json:"rate_to"`
	RampS           float64  `json:"ramp_s"`
	RampSteps       int      `json:"ramp_steps"`
	StopOn          []string `json:"stop_on,omitempty"`
	StopWindowS     float64  `json:"stop_window_s,omitempty"`
	StartUnixMS     int64    `json:"start_unix_ms"`
	// StartUnixUS is the start to the microsecond, for the skew between
	// generators that started together.
	StartUnixUS int64 `json:"start_unix_us,omitempty"`
	// Workload names the workload (generator.Config.Workload); Shard (from
	// 1) and Shards are --shard's, absent for a whole workload.
	Workload string `json:"workload,omitempty"`
	Shard    int    `json:"shard,omitempty"`
	Shards   int    `json:"shards,omitempty"`
	// StartAtUnixMS is --start-at's time and StartOffsetMS how late the
	// run began on it; absent without --start-at.
	StartAtUnixMS int64   `json:"start_at_unix_ms,omitempty"`
	StartOffsetMS float64 `json:"start_offset_ms,omitempty"`
	Unit          string  `json:"unit"`
}

// intervalMeta is a #gowrk-interval line, following the interval's
// histograms.
type intervalMeta struct {
	StartS   float64 `json:"start_s"`
	LengthS  float64 `json:"length_s"`
	Requests uint64  `json:"requests"`
	Errors   uint64  `json:"errors"`
	Target   float64 `json:"target_per_sec"`
}

// summary is the #gowrk-summary line, written when the run ends.
type summary struct {
	RuntimeS     float64           `json:"runtime_s"`
	Interrupted  bool              `json:"interrupted"`
	Requests     uint64            `json:"requests"`
	Bytes        uint64            `json:"bytes"`
	Errors       generator.Errors  `json:"errors"`
	StatusCodes  map[int]uint64    `json:"status_codes"`
	Sent         uint64            `json:"sent"`
	Due          uint64            `json:"due"`
	Late         uint64            `json:"late"`
	MaxBehindS   float64           `json:"max_behind_s"`
	ThreadReqSec string            `json:"thread_requests_per_sec"` // encoded histogram
	Breakpoint   *breakpointRecord `json:"breakpoint,omitempty"`
}

type breakpointRecord struct {
	Found      bool     `json:"found"`
	Rate       float64  `json:"rate"`
	Throughput float64  `json:"throughput"`
	AtS        float64  `json:"at_s"`
	Reasons    []string `json:"reasons"`
}

func metaOf(cfg *generator.Config, start time.Time) runMeta {
	m := runMeta{
		Version:         logVersion,
		Connections:     cfg.Connections,
		Threads:         cfg.Threads,
		DurationS:       cfg.Duration.Seconds(),
		TimeoutS:        cfg.Timeout.Seconds(),
		SeriesIntervalS: cfg.SeriesInterval.Seconds(),
		RateFrom:        cfg.Pacer.From,
		RateTo:          cfg.Pacer.To,
		RampS:           cfg.Pacer.Over.Seconds(),
		RampSteps:       cfg.Pacer.Steps,
		StartUnixMS:     start.UnixMilli(),
		StartUnixUS:     start.UnixMicro(),
		Workload:        cfg.Workload,
		Unit:            "us",
	}
	if cfg.Shard.Enabled() {
		m.Shard, m.Shards = cfg.Shard.Index+1, cfg.Shard.Count
	}
	if st := cfg.Pacer.Stages(); len(st) > 0 {
		// The log has no field for stages: a ramp from 0 to their peak over
		// their length keeps the run open-loop for whoever reads it.
		m.RateFrom, m.RampS = 0, pace.StagesLength(st).Seconds()
		for _, s := range st {
			m.RateTo = max(m.RateTo, s.Target)
		}
	}
	if cfg.URL != nil {
		m.URL = cfg.URL.String()
	}
	if !cfg.StartAt.IsZero() {
		m.StartAtUnixMS = cfg.StartAt.UnixMilli()
		m.StartOffsetMS = float64(start.Sub(cfg.StartAt).Microseconds()) / 1000
	}
	for _, c := range cfg.Stop {
		m.StopOn = append(m.StopOn, c.String())
	}
	if len(cfg.Stop) > 0 {
		m.StopWindowS = cfg.StopWindow.Seconds()
	}
	return m
}

func (m runMeta) openLoop() bool { return m.RateFrom > 0 || m.RateTo > 0 }

func (m runMeta) start() time.Time { return time.UnixMilli(m.StartUnixMS) }

// exactStart is the start to the microsecond where the log has it.
func (m runMeta) exactStart() time.Time {
	if m.StartUnixUS != 0 && m.StartUnixUS/1000 == m.StartUnixMS {
		return time.UnixMicro(m.StartUnixUS)
	}
	return m.start()
}

// config rebuilds the run's configuration.
func (m runMeta) config() generator.Config {
	u, _ := url.Parse(m.URL)
	cfg := generator.Config{
		URL:            u,
		Connections:    m.Connections,
		Threads:        m.Threads,
		Duration:       seconds(m.DurationS),
		Timeout:        seconds(m.TimeoutS),
		SeriesInterval: seconds(m.SeriesIntervalS),
		Pacer:          pace.Pacer{From: m.RateFrom, To: m.RateTo, Over: seconds(m.RampS), Steps: m.RampSteps},
		StopWindow:     seconds(m.StopWindowS),
	}
	for _, s := range m.StopOn {
		if c, err := threshold.Parse(s); err == nil {
			cfg.Stop = append(cfg.Stop, c...)
		}
	}
	return cfg
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
