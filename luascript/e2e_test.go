package luascript

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testenv"
)

// runOpts describe one engine run of a script.
type runOpts struct {
	threads, conns int
	duration       time.Duration
	args           []string
	headers        []generator.Header
}

func (o runOpts) withDefaults() runOpts {
	if o.threads == 0 {
		o.threads = 2
	}
	if o.conns == 0 {
		o.conns = 2
	}
	if o.duration == 0 {
		o.duration = 500 * time.Millisecond
	}
	return o
}

// runGowrk runs script against rawURL with generator.Run, as the command
// does, and returns the result, what the script printed and any error.
func runGowrk(t *testing.T, script, rawURL string, o runOpts) (*generator.Result, string, error) {
	t.Helper()
	o = o.withDefaults()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	out := &testenv.Buffer{}
	s, err := Load(Options{Path: script, URL: u, Args: o.args, Headers: o.headers, Stdout: out})
	if err != nil {
		return nil, out.String(), err
	}
	defer s.Close()
	cfg := generator.Config{URL: u, Connections: o.conns, Threads: o.threads, Duration: o.duration,
		Timeout: 2 * time.Second, Headers: o.headers, Script: s}
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		return nil, out.String(), err
	}
	if err := s.Done(res); err != nil {
		return res, out.String(), err
	}
	return res, out.String(), nil
}

func mustRun(t *testing.T, script, rawURL string, o runOpts) (*generator.Result, string) {
	t.Helper()
	res, out, err := runGowrk(t, script, rawURL, o)
	if err != nil {
		t.Fatalf("run %s: %v", script, err)
	}
	return res, out
}

func TestEngineStaticPost(t *testing.T) {
	srv := startRecorder(t, nil)
	res, _ := mustRun(t, "testdata/post.lua", srv.URL+"/form", runOpts{})
	reqs := srv.requests()
	if res.Requests == 0 || len(reqs) == 0 {
		t.Fatalf("no requests: result %d, server %d", res.Requests, len(reqs))
	}
	for _, r := range reqs {
		ct, _ := r.header("Content-Type")
		cl, _ := r.header("Content-Length")
		if r.Method != "POST" || r.Path != "/form" || r.Body != "name=gowrk&mode=post" ||
			ct != "application/x-www-form-urlencoded" || cl != "20" {
			t.Fatalf("server saw %+v", r)
		}
	}
}

func TestEngineBenchPostScript(t *testing.T) {
	srv := startRecorder(t, nil)
	mustRun(t, "../bench/lua/post.lua", srv.URL+"/", runOpts{})
	reqs := srv.requests()
	if len(reqs) == 0 {
		t.Fatal("no requests")
	}
	r := reqs[0]
	ct, _ := r.header("Content-Type")
	host, _ := r.header("Host")
	if r.Method != "POST" || r.Path != "/api/posts" || ct != "application/json" || host != srv.Host+":"+srv.Port ||
		!regexp.MustCompile(`^\{"title":".+","body":".+"\}$`).MatchString(r.Body) {
		t.Errorf("server saw %+v", r)
	}
}

func TestEngineCounter(t *testing.T) {
	srv := startRecorder(t, nil)
	mustRun(t, "testdata/counter.lua", srv.URL+"/", runOpts{threads: 2, conns: 4})
	reqs := srv.requests()
	if len(reqs) < 10 {
		t.Fatalf("only %d requests", len(reqs))
	}
	byPath := paths(reqs)
	for _, r := range reqs {
		n, err := strconv.Atoi(strings.TrimPrefix(r.Path, "/item/"))
		if err != nil {
			t.Fatalf("path %q", r.Path)
		}
		if c, _ := r.header("X-Counter"); c != strconv.Itoa(n) {
			t.Errorf("path %s with X-Counter %s", r.Path, c)
		}
		// One counter per thread: each value is sent at most once per thread.
		if byPath[r.Path] > 2 {
			t.Errorf("%s sent %d times by 2 threads", r.Path, byPath[r.Path])
		}
	}
	if byPath["/item/0"] != 2 {
		t.Errorf("/item/0 sent %d times, want once per thread", byPath["/item/0"])
	}
}

func TestEngineAuth(t *testing.T) {
	srv := startRecorder(t, func(r *seen) string {
		if r.Path == "/login" {
			return "HTTP/1.1 200 OK\r\nX-Token: t0k3n\r\nContent-Length: 0\r\n\r\n"
		}
		return okReply
	})
	mustRun(t, "testdata/auth.lua", srv.URL+"/", runOpts{threads: 1, conns: 1})
	reqs := srv.requests()
	if len(reqs) < 3 || reqs[0].Path != "/login" {
		t.Fatalf("requests %+v", reqs[:min(len(reqs), 3)])
	}
	for _, r := range reqs[1:] {
		tok, _ := r.header("X-Token")
		if r.Path != "/private" || tok != "t0k3n" {
			t.Fatalf("after login: %+v", r)
		}
	}
}

func TestEnginePipeline(t *testing.T) {
	srv := startRecorder(t, nil)
	res, _ := mustRun(t, "testdata/pipeline.lua", srv.URL+"/", runOpts{threads: 1, conns: 2})
	reqs := srv.requests()
	if len(reqs) < 9 {
		t.Fatalf("only %d requests", len(reqs))
	}
	for i := 0; i+2 < len(reqs); i += 3 {
		got := []string{reqs[i].Path, reqs[i+1].Path, reqs[i+2].Path}
		if got[0] != "/one" || got[1] != "/two" || got[2] != "/three" || reqs[i].Batch != 3 {
			// Two connections interleave in the log only between batches.
			t.Fatalf("batch at %d: %v (batch size %d)", i, got, reqs[i].Batch)
		}
	}
	if res.Requests%3 != 0 || res.Requests == 0 {
		t.Errorf("result counts %d responses, not whole batches of 3", res.Requests)
	}
}

func TestEngineDelay(t *testing.T) {
	srv := startRecorder(t, nil)
	res, _ := mustRun(t, "testdata/delay.lua", srv.URL+"/", runOpts{threads: 1, conns: 1, duration: time.Second})
	// 10-30 ms before each request: about 50 in one second.
	if res.Requests < 25 || res.Requests > 100 {
		t.Errorf("%d requests in 1s with a 10-30ms delay", res.Requests)
	}
	// Latency starts after the delay.
	if mean := res.Latency.Mean(); mean > 10_000 {
		t.Errorf("mean latency %.0fus includes the delay", mean)
	}
}

func TestEngineStopEndsRun(t *testing.T) {
	srv := startRecorder(t, nil)
	res, _ := mustRun(t, "testdata/stop.lua", srv.URL+"/", runOpts{threads: 2, conns: 2, duration: 5 * time.Second})
	if res.Runtime > 3*time.Second {
		t.Errorf("run lasted %v after every thread stopped", res.Runtime)
	}
	// 50 responses per thread, plus what the thread's other connection had
	// in flight when it stopped.
	if res.Requests < 100 || res.Requests > 104 {
		t.Errorf("%d requests, want 100 to 104", res.Requests)
	}
}

func TestEngineSetupAndDone(t *testing.T) {
	srv := startRecorder(t, nil)
	res, out := mustRun(t, "testdata/setup.lua", srv.URL+"/", runOpts{threads: 2, conns: 2})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || lines[0] != "thread 1 created" || lines[1] != "thread 2 created" {
		t.Fatalf("output:\n%s", out)
	}
	var sent, got uint64
	for i, l := range lines[2:] {
		var id int
		var s, r uint64
		if _, err := fmt.Sscanf(l, "thread %d sent %d requests and got %d responses", &id, &s, &r); err != nil || id != i+1 {
			t.Fatalf("line %q: %v", l, err)
		}
		sent, got = sent+s, got+r
	}
	if got != res.Requests || sent < got || sent > got+2 {
		t.Errorf("threads sent %d and got %d; run counted %d", sent, got, res.Requests)
	}
}

func TestEngineReport(t *testing.T) {
	srv := startRecorder(t, nil)
	_, out := mustRun(t, "testdata/report.lua", srv.URL+"/", runOpts{})
	if !regexp.MustCompile(`^percentile,latency_us\n50,\d+\n90,\d+\n99,\d+\n99.999,\d+\n$`).MatchString(out) {
		t.Errorf("report output:\n%s", out)
	}
}

func TestEngineAddr(t *testing.T) {
	srv := startRecorder(t, nil)
	res, out := mustRun(t, "testdata/addr.lua", srv.URL+"/", runOpts{})
	want := "thread addr: " + srv.Host + ":" + srv.Port + "\n"
	if out != want+want || res.Requests == 0 {
		t.Errorf("output %q, %d requests", out, res.Requests)
	}
}

func TestEngineArgsAndHeaders(t *testing.T) {
	srv := startRecorder(t, nil)
	script := writeScript(t, `function init(args) wrk.path = "/" .. args[1] .. "/" .. #args end`)
	mustRun(t, script, srv.URL+"/", runOpts{args: []string{"seg", "x"},
		headers: []generator.Header{{Name: "X-Api-Key", Value: "k"}}})
	r := srv.requests()[0]
	if key, _ := r.header("X-Api-Key"); r.Path != "/seg/2" || key != "k" {
		t.Errorf("server saw %+v", r)
	}
}

func TestEngineResponseSeesBody(t *testing.T) {
	srv := startRecorder(t, func(*seen) string {
		return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
	})
	script := writeScript(t, `local shown = false
		function response(status, headers, body)
			if not shown then print(status, headers["X-A"], body); shown = true end
		end`)
	_, out := mustRun(t, script, srv.URL+"/", runOpts{threads: 1, conns: 1})
	if out != "200\t2\tabcde\n" {
		t.Errorf("response printed %q", out)
	}
}

// TestEngineHookErrorsEndRun checks that a failing hook ends the run with
// the located error and leaves no goroutine behind.
func TestEngineHookErrorsEndRun(t *testing.T) {
	srv := startRecorder(t, nil)
	before := runtime.NumGoroutine()
	cases := map[string]string{
		"local n = 0\nfunction request()\n  n = n + 1\n  if n > 5 then error('too many') end\n  return wrk.format()\nend": ":4: too many",
		"function request()\n  return 'garbage'\nend":                   ":1: request() returned an invalid HTTP request",
		"function response()\n  local x = nil .. 'a'\nend":              ":2: cannot perform concat",
		"function delay()\n  error('no delay')\nend":                    ":2: no delay",
		"function init()\n  error('no init')\nend":                      ":2: no init",
		"function request()\n  return wrk.format('GET', '/a b c')\nend": ":1: request() returned an invalid HTTP request: invalid HTTP version",
	}
	for src, want := range cases {
		script := writeScript(t, src)
		start := time.Now()
		_, _, err := runGowrk(t, script, srv.URL+"/", runOpts{duration: 5 * time.Second})
		if err == nil || !strings.HasPrefix(err.Error(), script) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %s", src, err, want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%q: failing run lasted %v", src, d)
		}
	}
	script := writeScript(t, "function done()\n  error('not done')\nend")
	if _, _, err := runGowrk(t, script, srv.URL+"/", runOpts{duration: 200 * time.Millisecond}); err == nil ||
		err.Error() != script+":2: not done" {
		t.Errorf("done: error %v", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before, %d after", before, n)
	}
}
