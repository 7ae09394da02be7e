// Package cli is the gowrk command: it parses wrk's flags into a
// generator.Config, runs it and prints the report. cmd/gowrk only calls Main.
package cli

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/generator"
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
	Latency     bool
	Version     bool
	Help        bool
}

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

// Parse reads wrk's command line. Options may follow the URL; every other
// word after the URL goes to the script.
func Parse(args []string) (*Options, error) {
	o := &Options{Connections: 10, Threads: 2, Duration: 10, Timeout: 2}
	fs := pflag.NewFlagSet("gowrk", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.SortFlags = false
	fs.VarP(metricValue{&o.Connections}, "connections", "c", "Connections to keep open")
	fs.VarP(timeValue{&o.Duration}, "duration", "d", "Duration of test")
	fs.VarP(metricValue{&o.Threads}, "threads", "t", "Number of threads to use")
	fs.StringVarP(&o.Script, "script", "s", "", "Load Lua script file")
	fs.VarP(headerValue{&o.Headers}, "header", "H", "Add header to request")
	fs.BoolVarP(&o.Latency, "latency", "L", false, "Print latency statistics")
	fs.VarP(timeValue{&o.Timeout}, "timeout", "T", "Socket/request timeout")
	fs.BoolVarP(&o.Version, "version", "v", false, "Print version details")
	fs.BoolVarP(&o.Help, "help", "h", false, "Print this help")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.Help || o.Version {
		return o, nil
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

// Config turns the options into the engine's configuration.
func (o *Options) Config() generator.Config {
	return generator.Config{
		URL:         o.URL,
		Connections: int(o.Connections),
		Threads:     int(o.Threads),
		Duration:    time.Duration(o.Duration) * time.Second,
		Timeout:     time.Duration(o.Timeout) * time.Second,
		Headers:     o.Headers,
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
