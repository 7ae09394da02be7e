package cli

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
)

func TestParseDefaultsAndUnits(t *testing.T) {
	o, err := Parse([]string{"http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Connections != 10 || o.Threads != 2 || o.Duration != 10 || o.Timeout != 2 || o.Latency {
		t.Errorf("defaults: %+v", o)
	}
	o, err = Parse([]string{"-c", "1k", "-t", "4", "-d", "2m", "--timeout", "5s", "--latency", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Connections != 1000 || o.Threads != 4 || o.Duration != 120 || o.Timeout != 5 || !o.Latency {
		t.Errorf("parsed: %+v", o)
	}
}

func TestParseOptionsAfterURLAndScriptArgs(t *testing.T) {
	o, err := Parse([]string{"http://h/x", "-c", "20", "a", "--", "-b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if o.RawURL != "http://h/x" || o.Connections != 20 {
		t.Errorf("url %q connections %d", o.RawURL, o.Connections)
	}
	if want := []string{"a", "-b", "c"}; !reflect.DeepEqual(o.ScriptArgs, want) {
		t.Errorf("script args %q, want %q", o.ScriptArgs, want)
	}
}

func TestParseHeaders(t *testing.T) {
	o, err := Parse([]string{"-H", "X-A: b", "-H", "X-B:c", "-H", "host:  h2 ", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	want := []generator.Header{{Name: "X-A", Value: "b"}, {Name: "X-B", Value: "c"}, {Name: "host", Value: "h2"}}
	if !reflect.DeepEqual(o.Headers, want) {
		t.Errorf("headers %+v, want %+v", o.Headers, want)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"-t", "0", "http://h/"}, "usage"},
		{[]string{"-d", "0", "http://h/"}, "usage"},
		{[]string{"-t", "4", "-c", "2", "http://h/"}, "number of connections must be >= threads"},
		{[]string{"foo"}, "invalid URL: foo"},
		{[]string{"http:///"}, "invalid URL: http:///"},
		{[]string{"ftp://h/"}, `unsupported URL scheme "ftp"`},
		{[]string{"-c", "1x", "http://h/"}, `invalid number "1x"`},
		{[]string{"-d", "10ms", "http://h/"}, `invalid time "10ms"`},
		{[]string{"--bogus", "http://h/"}, "unknown flag: --bogus"},
		{[]string{"-H", "novalue", "http://h/"}, `invalid header "novalue"`},
		{[]string{"-H"}, "flag needs an argument"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestParseOpenLoopAndOutputs(t *testing.T) {
	o, err := Parse([]string{"-R", "20k", "-U", "--json", "-", "--percentiles", "50,99.9", "--hdr-out", "a.hgrm", "--hdr-log", "a.hlog",
		"--report", "r.html", "--fail-on", "p99>200ms,errors>0.1%", "-q", "--stop-on", "p99>1s", "--window", "10s", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Rate != 20000 || !o.Uncorrected || o.JSON != "-" || !reflect.DeepEqual(o.Percentiles, []float64{50, 99.9}) ||
		o.HdrOut != "a.hgrm" || o.HdrLog != "a.hlog" || o.Report != "r.html" || len(o.FailOn) != 2 || !o.Quiet {
		t.Errorf("parsed: %+v", o)
	}
	cfg := o.Config()
	if cfg.Pacer != generator.ConstantRate(20000) || len(cfg.Stop) != 1 || cfg.StopWindow != 10*time.Second {
		t.Errorf("config: pacer %+v, stop %v, window %v", cfg.Pacer, cfg.Stop, cfg.StopWindow)
	}
}

func TestParseBreakpoint(t *testing.T) {
	o, err := Parse([]string{"--breakpoint", "100:20k", "--steps", "10", "-d", "2m", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := o.Config()
	if cfg.Pacer != generator.Ramp(100, 20000, 2*time.Minute, 10) {
		t.Errorf("pacer %+v", cfg.Pacer)
	}
	if len(cfg.Stop) != 2 || cfg.Stop[0].String() != "p99>500ms" || cfg.Stop[1].String() != "errors>1%" || cfg.StopWindow != 5*time.Second {
		t.Errorf("default stop conditions %v over %v", cfg.Stop, cfg.StopWindow)
	}
}

func TestParseModeErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-R", "0", "http://h/"}, "invalid rate 0"},
		{[]string{"-R", "1k", "--breakpoint", "1:2", "http://h/"}, "cannot be used together"},
		{[]string{"-U", "http://h/"}, "--u_latency needs --rate or --breakpoint"},
		{[]string{"--steps", "3", "-R", "1", "http://h/"}, "--steps needs --breakpoint"},
		{[]string{"--stop-on", "p99>1s", "http://h/"}, "need --rate or --breakpoint"},
		{[]string{"--breakpoint", "10", "http://h/"}, `invalid ramp "10"`},
		{[]string{"--breakpoint", "10:0", "http://h/"}, `invalid ramp "10:0"`},
		{[]string{"--fail-on", "p99>fast", "http://h/"}, `invalid value in condition "p99>fast"`},
		{[]string{"--percentiles", "50,101", "http://h/"}, `invalid percentile "101"`},
		{[]string{"-R", "1k", "--window", "0", "http://h/"}, "invalid window 0"},
	}
	for _, tc := range cases {
		_, err := Parse(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tc.args, err, tc.want)
		}
	}
}
