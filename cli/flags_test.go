package cli

import (
	"bytes"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/pace"
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
		{[]string{"-t", "4", "-c", "2", "http://h/"}, "number of connections must be >= threads"},
		{[]string{"foo"}, "invalid URL: foo"},
		{[]string{"http:///"}, "invalid URL: http:///"},
		{[]string{"ftp://h/"}, `unsupported URL scheme "ftp"`},
		{[]string{"-c", "1x", "http://h/"}, `invalid argument "1x" for "-c, --connections" flag: want a whole number`},
		{[]string{"-d", "10ms", "http://h/"}, `invalid argument "10ms" for "-d, --duration" flag: want whole seconds`},
		{[]string{"--bogus", "http://h/"}, "unknown flag: --bogus"},
		{[]string{"--start-at", "+0s", "http://h/"}, `invalid argument "+0s" for "--start-at" flag: want +DURATION up to +24h, e.g. +30s`},
		{[]string{"--start-at", "2020-01-01T00:00:00Z", "http://h/"}, `invalid argument "2020-01-01T00:00:00Z" for "--start-at" flag: 2020-01-01T00:00:00Z has passed`},
		{[]string{"--start-at", "9999-01-01T00:00:00Z", "http://h/"}, `invalid argument "9999-01-01T00:00:00Z" for "--start-at" flag: 9999-01-01T00:00:00Z is more than 24h away`},
		{[]string{"--start-at", "soon", "http://h/"}, `invalid argument "soon" for "--start-at" flag: want an RFC 3339 time (2026-12-03T10:00:00Z) or +DURATION (+30s)`},
		{[]string{"--shard", "0/4", "http://h/"}, `invalid argument "0/4" for "--shard" flag: want I from 1 to 4`},
		{[]string{"--shard", "5/4", "http://h/"}, `invalid argument "5/4" for "--shard" flag: want I from 1 to 4`},
		{[]string{"--shard", "2", "http://h/"}, `invalid argument "2" for "--shard" flag: want I/N with N from 1 to 10000, e.g. 2/4 for the second of 4 shards`},
		{[]string{"--shard", "1/0", "http://h/"}, `want I/N with N from 1 to 10000`},
		{[]string{"--shard", "-1/4", "http://h/"}, `want I/N with N from 1 to 10000`},
		{[]string{"--shard", "4/4", "-c", "10", "-t", "3", "http://h/"}, "--shard 4/4 gets 2 of the 10 connections, fewer than the 3 threads: raise -c or lower -t"},
		{[]string{"--shard", "1/2", "--breakpoint", "10:100", "http://h/"}, "--shard cannot be used with --breakpoint or --stop-on: stop conditions need the whole workload in one generator"},
		{[]string{"--shard", "1/2", "-R", "10", "--stop-on", "p99>1s", "http://h/"}, "--shard cannot be used with --breakpoint or --stop-on"},
		{[]string{"--json", "-", "--hdr-log", "-", "http://h/"}, "--json - and --hdr-log - cannot both write to stdout: give one a file"},
		{[]string{"-H", "novalue", "http://h/"}, `invalid header "novalue"`},
		{[]string{"-H"}, "flag needs an argument"},
		{[]string{"--prometheus-rw", "127.0.0.1:9090", "http://h/"}, `invalid argument "127.0.0.1:9090" for "--prometheus-rw" flag: want an http:// or https:// URL with a host`},
		{[]string{"--prometheus-rw", "http:///api/v1/write", "http://h/"}, `for "--prometheus-rw" flag: want an http:// or https:// URL with a host`},
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
	if cfg.Pacer != pace.ConstantRate(20000) || len(cfg.Stop) != 1 || cfg.StopWindow != 10*time.Second {
		t.Errorf("config: pacer %+v, stop %v, window %v", cfg.Pacer, cfg.Stop, cfg.StopWindow)
	}
}

func TestParseBreakpoint(t *testing.T) {
	o, err := Parse([]string{"--breakpoint", "100:20k", "--steps", "10", "-d", "2m", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := o.Config()
	if cfg.Pacer != pace.Ramp(100, 20000, 2*time.Minute, 10) {
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
		{[]string{"-R", "0", "http://h/"}, `invalid argument "0" for "-R, --rate" flag: want requests/sec from 1 to 1G`},
		{[]string{"-R", "1k", "--breakpoint", "1:2", "http://h/"}, "cannot be used together"},
		{[]string{"-U", "http://h/"}, "--u_latency needs --rate, --breakpoint or --stages"},
		{[]string{"--steps", "3", "-R", "1", "http://h/"}, "--steps needs --breakpoint"},
		{[]string{"--stop-on", "p99>1s", "http://h/"}, "need --rate, --breakpoint, --stages or --conn-stages"},
		{[]string{"--breakpoint", "10", "http://h/"}, `invalid argument "10" for "--breakpoint" flag`},
		{[]string{"--breakpoint", "10:0", "http://h/"}, `invalid argument "10:0" for "--breakpoint" flag`},
		{[]string{"--fail-on", "p99>fast", "http://h/"}, `invalid value in condition "p99>fast"`},
		{[]string{"--percentiles", "50,101", "http://h/"}, `invalid percentile "101"`},
		{[]string{"-R", "1k", "--window", "0", "http://h/"}, `invalid argument "0" for "--window" flag`},
	}
	for _, tc := range cases {
		_, err := Parse(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tc.args, err, tc.want)
		}
	}
}

// Every numeric flag is range-checked when it is parsed: values that
// overflow the engine's arithmetic, or make no sense, get one line naming
// the flag instead of a silently different run.
func TestParseRanges(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-t", "0"}, `"-t, --threads" flag: want threads from 1 to 1M`},
		{[]string{"-t", "1000001"}, `"-t, --threads" flag`},
		{[]string{"-d", "0"}, `"-d, --duration" flag: want a duration from 1s to 8784h`},
		{[]string{"-T", "0"}, `"-T, --timeout" flag: want a duration from 1s to 8784h`},
		// 18446744074 s is 2^64 ns plus a bit: it used to wrap to 0.29 s.
		{[]string{"-T", "18446744074"}, `invalid argument "18446744074" for "-T, --timeout" flag`},
		// 2^55+1 s wrapped to a 1 s run.
		{[]string{"-d", "36028797018963969"}, `invalid argument "36028797018963969" for "-d, --duration" flag`},
		{[]string{"-d", "100000000000h"}, `"-d, --duration" flag: want a duration from 1s to 8784h`},
		{[]string{"-d", "8785h"}, `"-d, --duration" flag`},
		{[]string{"-d", "18446744073709551616"}, `"-d, --duration" flag: want whole seconds`},
		{[]string{"-d", "5124095576030432h"}, `"-d, --duration" flag`},
		{[]string{"-c", "9223372036854775808", "-t", "1"}, `"-c, --connections" flag: want connections from 1 to 1M`},
		{[]string{"-c", "0"}, `"-c, --connections" flag`},
		{[]string{"-c", "1P"}, `"-c, --connections" flag`},
		{[]string{"-c", "-1"}, `"-c, --connections" flag`},
		{[]string{"-R", "1001M"}, `"-R, --rate" flag: want requests/sec from 1 to 1G`},
		{[]string{"-R", "18446744073709551615"}, `"-R, --rate" flag`},
		{[]string{"--breakpoint", "20k:100"}, `"--breakpoint" flag: want FROM:TO requests/sec, FROM <= TO`},
		{[]string{"--breakpoint", "1:2G"}, `"--breakpoint" flag`},
		{[]string{"--breakpoint", "1:2", "--steps", "0"}, `"--steps" flag: want steps from 1 to 1M`},
		{[]string{"--breakpoint", "1:2", "--steps", "2M"}, `"--steps" flag`},
		{[]string{"-R", "1", "--window", "0"}, `"--window" flag`},
		{[]string{"-R", "1", "--window", "9000h"}, `"--window" flag`},
		{[]string{"--percentiles", "NaN"}, `"--percentiles" flag: invalid percentile "NaN"`},
		{[]string{"--percentiles", "50,-0.1"}, `"--percentiles" flag`},
		{[]string{"--fail-on", "p99>1e308m"}, `"--fail-on" flag`},
		{[]string{"-R", "1", "--stop-on", "pNaN>1ms"}, `"--stop-on" flag`},
		{[]string{"-H", "X: a\r\nInjected: b"}, `invalid header`},
		{[]string{"-H", "X Y: a"}, `invalid header`},
		{[]string{"-H", "X(: a"}, `invalid header`},
	}
	for _, tc := range cases {
		args := append(tc.args, "http://h/")
		_, err := Parse(args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", args, err, tc.want)
		}
	}
	// The largest values allowed still fit the engine's types.
	o, err := Parse([]string{"-c", "1M", "-t", "1M", "-d", "8784h", "-T", "8784h", "--breakpoint", "1G:1G", "--steps", "1M", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := o.Config()
	if cfg.Duration != 8784*time.Hour || cfg.Timeout != 8784*time.Hour || cfg.Connections != 1e6 || cfg.Threads != 1e6 || cfg.Pacer.To != 1e9 {
		t.Errorf("limits: %+v", cfg)
	}
}

// URLs are checked as wrk checks them: anything but visible ASCII is
// rejected, so no request line can carry a space or a line break.
func TestParseURL(t *testing.T) {
	for _, raw := range []string{
		"http://h/a?q=1 2", "http://h/a b", "http://h/a\tb", "http://h/a\r\nX: y", "http://h/\x7f", "http://h/é",
		"http://h/#a b", "http://h:65536/", "http://h:99999/", "http://h:/", "http://h:x/", "http:h", " http://h/",
		"http://[::1/", "http://h/%zz",
	} {
		_, err := parseURL(raw)
		if err == nil || strings.ContainsAny(err.Error(), "\r\n\t\x7f") || !strings.HasPrefix(err.Error(), "invalid URL: ") {
			t.Errorf("parseURL(%q) error = %v, want one invalid URL line", raw, err)
		}
	}
	for raw, path := range map[string]string{
		"http://h":                       "/",
		"http://h:0/":                    "/",
		"http://h:65535/x":               "/x",
		"https://[::1]:8443/a?b=c#d":     "/a?b=c",
		"http://h/a%20b?q=1%202":         "/a%20b?q=1%202",
		"http://h/a!b'c*(d)[e]~$&+,;=:@": "/a!b'c*(d)[e]~$&+,;=:@",
		// Go's URL type escapes a path holding characters RFC 3986 leaves
		// out; the query goes as it is.
		`http://h/{"x"}?{"y"}`: `/%7B%22x%22%7D?{"y"}`,
	} {
		u, err := parseURL(raw)
		if err != nil {
			t.Errorf("parseURL(%q): %v", raw, err)
			continue
		}
		if got := generator.RequestPath(u.RequestURI()); got != path {
			t.Errorf("parseURL(%q) request path %q, want %q", raw, got, path)
		}
	}
}

// wrk is the oracle for which characters a URL may hold: for every byte in
// the path, the query and the fragment, gowrk accepts the URL exactly when
// wrk does. Port 1 refuses at once, so each wrk run is short.
func TestURLCharactersMatchWrk(t *testing.T) {
	wrk := testenv.Require(t, "wrk")
	for _, pos := range []string{"http://127.0.0.1:1/a%sb", "http://127.0.0.1:1/a?q=%sb", "http://127.0.0.1:1/a#%sb"} {
		for c := 1; c < 256; c++ {
			if c == '%' {
				continue // gowrk also rejects a malformed escape ("%b"); wrk sends it
			}
			raw := strings.Replace(pos, "%s", string([]byte{byte(c)}), 1)
			out, _ := exec.Command(wrk, "-t1", "-c1", "-d1", raw).CombinedOutput()
			wrkOK := !bytes.Contains(out, []byte("invalid URL"))
			_, err := parseURL(raw)
			if wrkOK != (err == nil) {
				t.Errorf("%q: wrk accepts %v, gowrk error %v", raw, wrkOK, err)
			}
		}
	}
}
