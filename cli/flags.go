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

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/generator"
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

	Outputs
	Watch
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
}

// defaultStopOn are breakpoint mode's stop conditions unless --stop-on
// gives others.
const defaultStopOn = "p99>500ms,errors>1%"

// errUsage asks for the usage text, as wrk prints it for missing arguments.
var errUsage = errors.New("usage")

// metricValue is a flag taking wrk's metric numbers (1k, 2M).
type metricValue struct{ v *uint64 }

func (m metricValue) String() string { return fmt.Sprint(*m.v) }
func (m metricValue) Type() string   { return "N" }
func (m metricValue) Set(s string) error {
	n, err := units.ParseMetric(s)
	if err != nil {
		return err
	}
	*m.v = n
	return nil
}

// timeValue is a flag taking wrk's durations (10, 10s, 2m, 1h).
type timeValue struct{ v *uint64 }

func (t timeValue) String() string { return fmt.Sprint(*t.v) }
func (t timeValue) Type() string   { return "T" }
func (t timeValue) Set(s string) error {
	n, err := units.ParseTime(s)
	if err != nil {
		return err
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
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
		return fmt.Errorf("invalid header %q: want \"Name: value\"", s)
	}
	*h.h = append(*h.h, generator.Header{Name: name, Value: strings.TrimSpace(value)})
	return nil
}

// rampValue is --breakpoint's FROM:TO, two metric numbers.
type rampValue struct{ from, to *uint64 }

func (r rampValue) String() string { return "" }
func (r rampValue) Type() string   { return "FROM:TO" }
func (r rampValue) Set(s string) error {
	a, b, ok := strings.Cut(s, ":")
	from, err1 := units.ParseMetric(a)
	to, err2 := units.ParseMetric(b)
	if !ok || err1 != nil || err2 != nil || to == 0 {
		return fmt.Errorf("invalid ramp %q: want FROM:TO requests/sec, e.g. 100:20k", s)
	}
	*r.from, *r.to = from, to
	return nil
}

// conditionsValue is a list of threshold conditions ("p99>200ms,errors>1%").
type conditionsValue struct{ c *[]threshold.Condition }

func (c conditionsValue) String() string { return "" }
func (c conditionsValue) Type() string   { return "CONDITIONS" }
func (c conditionsValue) Set(s string) error {
	conds, err := threshold.Parse(s)
	if err != nil {
		return err
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
		if err != nil || v < 0 || v > 100 {
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
	fs.Var(conditionsValue{&o.FailOn}, "fail-on", "Exit 2 when a condition holds")
}

// Parse reads wrk's command line. Options may follow the URL; every other
// word after the URL goes to the script.
func Parse(args []string) (*Options, error) {
	o := &Options{Connections: 10, Threads: 2, Duration: 10, Timeout: 2, StopWindow: 5}
	fs := pflag.NewFlagSet("gowrk", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.SortFlags = false
	fs.VarP(metricValue{&o.Connections}, "connections", "c", "Connections to keep open")
	fs.VarP(timeValue{&o.Duration}, "duration", "d", "Duration of test")
	fs.VarP(metricValue{&o.Threads}, "threads", "t", "Number of threads to use")
	fs.StringVarP(&o.Script, "script", "s", "", "Load Lua script file")
	fs.VarP(headerValue{&o.Headers}, "header", "H", "Add header to request")
	fs.VarP(timeValue{&o.Timeout}, "timeout", "T", "Socket/request timeout")
	fs.BoolVarP(&o.Version, "version", "v", false, "Print version details")
	fs.BoolVarP(&o.Help, "help", "h", false, "Print this help")
	fs.VarP(metricValue{&o.Rate}, "rate", "R", "Constant request rate")
	fs.Var(rampValue{&o.RampFrom, &o.RampTo}, "breakpoint", "Ramp the rate to find the breakpoint")
	fs.Var(metricValue{&o.Steps}, "steps", "Ramp in steps")
	fs.Var(conditionsValue{&o.StopOn}, "stop-on", "Breakpoint stop conditions")
	fs.Var(timeValue{&o.StopWindow}, "window", "Stop conditions' window")
	fs.StringVar(&o.HdrLog, "hdr-log", "", "Write an HdrHistogram interval log")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "No live progress")
	addOutputFlags(fs, &o.Outputs)
	addWatchFlags(fs, &o.Watch)
	if err := fs.Parse(joinDashboardAddr(args)); err != nil {
		return nil, err
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
	rest := fs.Args()
	if len(rest) == 0 || o.Threads == 0 || o.Duration == 0 {
		return nil, errUsage
	}
	o.RawURL, o.ScriptArgs = rest[0], rest[1:]
	u, err := parseURL(o.RawURL)
	if err != nil {
		return nil, err
	}
	o.URL = u
	if o.Connections < o.Threads {
		return nil, errors.New("number of connections must be >= threads")
	}
	return o, nil
}

func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Scheme == "" {
		return nil, fmt.Errorf("invalid URL: %s", raw)
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
	case fs.Changed("rate") && o.Rate == 0:
		return errors.New("invalid rate 0: want requests/sec above 0")
	case o.Rate > 0 && o.Breakpoint:
		return errors.New("--rate and --breakpoint cannot be used together")
	case o.Uncorrected && !openLoop:
		return errors.New("--u_latency needs --rate or --breakpoint")
	case fs.Changed("steps") && !o.Breakpoint:
		return errors.New("--steps needs --breakpoint")
	case (fs.Changed("stop-on") || fs.Changed("window")) && !openLoop:
		return errors.New("--stop-on and --window need --rate or --breakpoint")
	case fs.Changed("window") && o.StopWindow == 0:
		return errors.New("invalid window 0: want a duration, e.g. 5s")
	}
	if o.Breakpoint && o.StopOn == nil {
		o.StopOn, _ = threshold.Parse(defaultStopOn)
	}
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
	}
	switch {
	case o.Breakpoint:
		cfg.Pacer = generator.Ramp(float64(o.RampFrom), float64(o.RampTo), cfg.Duration, int(o.Steps))
	case o.Rate > 0:
		cfg.Pacer = generator.ConstantRate(float64(o.Rate))
	}
	if len(o.StopOn) > 0 {
		cfg.Stop = o.StopOn
		cfg.StopWindow = time.Duration(o.StopWindow) * time.Second
	}
	return cfg
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
