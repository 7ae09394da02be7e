package cli

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/generator"
)

// visibleASCII reports whether s holds only the bytes wrk accepts in a URL.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// FuzzParseURL checks that every URL gowrk accepts gives a request line an
// HTTP parser (net/http's) reads back with the same target, that it
// accepts only what wrk accepts, and that it accepts every path wrk does
// (visible ASCII; gowrk alone rejects malformed escapes).
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"http://h/", "https://[::1]:8443/a?b=c#d", "http://h/a?q=1 2", "http://h:65536/", "http://h:/", "http:h",
		"http://u:p@h/x", "http://h/a%20b", "http://h/%zz", "http://h/\r\nX: y", "HTTP://H", "http://h?", "http://h#", "//h/",
		`http://h/{"x"}?{"y"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		check(t, raw)
		if tail := strings.TrimLeft(raw, "/"); visibleASCII(tail) && !strings.Contains(tail, "%") {
			full := "http://127.0.0.1:8080/" + tail
			if _, err := parseURL(full); err != nil {
				t.Fatalf("parseURL(%q) = %v; wrk accepts it", full, err)
			}
			check(t, full)
		}
	})
}

func check(t *testing.T, raw string) {
	u, err := parseURL(raw)
	if err != nil {
		msg := err.Error()
		if strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "invalid URL: ") && !strings.HasPrefix(msg, "unsupported URL scheme") {
			t.Fatalf("parseURL(%q) error %q: want one invalid URL line", raw, msg)
		}
		return
	}
	if !visibleASCII(raw) {
		t.Fatalf("parseURL(%q) accepted what wrk rejects", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" {
		t.Fatalf("parseURL(%q): scheme %q host %q", raw, u.Scheme, u.Host)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n > 65535 {
			t.Fatalf("parseURL(%q): port %q", raw, p)
		}
	}
	target := generator.RequestPath(u.RequestURI())
	if !strings.HasPrefix(target, "/") || !visibleASCII(target) {
		t.Fatalf("parseURL(%q): request target %q", raw, target)
	}
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n")))
	if err != nil {
		t.Fatalf("parseURL(%q): the request line for %q does not parse: %v", raw, target, err)
	}
	if req.RequestURI != target || req.Host != u.Host {
		t.Fatalf("parseURL(%q): request read back as %q on %q", raw, req.RequestURI, req.Host)
	}
}

// FuzzParseArgs checks that any command line either parses into a
// configuration the engine can run (within the flags' limits) or fails
// with one line; never a panic.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"-c\x001k\x00-t\x004\x00-d\x002m\x00http://h/",
		"-T\x0018446744074\x00http://h/",
		"-d\x0036028797018963969\x00http://h/",
		"-c\x009223372036854775808\x00-t\x001\x00http://h/",
		"--breakpoint\x00100:20k\x00--steps\x0010\x00http://h/",
		"-R\x001k\x00--window\x0010s\x00--stop-on\x00p99>1s\x00http://h/",
		"--fail-on\x00p99>200ms,errors>1%\x00--percentiles\x0050,99.9\x00http://h/",
		"-H\x00X: a\x00http://h/a?q=1\x00script\x00args",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		o, err := Parse(args)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("Parse(%q): error on several lines: %q", args, err)
			}
			return
		}
		if o.Help || o.Version {
			return
		}
		cfg := o.Config()
		switch {
		case cfg.Threads < 1 || cfg.Connections < cfg.Threads || cfg.Connections > maxConnections:
			t.Fatalf("Parse(%q): %d connections, %d threads", args, cfg.Connections, cfg.Threads)
		case cfg.Duration < 1e9 || cfg.Duration > maxSeconds*1e9 || cfg.Timeout < 1e9 || cfg.Timeout > maxSeconds*1e9:
			t.Fatalf("Parse(%q): duration %v, timeout %v", args, cfg.Duration, cfg.Timeout)
		case cfg.Pacer.From < 0 || cfg.Pacer.From > cfg.Pacer.To || cfg.Pacer.To > maxRate || cfg.Pacer.Steps < 0 || cfg.Pacer.Steps > maxSteps:
			t.Fatalf("Parse(%q): pacer %+v", args, cfg.Pacer)
		case len(cfg.Stop) > 0 && (cfg.StopWindow < 1e9 || cfg.StopWindow > maxSeconds*1e9):
			t.Fatalf("Parse(%q): stop window %v", args, cfg.StopWindow)
		}
		for _, h := range cfg.Headers {
			if !validHeaderName(h.Name) || strings.ContainsAny(h.Value, "\r\n") {
				t.Fatalf("Parse(%q): header %q: %q", args, h.Name, h.Value)
			}
		}
		for _, p := range o.Percentiles {
			if !(p >= 0 && p <= 100) {
				t.Fatalf("Parse(%q): percentile %v", args, p)
			}
		}
	})
}

// FuzzCompareReports: a report compare reads, whatever it holds, is
// refused in one line or compared without a panic.
func FuzzCompareReports(f *testing.F) {
	iv := `{"start_s":%d,"length_s":1,"requests":%d,"errors":0,"requests_per_sec":%d,"target_per_sec":0,"p50_us":%d,"p90_us":2,"p99_us":3,"max_us":4}`
	var series []string
	for i := 0; i < 6; i++ {
		series = append(series, fmt.Sprintf(iv, i, 100+i, 100+i, i))
	}
	f.Add(`{"tool":"gowrk","schema_version":1,"workload":"0123456789abcdef","config":{"series_interval_s":1},"series":[` + strings.Join(series, ",") + `]}`)
	f.Add(`{"tool":"gowrk","schema_version":1,"config":{"series_interval_s":1e-300},"series":[]}`)
	f.Add(`{"tool":"gowrk","schema_version":1,"config":{"series_interval_s":-1},"series":null}`)
	f.Add(`[]`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, doc string) {
		path := filepath.Join(dir, "r.json")
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		in, err := readCompareInput(path)
		if err == nil {
			_, err = compareRuns(in, in, nil)
		}
		if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("error on several lines: %q", err)
		}
	})
}
