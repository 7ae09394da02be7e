package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gowrk/gowrk/hdrlog"
	"github.com/gowrk/gowrk/internal/testcaddy"
	"github.com/gowrk/gowrk/internal/testnginx"
	"github.com/gowrk/gowrk/internal/testserver"
)

// The combination matrix: every feature on every transport and engine
// either gives the answer the server's own access log gives (requests per
// path and status, connections), or is refused with one line before the
// run. Each case runs the shipped binary against one nginx under a path
// prefix of its own, so that its log lines are its own.

// matrixTransport is one way of reaching the server.
type matrixTransport struct {
	name string
	// url is the URL for path on s; args the transport's flags.
	url  func(s *testnginx.Protocols, path string) string
	args func(m *matrix) []string
	// engine is the engine the run must use; "" means the loop engine,
	// or the goroutine engine when the proxy tunnels (scripted requests).
	engine   string
	protocol string // as the server logs it
	tls      bool
	proxy    bool
	// caddy says the server is Caddy, whose log names no connections: the
	// QUIC handshakes count them instead.
	caddy bool
}

// matrixFeature is one feature, with what it adds to the command line
// and what it must show beyond the common checks.
type matrixFeature struct {
	name string
	// args builds the feature's flags for case c (after the URL: script
	// arguments); path is the URL's path under the case's prefix.
	args func(c *matrixCase) []string
	path string
	// script says the requests are the feature's own (a script, a
	// targets file): a proxy then tunnels them.
	script bool
	// conns is the connections the run makes, when not matrixConns;
	// stages says the connection stages set -c, duration that the
	// feature sets the run's length.
	conns    int
	stages   bool
	duration bool
	check    func(t *testing.T, c *matrixCase, r *matrixResult)
	// refusedOn says, for a transport the feature cannot run on, what the
	// one line refusing it holds; "" where it runs.
	refusedOn func(tr matrixTransport) string
}

// matrix is the shared server and proxy.
type matrix struct {
	s     *testnginx.Protocols
	caddy *testcaddy.Server
	proxy *testserver.Proxy
	bin   string
	// caddyLog is Caddy's log, read once after the runs, by case.
	caddyOnce sync.Once
	caddyLog  map[string][]testnginx.ProtocolEntry
}

// caseLog is what the case's server logged of it.
func (c *matrixCase) caseLog(t *testing.T) []testnginx.ProtocolEntry {
	if !c.tr.caddy {
		return c.m.s.CaseLog(t, c.id)
	}
	m := c.m
	m.caddyOnce.Do(func() {
		m.caddyLog = map[string][]testnginx.ProtocolEntry{}
		for _, e := range m.caddy.Log(t) {
			parts := strings.SplitN(e.URI, "/", 4) // "", "m", id, rest
			if len(parts) < 4 || parts[1] != "m" {
				continue
			}
			prefix := "/m/" + parts[2]
			// Caddy logs a request the client gave up with status 0;
			// nginx's 499 stands for it here.
			status := strconv.Itoa(e.Status)
			if e.Status == 0 {
				status = "499"
			}
			m.caddyLog[prefix] = append(m.caddyLog[prefix], testnginx.ProtocolEntry{
				Protocol: e.Proto, Status: status, Method: e.Method, URI: e.URI, TLS: "TLSv1.3",
			})
		}
	})
	return m.caddyLog[c.prefix]
}

// matrixCase is one cell.
type matrixCase struct {
	m      *matrix
	tr     matrixTransport
	f      matrixFeature
	id     int
	prefix string
	dir    string
	run    matrixRun
}

// matrixResult is what a run printed, wrote and what nginx logged of it.
type matrixResult struct {
	code           int
	stdout, stderr string
	doc            matrixJSON
	log            []testnginx.ProtocolEntry
}

type matrixJSON struct {
	RuntimeS       float64                    `json:"runtime_s"`
	Engine         string                     `json:"engine"`
	Requests       uint64                     `json:"requests"`
	Sent           uint64                     `json:"sent"`
	StatusCodes    map[string]uint64          `json:"status_codes"`
	RequestOptions struct{ Redirects uint64 } `json:"request_options"`
	Errors         struct {
		Connect, Read, Write, Timeout, Status, Reset, Check uint64
		Reasons                                             []struct {
			Class, Reason string
			Count         uint64
		}
	} `json:"errors"`
	Endpoints []struct {
		Name        string            `json:"name"`
		Requests    uint64            `json:"requests"`
		StatusCodes map[string]uint64 `json:"status_codes"`
	} `json:"endpoints"`
	Schedule *struct {
		Sent, Due uint64
	} `json:"schedule"`
	Series []struct {
		Requests          uint64   `json:"requests"`
		TargetConnections *float64 `json:"target_connections"`
		Connections       *int     `json:"connections"`
	} `json:"series"`
	Connect struct {
		TCP, TLS, QUIC *struct{ Count int64 }
	} `json:"connect"`
	Breakpoint *struct {
		Found bool
		Rate  float64
	} `json:"breakpoint"`
}

// matrixConns are a case's connections, and openLoopConns an open-loop
// case's.
const (
	matrixConns   = 4
	openLoopConns = 32
)

var matrixTransports = []matrixTransport{
	{name: "http1 loop", url: plainURL, args: engineArgs("loop"), engine: "loop", protocol: "HTTP/1.1"},
	{name: "http1 goroutine", url: plainURL, args: engineArgs("goroutine"), engine: "goroutine", protocol: "HTTP/1.1"},
	{name: "https", url: func(s *testnginx.Protocols, p string) string { return s.URL("https", s.TLS, p) },
		args: engineArgs(""), engine: "goroutine", protocol: "HTTP/1.1", tls: true},
	{name: "h2c loop", url: func(s *testnginx.Protocols, p string) string { return s.URL("http", s.H2C, p) },
		args: engineArgs("loop", "--http2", "--streams", "4"), engine: "loop", protocol: "HTTP/2.0"},
	{name: "h2c goroutine", url: func(s *testnginx.Protocols, p string) string { return s.URL("http", s.H2C, p) },
		args: engineArgs("goroutine", "--http2", "--streams", "4"), engine: "goroutine", protocol: "HTTP/2.0"},
	{name: "h2 tls", url: func(s *testnginx.Protocols, p string) string { return s.URL("https", s.H2, p) },
		args: engineArgs("", "--http2", "--streams", "4"), engine: "goroutine", protocol: "HTTP/2.0", tls: true},
	{name: "unix loop", url: unixURL, args: func(m *matrix) []string {
		return []string{"--engine", "loop", "--unix-socket", m.s.Unix}
	}, engine: "loop", protocol: "HTTP/1.1"},
	{name: "unix goroutine", url: unixURL, args: func(m *matrix) []string {
		return []string{"--engine", "goroutine", "--unix-socket", m.s.Unix}
	}, engine: "goroutine", protocol: "HTTP/1.1"},
	{name: "proxy", url: plainURL, args: func(m *matrix) []string {
		return []string{"--proxy", "http://" + m.proxy.Addr}
	}, protocol: "HTTP/1.1", proxy: true},
	{name: "h3", url: nil, args: engineArgs("", "--http3", "--streams", "2"), engine: "goroutine", protocol: "HTTP/3.0", tls: true, caddy: true},
}

func plainURL(s *testnginx.Protocols, p string) string { return s.URL("http", s.HTTP, p) }

func unixURL(_ *testnginx.Protocols, p string) string { return "http://gowrk.test" + p }

func engineArgs(engine string, more ...string) func(*matrix) []string {
	return func(*matrix) []string {
		if engine == "" {
			return more
		}
		return append([]string{"--engine", engine}, more...)
	}
}

var matrixFeatures = []matrixFeature{
	{name: "plain", path: "/a"},
	{name: "targets by endpoint", args: func(c *matrixCase) []string {
		targets := fmt.Sprintf("GET %[1]s/a\n\nGET %[1]s/b\n\nGET %[1]s/err\n", c.prefix)
		return []string{"--targets", c.file("t.targets", targets), "--by-endpoint"}
	}, path: "/", script: true, check: func(t *testing.T, c *matrixCase, r *matrixResult) {
		r.wantEndpoints(t, c, "a", "b", "err")
	}},
	{name: "error reasons", path: "/err", args: func(*matrixCase) []string { return []string{"--error-reasons"} },
		check: func(t *testing.T, c *matrixCase, r *matrixResult) {
			if n := r.reason("status", "HTTP 503"); n == 0 || n != r.doc.StatusCodes["503"] || n != r.doc.Requests {
				t.Errorf("HTTP 503 reason %d, 503s %d, requests %d", n, r.doc.StatusCodes["503"], r.doc.Requests)
			}
			if !strings.Contains(r.stdout, "HTTP 503") {
				t.Errorf("no reasons block in the text report:\n%s", r.stdout)
			}
		}},
	{name: "requests and checks", path: "/err", duration: true, args: func(*matrixCase) []string {
		return []string{"-n", "90", "--expect-status", "2xx", "--expect-body", "."}
	}, check: func(t *testing.T, c *matrixCase, r *matrixResult) {
		e := r.doc.Errors
		if r.doc.Requests != 90 || r.doc.Sent != 90 || len(r.log) != 90 || e.Check != 90 || e.Status != 0 {
			t.Errorf("-n 90: %d responses, %d sent, %d logged, %d failed checks, %d status errors", r.doc.Requests, r.doc.Sent, len(r.log), e.Check, e.Status)
		}
	}},
	{name: "follow", path: "/redir", duration: true, args: func(*matrixCase) []string { return []string{"-n", "40", "--follow", "1"} },
		check: func(t *testing.T, c *matrixCase, r *matrixResult) {
			hops := r.count(func(e testnginx.ProtocolEntry) bool { return strings.HasSuffix(e.URI, "/redir") && e.Status == "302" })
			landed := r.count(func(e testnginx.ProtocolEntry) bool { return strings.HasSuffix(e.URI, "/a") && e.Status == "200" })
			if r.doc.Requests != 40 || r.doc.StatusCodes["200"] != 40 || r.doc.RequestOptions.Redirects != 40 || hops != 40 || landed != 40 {
				t.Errorf("--follow 1 -n 40: %d responses (%v), %d redirects; nginx %d redirects, %d landed", r.doc.Requests, r.doc.StatusCodes, r.doc.RequestOptions.Redirects, hops, landed)
			}
		}, refusedOn: func(tr matrixTransport) string {
			if tr.caddy {
				return "--follow is not available with --http3"
			}
			return ""
		}},
	{name: "script request()", path: "/", script: true, args: func(c *matrixCase) []string {
		script := `local paths = {"a", "b", "err"}
local i = 0
local prefix
function init(args) prefix = args[1] end
function request()
  i = i + 1
  return wrk.format("GET", prefix .. "/" .. paths[i % 3 + 1])
end
`
		return []string{"-s", c.file("request.lua", script), "--by-endpoint", "--", c.prefix}
	}, check: func(t *testing.T, c *matrixCase, r *matrixResult) {
		r.wantEndpoints(t, c, "a", "b", "err")
	}},
	{name: "script setup init response done", path: "/err", script: true, args: func(c *matrixCase) []string {
		out := filepath.Join(c.dir, "done.txt")
		script := fmt.Sprintf(`local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args) seen = 0; arg = args[1] end
function response(status, headers, body)
  if status == 503 and #body > 0 then seen = seen + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("seen") end
  local f = io.open(%q, "w")
  f:write(#threads, " ", threads[2]:get("id"), " ", threads[1]:get("arg"), " ", total, " ", summary.requests, "\n")
  f:close()
end
`, out)
		return []string{"-s", c.file("hooks.lua", script), "--", "x"}
	}, check: func(t *testing.T, c *matrixCase, r *matrixResult) {
		b, err := os.ReadFile(filepath.Join(c.dir, "done.txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("2 2 x %d %d\n", r.doc.Requests, r.doc.Requests)
		if string(b) != want || r.doc.StatusCodes["503"] != r.doc.Requests {
			t.Errorf("done() wrote %q, want %q (503s %d)", b, want, r.doc.StatusCodes["503"])
		}
	}},
	{name: "script delay()", path: "/a", script: true, args: func(c *matrixCase) []string {
		return []string{"-s", c.file("delay.lua", "function delay() return 50 end\n")}
	}, refusedOn: func(tr matrixTransport) string {
		if tr.caddy {
			return "delay() cannot pace --http3 with --streams 2"
		}
		return ""
	}, check: func(t *testing.T, c *matrixCase, r *matrixResult) {
		// 4 connections, one request per 50 ms each, over 1 s.
		if n := r.doc.Requests; n < 40 || n > 4*20+4 {
			t.Errorf("%d requests with a 50 ms delay() on 4 connections in 1 s, want about 80", n)
		}
	}},
	// Open-loop runs get connections to spare, so that a machine busy with
	// other tests delays requests without holding back the schedule.
	{name: "rate", path: "/a", conns: openLoopConns, duration: true, args: func(*matrixCase) []string { return []string{"-R", "200", "-d", "2"} },
		check: func(t *testing.T, c *matrixCase, r *matrixResult) {
			r.wantScheduled(t, 400, 200, 2)
		}},
	{name: "stages", path: "/a", conns: openLoopConns, duration: true, args: func(*matrixCase) []string { return []string{"--stages", "1s:100,1s:200"} },
		check: func(t *testing.T, c *matrixCase, r *matrixResult) {
			r.wantScheduled(t, 200, 200, 2) // 50 in the first second, 150 in the second
		}},
	{name: "conn stages", path: "/a", conns: 6, stages: true, duration: true, args: func(*matrixCase) []string {
		return []string{"--conn-stages", "1s:2,1s:6"}
	}, check: func(t *testing.T, c *matrixCase, r *matrixResult) {
		if len(r.doc.Series) < 2 {
			t.Fatalf("series %+v", r.doc.Series)
		}
		first, last := r.doc.Series[0], r.doc.Series[len(r.doc.Series)-1]
		// The first bucket ends as the second stage starts: its third
		// connection may just have come.
		if first.Connections == nil || *first.Connections < 2 || *first.Connections > 3 || last.Connections == nil || *last.Connections != 6 {
			t.Errorf("active connections %v then %v, want 2 then 6", first.Connections, last.Connections)
		}
	}},
	{name: "breakpoint", path: "/a", conns: openLoopConns, duration: true, args: func(*matrixCase) []string { return []string{"--breakpoint", "100:400", "-d", "2"} },
		check: func(t *testing.T, c *matrixCase, r *matrixResult) {
			r.wantScheduled(t, 500, 400, 2) // (100+400)/2 over 2 s
			if bp := r.doc.Breakpoint; bp == nil || bp.Found {
				t.Errorf("breakpoint %+v, want none found", bp)
			}
		}},
	{name: "connect times", path: "/a", args: func(*matrixCase) []string { return []string{"--connect-times"} },
		check: func(t *testing.T, c *matrixCase, r *matrixResult) {
			if c.tr.caddy {
				if q := r.doc.Connect.QUIC; q == nil || q.Count != matrixConns || r.doc.Connect.TCP != nil {
					t.Errorf("QUIC handshakes %+v, TCP %+v; want %d QUIC and no TCP", q, r.doc.Connect.TCP, matrixConns)
				}
			} else if c.tr.tls && (r.doc.Connect.TLS == nil || r.doc.Connect.TLS.Count != r.doc.Connect.TCP.Count) {
				t.Errorf("TLS handshakes %+v for %d connections", r.doc.Connect.TLS, r.doc.Connect.TCP.Count)
			}
			if !strings.Contains(r.stdout, "Connect") {
				t.Errorf("no connection timing in the text report:\n%s", r.stdout)
			}
		}},
	{name: "outputs", path: "/a", args: func(c *matrixCase) []string {
		return []string{"--hdr-log", filepath.Join(c.dir, "run.hlog"), "--report", filepath.Join(c.dir, "run.html")}
	}, check: func(t *testing.T, c *matrixCase, r *matrixResult) {
		l, err := hdrlog.Open(filepath.Join(c.dir, "run.hlog"))
		if err != nil {
			t.Fatal(err)
		}
		hs, err := l.Histograms()
		if err != nil {
			t.Fatal(err)
		}
		defer hs.Close()
		var total int64
		for {
			_, tag, h, err := hs.Next()
			if err != nil {
				t.Fatal(err)
			}
			if h == nil {
				break
			}
			if tag == hdrlog.UncorrectedTag {
				total += h.TotalCount()
			}
		}
		if uint64(total) != r.doc.Requests {
			t.Errorf("the interval log holds %d measured latencies, the JSON %d requests", total, r.doc.Requests)
		}
		html, err := os.ReadFile(filepath.Join(c.dir, "run.html"))
		if err != nil || !bytes.Contains(html, []byte("<html")) {
			t.Errorf("HTML report: %v", err)
		}
	}},
	{name: "timeout", path: "/hang", duration: true, args: func(*matrixCase) []string { return []string{"-T", "1", "-d", "2"} },
		check: func(t *testing.T, c *matrixCase, r *matrixResult) {
			e := r.doc.Errors
			if r.doc.Requests != 0 || e.Timeout < matrixConns || e.Read+e.Write+e.Connect+e.Reset != 0 {
				t.Errorf("requests %d, errors %+v; want only timeouts, at least one per connection", r.doc.Requests, e)
			}
			if n := r.reason("timeout", "timeout"); n != e.Timeout {
				t.Errorf("%d timeouts with their reason, want %d", n, e.Timeout)
			}
			// nginx logs 499 for every request the client gave up: those
			// timed out, and those out when the run ended.
			if given := uint64(r.count(func(e testnginx.ProtocolEntry) bool { return e.Status == "499" })); given < e.Timeout || given > r.doc.Sent {
				t.Errorf("nginx logged %d requests given up, gowrk %d timeouts of %d sent", given, e.Timeout, r.doc.Sent)
			}
		}},
}

// refusals are the combinations that cannot run: one line, exit 1, and
// nothing reaches the server.
var refusals = []struct {
	name, want string
	args       func(m *matrix, prefix string) []string
}{
	{"https on the loop", "the loop engine cannot run TLS", func(m *matrix, p string) []string {
		return []string{"--engine", "loop", m.s.URL("https", m.s.TLS, p+"/a")}
	}},
	{"h2 over TLS on the loop", "the loop engine cannot run TLS", func(m *matrix, p string) []string {
		return []string{"--engine", "loop", "--http2", m.s.URL("https", m.s.H2, p+"/a")}
	}},
	{"proxy tunnel on the loop", "the loop engine cannot run a proxy tunnel", func(m *matrix, p string) []string {
		return []string{"--engine", "loop", "--http2", "--proxy", "http://" + m.proxy.Addr, m.s.URL("http", m.s.HTTP, p+"/a")}
	}},
}

func TestCombinationMatrix(t *testing.T) {
	m := &matrix{s: testnginx.StartProtocols(t), caddy: testcaddy.Start(t), bin: buildGowrk(t)}
	m.proxy = testserver.StartProxy(t, strings.TrimPrefix(m.s.URL("http", m.s.HTTP, ""), "http://"), false)
	root := t.TempDir()
	var cases []*matrixCase
	for _, tr := range matrixTransports {
		for _, f := range matrixFeatures {
			c := &matrixCase{m: m, tr: tr, f: f, id: len(cases) + 1}
			c.prefix, c.dir = fmt.Sprintf("/m/%d", c.id), filepath.Join(root, fmt.Sprint(c.id))
			if err := os.Mkdir(c.dir, 0o755); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
		}
	}
	refused := make([]matrixRun, len(refusals))
	// The runs go six at a time (nginx serves each at most 1000 requests a
	// second); then each is checked.
	sem := make(chan struct{}, 6)
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c.start()
		}()
	}
	for i, r := range refusals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			refused[i].args = append([]string{"-d", "1"}, r.args(m, fmt.Sprintf("/m/%d", len(cases)+1+i))...)
			refused[i].code, refused[i].stdout, refused[i].stderr, refused[i].err = m.exec(refused[i].args...)
		}()
	}
	wg.Wait()
	for _, c := range cases {
		t.Run(c.tr.name+"/"+c.f.name, c.check)
	}
	for i, r := range refusals {
		t.Run("refused/"+r.name, func(t *testing.T) {
			run := refused[i]
			if run.err != nil {
				t.Fatal(run.err)
			}
			if run.code != 1 || run.stdout != "" || strings.Count(run.stderr, "\n") != 1 || !strings.Contains(run.stderr, r.want) {
				t.Errorf("gowrk %s: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", strings.Join(run.args, " "), run.code, run.stdout, run.stderr, r.want)
			}
			if n := len(m.s.CaseLog(t, len(cases)+1+i)); n != 0 {
				t.Errorf("a refused run sent %d requests", n)
			}
		})
	}
}

// matrixRun is one gowrk process: its arguments and what it did.
type matrixRun struct {
	args           []string
	code           int
	stdout, stderr string
	err            error
}

func (m *matrix) exec(args ...string) (code int, stdout, stderr string, err error) {
	cmd := exec.Command(m.bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errOut.String(), nil
	}
	return 0, out.String(), errOut.String(), err
}

// file writes a file of the case's and returns its path; a failure
// shows as the run's.
func (c *matrixCase) file(name, content string) string {
	path := filepath.Join(c.dir, name)
	_ = os.WriteFile(path, []byte(content), 0o644)
	return path
}

// start runs the case's gowrk.
func (c *matrixCase) start() {
	m := c.m
	args := []string{"-t", "2", "--json", filepath.Join(c.dir, "out.json")}
	switch {
	case c.f.stages:
	case c.f.conns != 0:
		args = append(args, "-c", fmt.Sprint(c.f.conns))
	default:
		args = append(args, "-c", fmt.Sprint(matrixConns))
	}
	if !c.f.duration {
		args = append(args, "-d", "1")
	}
	args = append(args, c.tr.args(m)...)
	var after []string
	if c.f.args != nil {
		fa := c.f.args(c)
		for i, a := range fa {
			if a == "--" {
				after, fa = fa[i+1:], fa[:i]
				break
			}
		}
		args = append(args, fa...)
	}
	if c.tr.caddy {
		args = append(args, m.caddy.URL(c.prefix+c.f.path))
	} else {
		args = append(args, c.tr.url(m.s, c.prefix+c.f.path))
	}
	c.run.args = append(args, after...)
	c.run.code, c.run.stdout, c.run.stderr, c.run.err = m.exec(c.run.args...)
}

// check holds the case's run to the server's log and to its feature.
func (c *matrixCase) check(t *testing.T) {
	run := &c.run
	if run.err != nil {
		t.Fatal(run.err)
	}
	if c.f.refusedOn != nil {
		if want := c.f.refusedOn(c.tr); want != "" {
			if run.code != 1 || run.stdout != "" || strings.Count(run.stderr, "\n") != 1 || !strings.Contains(run.stderr, want) {
				t.Errorf("gowrk %s: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", strings.Join(run.args, " "), run.code, run.stdout, run.stderr, want)
			}
			if n := len(c.caseLog(t)); n != 0 {
				t.Errorf("refused, yet the server logged %d requests", n)
			}
			return
		}
	}
	if run.code != 0 {
		t.Fatalf("gowrk %s: exit %d\n%s%s", strings.Join(run.args, " "), run.code, run.stdout, run.stderr)
	}
	r := &matrixResult{code: run.code, stdout: run.stdout, stderr: run.stderr}
	b, err := os.ReadFile(filepath.Join(c.dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r.doc); err != nil {
		t.Fatal(err)
	}
	r.log = c.caseLog(t)
	c.checkAccounting(t, r)
	if c.f.check != nil {
		c.f.check(t, c, r)
	}
	if t.Failed() {
		t.Logf("gowrk %s\n%s%s", strings.Join(run.args, " "), run.stdout, run.stderr)
	}
}

// checkAccounting holds every run to the server's log: the engine and
// protocol used, requests and statuses, and connections.
func (c *matrixCase) checkAccounting(t *testing.T, r *matrixResult) {
	t.Helper()
	d := &r.doc
	wantEngine := c.tr.engine
	if wantEngine == "" {
		wantEngine = "loop"
		if c.tr.proxy && c.f.script {
			wantEngine = "goroutine" // scripted requests go through a tunnel
		}
	}
	if d.Engine != wantEngine {
		t.Errorf("engine %q, want %q", d.Engine, wantEngine)
	}
	if d.Sent < d.Requests {
		t.Errorf("sent %d < requests %d", d.Sent, d.Requests)
	}
	// A request still out when the run ended may or may not have reached
	// the server: that is the slack between gowrk's counts and nginx's.
	slack := d.Sent - d.Requests
	// A redirect followed is a response to nginx, a hop of one request
	// to gowrk.
	answered := r.count(func(e testnginx.ProtocolEntry) bool { return e.Status != "499" }) - int(d.RequestOptions.Redirects)
	if uint64(answered) < d.Requests || uint64(answered) > d.Sent {
		t.Errorf("nginx answered %d requests; gowrk counted %d responses of %d sent", answered, d.Requests, d.Sent)
	}
	for code, n := range d.StatusCodes {
		logged := uint64(r.count(func(e testnginx.ProtocolEntry) bool { return e.Status == code }))
		if logged < n || logged > n+slack {
			t.Errorf("status %s: nginx %d, gowrk %d (%d out at the end)", code, logged, n, slack)
		}
	}
	if wrong := r.count(func(e testnginx.ProtocolEntry) bool { return e.Protocol != c.tr.protocol || (e.TLS != "") != c.tr.tls }); wrong != 0 {
		t.Errorf("%d requests not over %s (TLS %v)", wrong, c.tr.protocol, c.tr.tls)
	}
	if e := d.Errors; c.f.name != "timeout" && e.Connect+e.Read+e.Write+e.Timeout+e.Reset != 0 {
		t.Errorf("socket errors %+v", e)
	}
	want := matrixConns
	if c.f.conns != 0 {
		want = c.f.conns
	}
	if c.tr.caddy {
		if q := d.Connect.QUIC; q == nil || (d.Errors.Connect == 0 && q.Count != int64(want)) {
			t.Errorf("QUIC handshakes %+v, want %d", q, want)
		}
		return
	}
	conns := map[string]bool{}
	for _, e := range r.log {
		conns[e.Conn] = true
	}
	if d.Connect.TCP == nil || d.Connect.TCP.Count < int64(len(conns)) {
		t.Errorf("nginx saw %d connections, gowrk made %+v", len(conns), d.Connect.TCP)
	}
	if e := d.Errors; e.Connect+e.Read+e.Write+e.Timeout+e.Reset == 0 && (len(conns) != want || d.Connect.TCP.Count != int64(want)) {
		t.Errorf("nginx saw %d connections, gowrk made %d; want %d", len(conns), d.Connect.TCP.Count, want)
	}
}

func (r *matrixResult) count(match func(testnginx.ProtocolEntry) bool) int {
	return testnginx.Count(r.log, match)
}

func (r *matrixResult) reason(class, reason string) uint64 {
	for _, x := range r.doc.Errors.Reasons {
		if x.Class == class && x.Reason == reason {
			return x.Count
		}
	}
	return 0
}

// wantEndpoints checks gowrk's endpoint rows against nginx's requests per
// path.
func (r *matrixResult) wantEndpoints(t *testing.T, c *matrixCase, paths ...string) {
	t.Helper()
	if len(r.doc.Endpoints) != len(paths) {
		t.Fatalf("endpoints %+v, want %v", r.doc.Endpoints, paths)
	}
	slack := r.doc.Sent - r.doc.Requests
	for _, p := range paths {
		name := "GET " + c.prefix + "/" + p
		var got uint64
		found := false
		for _, e := range r.doc.Endpoints {
			if e.Name == name {
				got, found = e.Requests, true
			}
		}
		logged := uint64(r.count(func(e testnginx.ProtocolEntry) bool { return strings.HasSuffix(e.URI, c.prefix+"/"+p) }))
		if !found || got == 0 || logged < got || logged > got+slack {
			t.Errorf("%s: gowrk %d (found %v), nginx %d", name, got, found, logged)
		}
	}
}

// wantScheduled checks an open-loop run sent what its schedule called
// for, and the server answered it: due requests over length seconds, and
// endRate a second after that for as long as the run took longer.
func (r *matrixResult) wantScheduled(t *testing.T, due, endRate, length float64) {
	t.Helper()
	due += endRate * max(r.doc.RuntimeS-length, 0)
	s := r.doc.Schedule
	if s == nil {
		t.Fatal("no schedule in the JSON")
	}
	// Six runs share two cores with other tests: a run may fall a little
	// behind.
	if float64(s.Due) < 0.98*due || float64(s.Due) > 1.02*due+2 || float64(s.Sent) < 0.95*float64(s.Due) || s.Sent != r.doc.Sent {
		t.Errorf("due %d, sent %d (top-level %d) in %.3fs; want about %.0f due, all sent", s.Due, s.Sent, r.doc.Sent, r.doc.RuntimeS, due)
	}
	// Responses to the requests still out when the run ended never come:
	// up to 100 ms of them on a busy machine.
	if float64(r.doc.Requests) < 0.95*float64(s.Due)-0.1*endRate {
		t.Errorf("%d responses of %d due", r.doc.Requests, s.Due)
	}
}
