package report

import (
	"encoding/json"
	"io"
	"math"
	"sort"
	"strconv"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
	"github.com/gowrk/gowrk/threshold"
	"github.com/gowrk/gowrk/validity"
)

// SchemaVersion is the version of the JSON document's layout, documented
// by docs/json-schema.json. It changes only when a field changes meaning or
// goes away; new fields may appear within a version.
const SchemaVersion = 1

// DefaultPercentiles are reported when none are asked for.
var DefaultPercentiles = []float64{50, 75, 90, 99, 99.9, 99.99, 100}

// Details is what the machine-readable and HTML reports add to a Result.
type Details struct {
	// Version is gowrk's version.
	Version string
	// Percentiles to report, 0-100; DefaultPercentiles when empty.
	Percentiles []float64
	// Thresholds are the --fail-on outcomes, if any.
	Thresholds []threshold.Outcome
	// Sources are the runs a merged result was built from.
	Sources []summary.Source
	// Monitor is the generator's and the monitored targets' resource
	// samples, if any.
	Monitor []sysstat.Series
	// TargetProfile is the target's CPU profile (--profile-target), if any.
	TargetProfile *TargetProfile
	// Validity is the run's validity verdict, if it was judged.
	Validity *validity.Verdict
	// Rounds are the figures of every --rounds round, and Round the one
	// (from 1) the rest of the report is of; none without --rounds.
	Rounds []Round
	Round  int
}

func (d Details) percentiles() []float64 {
	if len(d.Percentiles) == 0 {
		return DefaultPercentiles
	}
	return d.Percentiles
}

// Mode names the kind of run: "closed-loop", "constant-rate", "breakpoint",
// "stages" or "merged".
func Mode(res *generator.Result, d Details) string {
	switch {
	case len(d.Sources) > 0:
		return "merged"
	case res.Breakpoint != nil && len(res.Config.Pacer.Stages()) == 0:
		return "breakpoint"
	case len(res.Config.Pacer.Stages()) > 0:
		return "stages"
	case res.Config.Pacer.Enabled():
		return "constant-rate"
	}
	return "closed-loop"
}

type jsonReport struct {
	SchemaVersion  int               `json:"schema_version"`
	Tool           string            `json:"tool"`
	Version        string            `json:"version"`
	Mode           string            `json:"mode"`
	Start          string            `json:"start"`
	StartAt        string            `json:"start_at,omitempty"`
	Workload       string            `json:"workload,omitempty"`
	Round          int               `json:"round,omitempty"`
	Rounds         []jsonRound       `json:"rounds,omitempty"`
	Shard          *jsonShard        `json:"shard,omitempty"`
	StartOffsetS   *float64          `json:"start_offset_s,omitempty"`
	Config         jsonConfig        `json:"config"`
	RuntimeS       float64           `json:"runtime_s"`
	Interrupted    bool              `json:"interrupted"`
	Engine         string            `json:"engine,omitempty"`
	Requests       uint64            `json:"requests"`
	Sent           *uint64           `json:"sent,omitempty"`
	Bytes          uint64            `json:"bytes"`
	RequestsPerSec float64           `json:"requests_per_sec"`
	BytesPerSec    float64           `json:"bytes_per_sec"`
	Errors         jsonErrors        `json:"errors"`
	RequestsDone   *jsonRequests     `json:"request_options,omitempty"`
	StatusCodes    map[string]uint64 `json:"status_codes"`
	Latency        jsonLatency       `json:"latency"`
	ThreadReqSec   jsonSummary       `json:"thread_requests_per_sec"`
	Schedule       *jsonSchedule     `json:"schedule,omitempty"`
	Breakpoint     *jsonBreakpoint   `json:"breakpoint,omitempty"`
	Thresholds     []jsonThreshold   `json:"thresholds,omitempty"`
	Series         []jsonInterval    `json:"series"`
	Sources        []jsonSource      `json:"sources,omitempty"`
	Endpoints      []jsonEndpoint    `json:"endpoints,omitempty"`
	Generator      *jsonGenerator    `json:"generator,omitempty"`
	Monitor        []jsonMonitor     `json:"monitor,omitempty"`
	Connect        *jsonConnect      `json:"connect,omitempty"`
	TargetProfile  *jsonCPUProfile   `json:"target_profile,omitempty"`
	Validity       *jsonValidity     `json:"validity,omitempty"`
}

type jsonConfig struct {
	URL            string      `json:"url"`
	Connections    int         `json:"connections"`
	Threads        int         `json:"threads"`
	DurationS      float64     `json:"duration_s"`
	TimeoutS       float64     `json:"timeout_s"`
	Rate           *float64    `json:"rate,omitempty"`
	RampFrom       *float64    `json:"ramp_from,omitempty"`
	RampTo         *float64    `json:"ramp_to,omitempty"`
	RampSteps      *int        `json:"ramp_steps,omitempty"`
	StopOn         []string    `json:"stop_on,omitempty"`
	StopWindowS    *float64    `json:"stop_window_s,omitempty"`
	SeriesInterval float64     `json:"series_interval_s"`
	Stages         []jsonStage `json:"stages,omitempty"`
	ConnStages     []jsonStage `json:"conn_stages,omitempty"`
	HTTP2          bool        `json:"http2,omitempty"`
	Streams        int         `json:"streams,omitempty"`
	Method         string      `json:"method,omitempty"`
	BodyBytes      int         `json:"body_bytes,omitempty"`
	Requests       uint64      `json:"requests,omitempty"`
	WarmupS        float64     `json:"warmup_s,omitempty"`
	Follow         int         `json:"follow,omitempty"`
	ExpectStatus   []string    `json:"expect_status,omitempty"`
	ExpectBody     bool        `json:"expect_body,omitempty"`
}

type jsonShard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

type jsonErrors struct {
	Connect uint64 `json:"connect"`
	Read    uint64 `json:"read"`
	Write   uint64 `json:"write"`
	Timeout uint64 `json:"timeout"`
	Status  uint64 `json:"status"`
	Reset   uint64 `json:"reset"`
	Check   uint64 `json:"check"`
	// CheckBody counts, of Check, the responses whose body failed.
	CheckBody uint64       `json:"check_body"`
	Total     uint64       `json:"total"`
	Reasons   []jsonReason `json:"reasons"`
}

// jsonOutcomes are the headline latency of the successful and of the
// failed responses apart.
type jsonOutcomes struct {
	Success jsonDistribution `json:"success"`
	Failure jsonDistribution `json:"failure"`
}

// jsonRequests are what the request options did: redirects followed and
// not, and whether -n's requests were all done.
type jsonRequests struct {
	Redirects  uint64 `json:"redirects"`
	Unfollowed uint64 `json:"unfollowed"`
	Completed  bool   `json:"completed"`
}

type jsonLatency struct {
	Correction  string           `json:"correction"`
	Corrected   jsonDistribution `json:"corrected"`
	Uncorrected jsonDistribution `json:"uncorrected"`
	Outcomes    *jsonOutcomes    `json:"outcomes,omitempty"`
}

type jsonDistribution struct {
	Count          int64            `json:"count"`
	MinUS          int64            `json:"min_us"`
	MaxUS          int64            `json:"max_us"`
	MeanUS         float64          `json:"mean_us"`
	StdevUS        float64          `json:"stdev_us"`
	WithinStdevPct *float64         `json:"within_stdev_pct"`
	Percentiles    []jsonPercentile `json:"percentiles"`
}

type jsonPercentile struct {
	Percentile float64 `json:"percentile"`
	ValueUS    int64   `json:"value_us"`
}

type jsonSummary struct {
	Count          int64    `json:"count"`
	Mean           float64  `json:"mean"`
	Stdev          float64  `json:"stdev"`
	Max            int64    `json:"max"`
	WithinStdevPct *float64 `json:"within_stdev_pct"`
}

type jsonSchedule struct {
	Sent       uint64  `json:"sent"`
	Due        uint64  `json:"due"`
	Late       uint64  `json:"late"`
	Unsent     uint64  `json:"unsent"`
	MaxBehindS float64 `json:"max_behind_s"`
	SentPerSec float64 `json:"sent_per_sec"`
}

type jsonBreakpoint struct {
	Found      bool    `json:"found"`
	Rate       float64 `json:"rate"`
	Throughput float64 `json:"throughput"`
	// Connections is set with --conn-stages.
	Connections *float64 `json:"connections,omitempty"`
	AtS         float64  `json:"at_s"`
	Reasons     []string `json:"reasons"`
	// TargetCPU is each monitored target's CPU at the breakpoint.
	TargetCPU []jsonTargetCPU `json:"target_cpu,omitempty"`
}

type jsonThreshold struct {
	Condition string   `json:"condition"`
	Broken    bool     `json:"broken"`
	Value     *float64 `json:"value"`
	Display   string   `json:"display"`
}

type jsonInterval struct {
	StartS         float64 `json:"start_s"`
	LengthS        float64 `json:"length_s"`
	Requests       uint64  `json:"requests"`
	Errors         uint64  `json:"errors"`
	RequestsPerSec float64 `json:"requests_per_sec"`
	TargetPerSec   float64 `json:"target_per_sec"`
	P50US          int64   `json:"p50_us"`
	P90US          int64   `json:"p90_us"`
	P99US          int64   `json:"p99_us"`
	MaxUS          int64   `json:"max_us"`
	// With --conn-stages: the connections called for and active.
	TargetConnections *float64 `json:"target_connections,omitempty"`
	Connections       *int     `json:"connections,omitempty"`
}

type jsonSource struct {
	File     string  `json:"file"`
	URL      string  `json:"url"`
	Start    string  `json:"start"`
	RuntimeS float64 `json:"runtime_s"`
	Requests uint64  `json:"requests"`
}

// JSON writes run as one indented JSON document (see docs/json-schema.json).
func JSON(w io.Writer, run *summary.Run, d Details) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(buildJSON(run, d))
}

func buildJSON(run *summary.Run, d Details) jsonReport {
	res := run.Result
	cfg := &res.Config
	secs := res.Runtime.Seconds()
	headline := run.Headline
	doc := jsonReport{
		SchemaVersion: SchemaVersion,
		Tool:          "gowrk",
		Version:       d.Version,
		Mode:          Mode(res, d),
		Start:         res.Start.UTC().Format(time.RFC3339Nano),
		Config:        configJSON(cfg),
		RuntimeS:      secs,
		Interrupted:   res.Interrupted,
		Requests:      res.Requests,
		Bytes:         res.Bytes,
		Errors: jsonErrors{
			Connect: res.Errors.Connect, Read: res.Errors.Read, Write: res.Errors.Write,
			Timeout: res.Errors.Timeout, Status: res.Errors.Status, Reset: res.Errors.Reset,
			Check: res.Errors.Check, CheckBody: res.Errors.CheckBody,
			Total:   res.Errors.Socket() + res.Errors.Responses(),
			Reasons: reasonsJSON(res.ErrorReasons),
		},
		StatusCodes: map[string]uint64{},
		Latency: jsonLatency{
			Correction:  run.Correction(),
			Corrected:   distributionJSON(headline, d.percentiles()),
			Uncorrected: distributionJSON(res.Latency, d.percentiles()),
		},
		ThreadReqSec: summaryJSON(res.RequestRate),
		Connect:      connectJSON(res.Connect),
		Series:       make([]jsonInterval, 0, len(res.Series)),
	}
	if success, failure := run.Outcomes(); success != nil {
		doc.Latency.Outcomes = &jsonOutcomes{Success: distributionJSON(success, d.percentiles()), Failure: distributionJSON(failure, d.percentiles())}
	}
	if cfg.Follow > 0 || cfg.Requests > 0 {
		doc.RequestsDone = &jsonRequests{Redirects: res.Redirects, Unfollowed: res.Unfollowed, Completed: res.Completed}
	}
	if res.Engine != generator.EngineAuto {
		// A run's own result; merged ones do not know these.
		sent := res.Sent
		doc.Engine, doc.Sent = res.Engine.String(), &sent
	}
	if secs > 0 {
		doc.RequestsPerSec = float64(res.Requests) / secs
		doc.BytesPerSec = float64(res.Bytes) / secs
	}
	for code, n := range res.StatusCodes {
		doc.StatusCodes[strconv.Itoa(code)] = n
	}
	if cfg.Pacer.Enabled() {
		doc.Schedule = &jsonSchedule{
			Sent: res.Sent, Due: res.Due, Late: res.Late, Unsent: res.Unsent(),
			MaxBehindS: res.MaxBehind.Seconds(),
		}
		if secs > 0 {
			doc.Schedule.SentPerSec = float64(res.Sent) / secs
		}
	}
	if bp := res.Breakpoint; bp != nil {
		doc.Breakpoint = &jsonBreakpoint{Found: bp.Found, Rate: bp.Rate, Throughput: bp.Throughput, AtS: bp.At.Seconds(), Reasons: bp.Reasons}
		if len(cfg.ConnStages) > 0 {
			conns := bp.Connections
			doc.Breakpoint.Connections = &conns
		}
		if doc.Breakpoint.Reasons == nil {
			doc.Breakpoint.Reasons = []string{}
		}
	}
	for _, o := range d.Thresholds {
		t := jsonThreshold{Condition: o.Condition.String(), Broken: o.Holds, Display: o.String()}
		if !o.NoData {
			v := o.Value
			t.Value = &v
		}
		doc.Thresholds = append(doc.Thresholds, t)
	}
	for _, iv := range res.Series {
		j := jsonInterval{
			StartS: iv.Start.Seconds(), LengthS: iv.Length.Seconds(),
			Requests: iv.Requests, Errors: iv.Errors, RequestsPerSec: iv.Rate(), TargetPerSec: iv.Target,
			P50US: iv.P50, P90US: iv.P90, P99US: iv.P99, MaxUS: iv.Max,
		}
		if len(cfg.ConnStages) > 0 {
			target, conns := iv.TargetConns, iv.Conns
			j.TargetConnections, j.Connections = &target, &conns
		}
		doc.Series = append(doc.Series, j)
	}
	doc.Endpoints = endpointsJSON(res)
	monitorJSON(&doc, res, d)
	doc.TargetProfile = targetProfileJSON(d.TargetProfile)
	doc.Validity = validityJSON(d.Validity)
	for _, s := range d.Sources {
		doc.Sources = append(doc.Sources, jsonSource{
			File: s.File, URL: s.URL, Start: s.Start.UTC().Format(time.RFC3339Nano),
			RuntimeS: s.Runtime.Seconds(), Requests: s.Requests,
		})
	}
	doc.Workload = cfg.Workload
	doc.Round, doc.Rounds = d.Round, roundsJSON(d.Rounds)
	if cfg.Shard.Enabled() {
		doc.Shard = &jsonShard{Index: cfg.Shard.Index + 1, Count: cfg.Shard.Count}
	}
	if !cfg.StartAt.IsZero() {
		off := res.StartOffset.Seconds()
		doc.StartAt, doc.StartOffsetS = cfg.StartAt.UTC().Format(time.RFC3339Nano), &off
	}
	return doc
}

func configJSON(cfg *generator.Config) jsonConfig {
	c := jsonConfig{
		Connections:    cfg.Connections,
		Threads:        cfg.Threads,
		DurationS:      cfg.Duration.Seconds(),
		TimeoutS:       cfg.Timeout.Seconds(),
		SeriesInterval: cfg.SeriesInterval.Seconds(),
	}
	if cfg.URL != nil {
		c.URL = cfg.URL.String()
	}
	if cfg.Transport.HTTP2 {
		c.HTTP2, c.Streams = true, max(cfg.Transport.Streams, 1)
	}
	if cfg.Method != "GET" {
		c.Method = cfg.Method
	}
	c.BodyBytes, c.Requests, c.WarmupS, c.Follow = len(cfg.Body), cfg.Requests, cfg.Warmup.Seconds(), cfg.Follow
	for _, r := range cfg.Expect.Status {
		s := strconv.Itoa(r.Lo)
		if r.Hi != r.Lo {
			s += "-" + strconv.Itoa(r.Hi)
		}
		c.ExpectStatus = append(c.ExpectStatus, s)
	}
	c.ExpectBody = cfg.Expect.Body != nil
	p := cfg.Pacer
	c.Stages, c.ConnStages = stagesJSON(p.Stages()), stagesJSON(cfg.ConnStages)
	switch {
	case len(p.Stages()) > 0:
	case p.Ramping():
		c.RampFrom, c.RampTo, c.RampSteps = &p.From, &p.To, &p.Steps
	case p.Enabled():
		c.Rate = &p.To
	}
	if len(cfg.Stop) > 0 {
		for _, s := range cfg.Stop {
			c.StopOn = append(c.StopOn, s.String())
		}
		w := cfg.StopWindow.Seconds()
		c.StopWindowS = &w
	}
	return c
}

func distributionJSON(h *hdrhistogram.Histogram, percentiles []float64) jsonDistribution {
	s := stats.Summarize(h)
	d := jsonDistribution{
		Count: s.Count, MinUS: s.Min, MaxUS: s.Max, MeanUS: s.Mean, StdevUS: s.Stdev,
		WithinStdevPct: finite(s.WithinStdev),
		Percentiles:    make([]jsonPercentile, 0, len(percentiles)),
	}
	bars := stats.Bars(h)
	sorted := append([]float64(nil), percentiles...)
	sort.Float64s(sorted)
	for _, p := range sorted {
		d.Percentiles = append(d.Percentiles, jsonPercentile{Percentile: p, ValueUS: stats.PercentileOf(bars, s.Count, p)})
	}
	return d
}

func summaryJSON(h *hdrhistogram.Histogram) jsonSummary {
	s := stats.Summarize(h)
	return jsonSummary{Count: s.Count, Mean: s.Mean, Stdev: s.Stdev, Max: s.Max, WithinStdevPct: finite(s.WithinStdev)}
}

// finite is v, or nil (JSON null) for the NaN of an empty distribution.
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
