// Package cli is the gowrk command: it parses wrk's flags into a
// generator.Config, runs it and prints the report. cmd/gowrk only calls Main.
package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/threshold"
	"github.com/gowrk/gowrk/units"
)

// Options is the parsed command line.
type Options struct {
	URL         *url.URL
	RawURL      string
	Connections uint64
	Threads     uint64
	Duration    uint64 // seconds
	Timeout     uint64 // seconds
	Script      string
	ScriptArgs  []string
	Headers     []generator.Header
	Version     bool
	Help        bool

	// Rate is -R's total requests per second; 0 for closed loop.
	Rate uint64
	// Breakpoint ramps the rate from RampFrom to RampTo over the duration,
	// in Steps steps (0: linearly), until a StopOn condition holds over the
	// last StopWindow seconds.
	Breakpoint       bool
	RampFrom, RampTo uint64
	Steps            uint64
	StopOn           []threshold.Condition
	StopWindow       uint64
	Quiet            bool
	// MaxBody is how much of each response body a response() hook sees.
	MaxBody uint64

	// Targets is a vegeta targets file ("-": stdin) sent in TargetsOrder.
	Targets      string
	TargetsOrder string
	// Stages ramp the request rate, ConnStages the active connections.
	Stages, ConnStages []pace.Stage
	// CPUProfile is where a Go CPU profile of the run is written.
	CPUProfile string
	// ProfileTarget is the target's pprof URL, whose CPU profile is taken
	// during the run (--profile-target).
	ProfileTarget string
	// Engine is how connections are driven (--engine).
	Engine generator.Engine
	// StartAt is --start-at, resolved to a wall-clock time.
	StartAt time.Time
	// Shard is --shard: this generator's part of the workload.
	Shard generator.Shard
	// Rounds is --rounds: how many times the whole run is repeated.
	Rounds uint64

	RequestOptions
	Outputs
	Watch
	TransportOptions
}

// Outputs are the report options a run shares with gowrk merge.
type Outputs struct {
	// Latency and Uncorrected select the text report's latency blocks.
	Latency, Uncorrected bool
	// JSON, Report, HdrOut and HdrLog are files to write ("" for none;
	// JSON "-" is stdout instead of the text report).
	JSON, Report, HdrOut, HdrLog string
	Percentiles                  []float64
	FailOn                       []threshold.Condition
	// ByEndpoint groups results by endpoint and prints them after the
	// text report; ErrorReasons prints the errors' reasons there.
	ByEndpoint, ErrorReasons bool
	// ConnectTimes adds the connection timing block to the text report.
	ConnectTimes bool
}

// defaultStopOn are breakpoint mode's stop conditions unless --stop-on
// gives others.
const defaultStopOn = "p99>500ms,errors>1%"

// errUsage asks for the usage text, as wrk prints it for missing arguments.
var errUsage = errors.New("usage")

// Limits of the numeric flags. They keep every value well inside what the
// engine's int and time.Duration arithmetic can hold, and far above any
// real test.
const (
	maxConnections = 1_000_000
	maxRate        = 1_000_000_000 // requests/sec
	maxSteps       = 1_000_000
	maxBodyCap     = 1 << 30         // bytes a response() hook may see
	maxSeconds     = 366 * 24 * 3600 // a year, leap or not
)

// metricValue is a flag taking wrk's metric numbers (1k, 2M) from min to
// max.
type metricValue struct {
	v        *uint64
	min, max uint64
	what     string // what the number counts, for the error
}

func (m metricValue) String() string { return fmt.Sprint(*m.v) }
func (m metricValue) Type() string   { return "N" }
func (m metricValue) Set(s string) error {
	n, err := units.ParseMetric(s)
	if err != nil {
		return fmt.Errorf("want a whole number of %s, e.g. 10 or 2k", m.what)
	}
	if n < m.min || n > m.max {
		return fmt.Errorf("want %s from %s to %s", m.what, metricText(m.min), metricText(m.max))
	}
	*m.v = n
	return nil
}

// metricText writes n with the largest metric suffix that divides it.
func metricText(n uint64) string {
	suffix := ""
	for _, s := range []string{"k", "M", "G"} {
		if n == 0 || n%1000 != 0 {
			break
		}
		n, suffix = n/1000, s
	}
	return fmt.Sprint(n) + suffix
}

// timeValue is a flag taking wrk's durations (10, 10s, 2m, 1h), in seconds,
// from 1s to a year.
type timeValue struct{ v *uint64 }

func (t timeValue) String() string { return fmt.Sprint(*t.v) }
func (t timeValue) Type() string   { return "T" }
func (t timeValue) Set(s string) error {
	n, err := units.ParseTime(s)
	if err != nil {
		return errors.New("want whole seconds, minutes or hours, e.g. 10s, 2m or 1h")
	}
	if n < 1 || n > maxSeconds {
		return fmt.Errorf("want a duration from 1s to %dh", maxSeconds/3600)
	}
	*t.v = n
	return nil
}

// headerValue collects repeated -H "Name: value" flags.
type headerValue struct{ h *[]generator.Header }

func (h headerValue) String() string { return "" }
func (h headerValue) Type() string   { return "H" }
func (h headerValue) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || !validHeaderName(name) || !validHeaderValue(value) {
		return fmt.Errorf("invalid header %q: want \"Name: value\"", s)
	}
	*h.h = append(*h.h, generator.Header{Name: name, Value: value})
	return nil
}

// validHeaderName reports whether name is an HTTP token (RFC 9110).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validHeaderValue rejects control characters, which would end the header
// line early (CR, LF) or make the request invalid.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// engineValue is --engine: auto, loop or goroutine.
type engineValue struct{ e *generator.Engine }

func (e engineValue) String() string { return e.e.String() }
func (e engineValue) Type() string   { return "ENGINE" }
func (e engineValue) Set(s string) error {
	v, err := generator.ParseEngine(s)
	if err != nil {
		return errors.New("want auto, loop or goroutine")
	}
	*e.e = v
	return nil
}

// startAtValue is --start-at: an RFC 3339 time, or +DURATION from now.
type startAtValue struct{ t *time.Time }

func (v startAtValue) String() string { return "" }
func (v startAtValue) Type() string   { return "TIME" }
func (v startAtValue) Set(s string) error {
	now := time.Now()
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		d, err := time.ParseDuration(rest)
		if err != nil || d <= 0 || d > maxStartWait {
			return errors.New("want +DURATION up to +24h, e.g. +30s")
		}
		*v.t = now.Add(d)
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	switch {
	case err != nil:
		return errors.New("want an RFC 3339 time (2026-12-03T10:00:00Z) or +DURATION (+30s)")
	case !t.After(now):
		return fmt.Errorf("%s has passed", s)
	case t.Sub(now) > maxStartWait:
		return fmt.Errorf("%s is more than 24h away", s)
	}
	*v.t = t
	return nil
}

// shardValue is --shard I/N: this generator's part, I from 1 to N, of a
// workload that N generators run together.
type shardValue struct{ s *generator.Shard }

func (v shardValue) String() string { return "" }
func (v shardValue) Type() string   { return "I/N" }
func (v shardValue) Set(s string) error {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.ParseUint(is, 10, 32)
	n, err2 := strconv.ParseUint(ns, 10, 32)
	switch {
	case !ok || err1 != nil || err2 != nil || n == 0 || n > maxShards:
		return fmt.Errorf("want I/N with N from 1 to %d, e.g. 2/4 for the second of 4 shards", maxShards)
	case i < 1 || i > n:
		return fmt.Errorf("want I from 1 to %d", n)
	}
	*v.s = generator.Shard{Index: int(i) - 1, Count: int(n)}
	return nil
}

// maxShards bounds --shard's N: far more generators than any test runs.
const maxShards = 10_000

// maxStartWait bounds --start-at, so a typo in the date does not wait days.
const maxStartWait = 24 * time.Hour

// rampValue is --breakpoint's FROM:TO, two metric numbers.
type rampValue struct{ from, to *uint64 }

func (r rampValue) String() string { return "" }
func (r rampValue) Type() string   { return "FROM:TO" }
func (r rampValue) Set(s string) error {
	a, b, ok := strings.Cut(s, ":")
	from, err1 := units.ParseMetric(a)
	to, err2 := units.ParseMetric(b)
	if !ok || err1 != nil || err2 != nil || to == 0 || from > to || to > maxRate {
		return fmt.Errorf("want FROM:TO requests/sec, FROM <= TO, TO from 1 to %s, e.g. 100:20k", metricText(maxRate))
	}
	*r.from, *r.to = from, to
	return nil
}

// stagesValue is --stages' DURATION:N[,DURATION:N...], e.g. 30s:1k,2m:10k.
type stagesValue struct {
	s    *[]pace.Stage
	max  uint64
	what string
}

func (v stagesValue) String() string { return "" }
func (v stagesValue) Type() string   { return "STAGES" }
func (v stagesValue) Set(s string) error {
	var out []pace.Stage
	for _, part := range strings.Split(s, ",") {
		d, n, ok := strings.Cut(strings.TrimSpace(part), ":")
		secs, err1 := units.ParseTime(d)
		target, err2 := units.ParseMetric(n)
		if !ok || err1 != nil || err2 != nil || secs < 1 || secs > maxSeconds || target > v.max {
			return fmt.Errorf("invalid stage %q: want DURATION:%s, the duration from 1s, the number up to %s, e.g. 30s:1k,2m:10k,30s:0", strings.Map(printable, part), v.what, metricText(v.max))
		}
		out = append(out, pace.Stage{Duration: time.Duration(secs) * time.Second, Target: float64(target)})
	}
	if pace.StagesLength(out) > maxSeconds*time.Second {
		return fmt.Errorf("stages last over %dh", maxSeconds/3600)
	}
	*v.s = out
	return nil
}

// stagesMax is the highest target of the stages.
func stagesMax(stages []pace.Stage) uint64 {
	var m float64
	for _, s := range stages {
		m = max(m, s.Target)
	}
	return uint64(m)
}

// conditionsValue is a list of threshold conditions ("p99>200ms,errors>1%").
// Windowed ones (--stop-on) are checked during the run, which has no
// validity verdict yet.
type conditionsValue struct {
	c        *[]threshold.Condition
	windowed bool
}

func (c conditionsValue) String() string { return "" }
func (c conditionsValue) Type() string   { return "CONDITIONS" }
func (c conditionsValue) Set(s string) error {
	conds, err := threshold.Parse(s)
	if err != nil {
		return err
	}
	for _, cond := range conds {
		if c.windowed && cond.Metric == threshold.Validity {
			return fmt.Errorf("%q is a --fail-on condition: the validity verdict comes after the run", cond)
		}
	}
	*c.c = conds
	return nil
}

// percentilesValue is a list of percentiles ("50,90,99,99.9").
type percentilesValue struct{ p *[]float64 }

func (p percentilesValue) String() string { return "" }
func (p percentilesValue) Type() string   { return "LIST" }
func (p percentilesValue) Set(s string) error {
	var out []float64
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || !(v >= 0 && v <= 100) { // NaN fails both
			return fmt.Errorf("invalid percentile %q: want numbers from 0 to 100, e.g. 50,90,99,99.9", part)
		}
		out = append(out, v)
	}
	*p.p = out
	return nil
}

// addOutputFlags declares the report flags a run shares with gowrk merge.
func addOutputFlags(fs *pflag.FlagSet, o *Outputs) {
	fs.BoolVarP(&o.Latency, "latency", "L", false, "Print latency statistics")
	fs.BoolVarP(&o.Uncorrected, "u_latency", "U", false, "Print uncorrected latency statistics")
	fs.StringVar(&o.JSON, "json", "", "Write results as JSON")
	fs.Var(percentilesValue{&o.Percentiles}, "percentiles", "Percentiles in JSON and HTML")
	fs.StringVar(&o.HdrOut, "hdr-out", "", "Write the latency distribution (.hgrm)")
	fs.StringVar(&o.Report, "report", "", "Write an HTML report")
	fs.Var(conditionsValue{c: &o.FailOn}, "fail-on", "Exit 2 when a condition holds")
	fs.BoolVar(&o.ConnectTimes, "connect-times", false, "Print DNS, TCP and TLS connection times")
}

// Parse reads wrk's command line. Options may follow the URL; every other
// word after the URL goes to the script.
func Parse(args []string) (*Options, error) {
	o := &Options{Connections: 10, Threads: 2, Duration: 10, Timeout: 2, StopWindow: 5, MaxBody: generator.DefaultMaxBody}
	fs := pflag.NewFlagSet("gowrk", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.SortFlags = false
	fs.VarP(metricValue{&o.Connections, 1, maxConnections, "connections"}, "connections", "c", "Connections to keep open")
	fs.VarP(timeValue{&o.Duration}, "duration", "d", "Duration of test")
	fs.VarP(metricValue{&o.Threads, 1, maxConnections, "threads"}, "threads", "t", "Number of threads to use")
	fs.StringVarP(&o.Script, "script", "s", "", "Load Lua script file")
	fs.VarP(headerValue{&o.Headers}, "header", "H", "Add header to request")
	fs.VarP(timeValue{&o.Timeout}, "timeout", "T", "Socket/request timeout")
	fs.BoolVarP(&o.Version, "version", "v", false, "Print version details")
	fs.BoolVarP(&o.Help, "help", "h", false, "Print this help")
	fs.VarP(metricValue{&o.Rate, 1, maxRate, "requests/sec"}, "rate", "R", "Constant request rate")
	fs.Var(rampValue{&o.RampFrom, &o.RampTo}, "breakpoint", "Ramp the rate to find the breakpoint")
	fs.Var(metricValue{&o.Steps, 1, maxSteps, "steps"}, "steps", "Ramp in steps")
	fs.Var(conditionsValue{c: &o.StopOn, windowed: true}, "stop-on", "Breakpoint stop conditions")
	fs.Var(timeValue{&o.StopWindow}, "window", "Stop conditions' window")
	fs.StringVar(&o.HdrLog, "hdr-log", "", "Write an HdrHistogram interval log")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "No live progress")
	fs.Var(metricValue{&o.MaxBody, 1, maxBodyCap, "bytes"}, "max-body", "Body bytes a response() hook sees")
	fs.StringVar(&o.Targets, "targets", "", "Send the requests of a targets file")
	fs.StringVar(&o.TargetsOrder, "targets-order", "sequence", "sequence or random")
	fs.BoolVar(&o.ByEndpoint, "by-endpoint", false, "Results per endpoint")
	fs.BoolVar(&o.ErrorReasons, "error-reasons", false, "Print the errors' reasons")
	fs.Var(stagesValue{&o.Stages, maxRate, "RATE"}, "stages", "Ramp the rate through stages")
	fs.Var(stagesValue{&o.ConnStages, maxConnections, "CONNECTIONS"}, "conn-stages", "Ramp the connections through stages")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "Write a Go CPU profile of gowrk")
	fs.Var(engineValue{&o.Engine}, "engine", "auto, loop or goroutine")
	fs.Var(startAtValue{&o.StartAt}, "start-at", "Start at a wall-clock time")
	fs.Var(shardValue{&o.Shard}, "shard", "Run part I of N of the workload")
	addRequestFlags(fs, &o.RequestOptions)
	addOutputFlags(fs, &o.Outputs)
	addWatchFlags(fs, &o.Watch)
	addRoundsFlags(fs, &o.Rounds)
	addProfileTargetFlag(fs, &o.ProfileTarget)
	addTransportFlags(fs, &o.TransportOptions)
	if err := fs.Parse(joinDashboardAddr(args)); err != nil {
		return nil, flagError(err)
	}
	if o.Help || o.Version {
		return o, nil
	}
	o.Breakpoint = fs.Changed("breakpoint")
	if err := o.checkModes(fs); err != nil {
		return nil, err
	}
	if err := o.Watch.check(fs); err != nil {
		return nil, err
	}
	if err := o.checkStages(fs); err != nil {
		return nil, err
	}
	rest := fs.Args()
	if len(rest) == 0 && o.Targets == "" {
		return nil, errUsage
	}
	if len(rest) > 0 {
		o.RawURL, o.ScriptArgs = rest[0], rest[1:]
		u, err := parseURL(o.RawURL)
		if err != nil {
			return nil, err
		}
		o.URL = u
	}
	if err := o.TransportOptions.check(fs, o.URL); err != nil {
		return nil, err
	}
	if err := o.RequestOptions.check(fs, o); err != nil {
		return nil, err
	}
	if o.Connections < o.Threads {
		return nil, errors.New("number of connections must be >= threads")
	}
	if err := o.checkShard(); err != nil {
		return nil, err
	}
	if o.JSON == "-" && o.HdrLog == "-" {
		return nil, errors.New("--json - and --hdr-log - cannot both write to stdout: give one a file")
	}
	return o, nil
}

// checkShard refuses a shard that cannot run its part: too few
// connections for its threads, or stop conditions, which would stop each
// shard on its own part's results.
func (o *Options) checkShard() error {
	s := o.Shard
	if !s.Enabled() {
		return nil
	}
	if o.Breakpoint || len(o.StopOn) > 0 {
		return errors.New("--shard cannot be used with --breakpoint or --stop-on: stop conditions need the whole workload in one generator")
	}
	if own := s.ShareOf(int(o.Connections)); uint64(own) < o.Threads {
		return fmt.Errorf("--shard %s gets %d of the %d connections, fewer than the %d threads: raise -c or lower -t", s, own, o.Connections, o.Threads)
	}
	return nil
}

// flagError keeps pflag's message, which names the flag, on one line
// even when an unknown flag's name holds a line break.
func flagError(err error) error {
	return errors.New(strings.Map(printable, err.Error()))
}

// parseURL accepts what wrk accepts: an http or https URL with a host, an
// optional port up to 65535, and only visible ASCII characters, so that no
// request line can hold a space or a line break. wrk rejects the rest with
// the same "invalid URL" message. Unlike wrk, a malformed escape ("%zz")
// is rejected too, since net/url cannot represent it.
func parseURL(raw string) (*url.URL, error) {
	bad := fmt.Errorf("invalid URL: %s", strings.Map(printable, raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] >= 0x7f {
			return nil, bad
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Scheme == "" || u.Opaque != "" {
		return nil, bad
	}
	if strings.HasSuffix(u.Host, ":") {
		return nil, bad // an empty port
	}
	if port := u.Port(); port != "" {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return nil, bad
		}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("unsupported URL scheme %q (want http or https): %s", u.Scheme, raw)
	}
	return u, nil
}

// checkModes rejects flags that make no sense together.
func (o *Options) checkModes(fs *pflag.FlagSet) error {
	openLoop := o.Rate > 0 || o.Breakpoint
	switch {
	case o.Rate > 0 && o.Breakpoint:
		return errors.New("--rate and --breakpoint cannot be used together")
	case o.Uncorrected && !openLoop && o.Stages == nil:
		return errors.New("--u_latency needs --rate, --breakpoint or --stages")
	case fs.Changed("steps") && !o.Breakpoint:
		return errors.New("--steps needs --breakpoint")
	case (fs.Changed("stop-on") || fs.Changed("window")) && !openLoop && o.Stages == nil && o.ConnStages == nil:
		return errors.New("--stop-on and --window need --rate, --breakpoint, --stages or --conn-stages")
	}
	if o.Breakpoint && o.StopOn == nil {
		o.StopOn, _ = threshold.Parse(defaultStopOn)
	}
	return nil
}

// checkStages rejects stages with the flags they replace and sets the
// duration to theirs; --conn-stages sets -c when it is not given.
func (o *Options) checkStages(fs *pflag.FlagSet) error {
	if _, err := targetsOrder(o.TargetsOrder); err != nil {
		return err
	}
	stages := o.Stages
	switch {
	case o.Stages == nil && o.ConnStages == nil:
		return nil
	case o.Stages != nil && o.ConnStages != nil:
		return errors.New("--stages and --conn-stages cannot be used together")
	case o.Rate > 0 || o.Breakpoint:
		return errors.New("--stages and --conn-stages replace --rate and --breakpoint")
	case fs.Changed("duration"):
		return errors.New("the stages set the duration: drop -d")
	case o.ConnStages != nil:
		stages = o.ConnStages
		top := stagesMax(stages)
		if !fs.Changed("connections") {
			o.Connections = max(top, o.Threads)
		} else if top > o.Connections {
			return fmt.Errorf("--conn-stages asks for %d connections, more than -c %d", top, o.Connections)
		}
	}
	o.Duration = uint64(pace.StagesLength(stages) / time.Second)
	return nil
}

// Config turns the options into the engine's configuration.
func (o *Options) Config() generator.Config {
	cfg := generator.Config{
		URL:         o.URL,
		Connections: int(o.Connections),
		Threads:     int(o.Threads),
		Duration:    time.Duration(o.Duration) * time.Second,
		Timeout:     time.Duration(o.Timeout) * time.Second,
		Headers:     o.Headers,
		MaxBody:     int(o.MaxBody),
		Transport:   o.transport(),
		Engine:      o.Engine,
		StartAt:     o.StartAt,
		Shard:       o.Shard,
	}
	switch {
	case o.Breakpoint:
		cfg.Pacer = pace.Ramp(float64(o.RampFrom), float64(o.RampTo), cfg.Duration, int(o.Steps))
	case o.Rate > 0:
		cfg.Pacer = pace.ConstantRate(float64(o.Rate))
	case o.Stages != nil:
		cfg.Pacer = pace.Staged(o.Stages)
	}
	cfg.ConnStages = o.ConnStages
	o.RequestOptions.apply(&cfg, o.MaxBody)
	cfg.ByEndpoint = o.ByEndpoint || o.Targets != ""
	if len(o.StopOn) > 0 {
		cfg.Stop = o.StopOn
		cfg.StopWindow = time.Duration(o.StopWindow) * time.Second
	}
	return cfg
}

// printable replaces what would garble an error line on a terminal.
func printable(r rune) rune {
	if r < ' ' || r == 0x7f || r == utf8.RuneError {
		return '?'
	}
	return r
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
