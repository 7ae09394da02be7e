package cli

import (
	"encoding/json"
	"math"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testnginx"
	"github.com/gowrk/gowrk/internal/testserver"
)

// jsonDoc is the part of the JSON report these tests read.
type jsonDoc struct {
	Mode     string `json:"mode"`
	Requests uint64 `json:"requests"`
	Errors   struct {
		Read    uint64 `json:"read"`
		Connect uint64 `json:"connect"`
		Status  uint64 `json:"status"`
		Reasons []struct {
			Class, Reason string
			Count         uint64
		} `json:"reasons"`
	} `json:"errors"`
	Schedule *struct {
		Sent uint64 `json:"sent"`
	} `json:"schedule"`
	Series []struct {
		LengthS           float64  `json:"length_s"`
		Requests          uint64   `json:"requests"`
		TargetPerSec      float64  `json:"target_per_sec"`
		TargetConnections *float64 `json:"target_connections"`
		Connections       *int     `json:"connections"`
	} `json:"series"`
	Endpoints []struct {
		Name        string            `json:"name"`
		Requests    uint64            `json:"requests"`
		Errors      uint64            `json:"errors"`
		StatusCodes map[string]uint64 `json:"status_codes"`
		P99US       int64             `json:"p99_us"`
	} `json:"endpoints"`
}

func runJSON(t *testing.T, args ...string) (jsonDoc, string) {
	t.Helper()
	code, stdout, stderr := runMain(append([]string{"--json", "-", "-q"}, args...)...)
	if code != 0 {
		t.Fatalf("%q: exit %d: %s", args, code, stderr)
	}
	var doc jsonDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	return doc, stderr
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Three targets, one with a header and one with a body from a file: the
// per-endpoint counts match nginx's log, which shows the header and the
// body as written.
func TestTargetsFileAgainstNginx(t *testing.T) {
	srv := testnginx.Start(t, `location /posts { proxy_pass $sink; }`)
	body := writeFile(t, "post.json", `{"title":"hello","body":"x"}`)
	file := writeFile(t, "targets.txt", "# list, single post, insert\n"+
		"GET "+srv.URL+"/posts?limit=10\nX-Test: list\n\n"+
		"GET "+srv.URL+"/posts/7\n\n"+
		"POST "+srv.URL+"/posts\nX-Test: insert\nContent-Type: application/json\n@"+body+"\n")
	doc, _ := runJSON(t, "--targets", file, "-c", "3", "-t", "1", "-d", "1")
	log := srv.Log(t)
	counts := map[string]uint64{}
	for _, e := range log {
		counts[e.Method+" "+e.Path]++
		switch e.Method + " " + e.Path {
		case "GET /posts":
			if e.Header != "list" || e.Body != "" {
				t.Fatalf("list logged as %+v", e)
			}
		case "POST /posts":
			if e.Header != "insert" || e.Body != `{"title":"hello","body":"x"}` {
				t.Fatalf("insert logged as %+v", e)
			}
		case "GET /posts/7":
			if e.Header != "" {
				t.Fatalf("single post logged as %+v", e)
			}
		default:
			t.Fatalf("unexpected request %+v", e)
		}
	}
	if len(doc.Endpoints) != 3 {
		t.Fatalf("endpoints %+v", doc.Endpoints)
	}
	var total uint64
	for _, e := range doc.Endpoints {
		// The requests interrupted at the end reach the log without
		// a response counted: at most one per connection.
		if got := counts[e.Name]; e.Requests == 0 || got < e.Requests || got > e.Requests+3 {
			t.Errorf("%s: %d responses, nginx logged %d", e.Name, e.Requests, got)
		}
		if e.StatusCodes["200"] != e.Requests || e.Errors != 0 || e.P99US <= 0 {
			t.Errorf("%s: %+v", e.Name, e)
		}
		total += e.Requests
	}
	if total != doc.Requests {
		t.Errorf("endpoints add up to %d, run %d", total, doc.Requests)
	}
}

// --stages 2s:500,2s:2000 sends 0→500/s over 2s (500 requests) then
// 500→2000/s over 2s (2500): about 3000, the series following the ramp.
func TestStagesFollowTheRamp(t *testing.T) {
	srv := testnginx.Start(t, "")
	doc, _ := runJSON(t, "--stages", "2s:500,2s:2000", "-c", "20", "-t", "2", srv.URL+"/")
	if doc.Mode != "stages" || doc.Schedule == nil {
		t.Fatalf("mode %q, schedule %v", doc.Mode, doc.Schedule)
	}
	if math.Abs(float64(doc.Schedule.Sent)-3000) > 150 {
		t.Errorf("sent %d, want about 3000", doc.Schedule.Sent)
	}
	if len(doc.Series) < 4 {
		t.Fatalf("%d series intervals", len(doc.Series))
	}
	// Targets at the middle of each second: 125, 375, 875, 1625 per second.
	for i, want := range []float64{125, 375, 875, 1625} {
		iv := doc.Series[i]
		if math.Abs(iv.TargetPerSec-want) > 0.1*want {
			t.Errorf("second %d: target %.0f/s, want %.0f", i, iv.TargetPerSec, want)
		}
		// The first second's hundred-odd requests are too few to hold to
		// 15% on a busy machine: it must only be the slowest.
		got := float64(iv.Requests) / iv.LengthS
		if i > 0 && math.Abs(got-iv.TargetPerSec) > 0.15*iv.TargetPerSec+10 {
			t.Errorf("second %d: %.0f/s achieved, target %.0f/s", i, got, iv.TargetPerSec)
		}
		if i == 1 && float64(doc.Series[0].Requests)/doc.Series[0].LengthS >= got {
			t.Errorf("first second %d requests, second %.0f/s: not ramping", doc.Series[0].Requests, got)
		}
	}
}

// Error reasons name a refused connection, a reset and a 503.
func TestErrorReasons(t *testing.T) {
	nginx := testnginx.Start(t, `location /down { return 503; }`)
	doc, _ := runJSON(t, "-c", "2", "-t", "1", "-d", "1", nginx.URL+"/down")
	if !hasReason(doc, "status", "HTTP 503") {
		t.Errorf("no HTTP 503 among %+v", doc.Errors.Reasons)
	}

	reset := testserver.Start(t, false, answerThenReset)
	code, stdout, stderr := runMain("--error-reasons", "-c", "2", "-t", "1", "-d", "1", reset.URL+"/")
	if code != 0 || !strings.Contains(stdout, "  Error reasons:\n    read     connection reset by peer") {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", code, stdout, stderr)
	}
	// wrk's lines come first, unchanged.
	if !strings.Contains(stdout, "  Socket errors: connect 0, read ") || strings.Index(stdout, "Transfer/sec") > strings.Index(stdout, "Error reasons") {
		t.Errorf("wrk's report missing or after the reasons:\n%s", stdout)
	}

	// The first connection is answered and closed, then the port is shut.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go serveOnceAndClose(ln)
	doc, _ = runJSON(t, "-c", "1", "-t", "1", "-d", "1", "http://"+ln.Addr().String()+"/")
	if !hasReason(doc, "connect", "connection refused") {
		t.Errorf("no refused connection among %+v", doc.Errors.Reasons)
	}
}

func hasReason(doc jsonDoc, class, reason string) bool {
	for _, r := range doc.Errors.Reasons {
		if r.Class == class && r.Reason == reason && r.Count > 0 {
			return true
		}
	}
	return false
}

func TestTargetsFromStdinWithByEndpoint(t *testing.T) {
	srv := testnginx.Start(t, "")
	stdin = strings.NewReader("GET " + srv.URL + "/a\n\nGET " + srv.URL + "/b?q=1\nX-Test: own\n")
	t.Cleanup(func() { stdin = os.Stdin })
	code, stdout, stderr := runMain("--targets", "-", "--targets-order", "random", "--by-endpoint", "-H", "X-Test: flag", "-c", "2", "-t", "1", "-d", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "Running 1s test @ "+srv.URL+"/\n") {
		t.Errorf("header:\n%s", stdout)
	}
	lines := strings.Split(stdout, "\n")
	var block []string
	for i, l := range lines {
		if strings.HasPrefix(l, "Transfer/sec:") {
			block = lines[i+1:]
		}
	}
	if len(block) < 3 || !strings.HasPrefix(block[0], "  Endpoint ") || !strings.Contains(stdout, "\n  GET /a ") || !strings.Contains(stdout, "\n  GET /b ") {
		t.Errorf("endpoint block after wrk's report missing:\n%s", stdout)
	}
	// -H goes to every target that does not set the header itself.
	for _, e := range srv.Log(t) {
		if want := map[string]string{"/a": "flag", "/b": "own"}[e.Path]; e.Header != want {
			t.Fatalf("%s sent X-Test %q, want %q", e.Path, e.Header, want)
		}
	}
}

func TestBadTargetsFiles(t *testing.T) {
	bad := writeFile(t, "bad.txt", "GET http://127.0.0.1:1/\nnot a header\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--targets", bad}, bad + ":2: invalid header \"not a header\": want \"Name: value\"\n"},
		{[]string{"--targets", "/nonexistent/t.txt"}, "/nonexistent/t.txt: cannot read targets: no such file or directory\n"},
		{[]string{"--targets", bad, "--targets-order", "shuffled"}, "invalid --targets-order \"shuffled\": want sequence or random\n"},
		{[]string{"--stages", "2s:1k", "-d", "5", "http://127.0.0.1:1/"}, "the stages set the duration: drop -d\n"},
		{[]string{"--stages", "2s:1k", "-R", "5", "http://127.0.0.1:1/"}, "--stages and --conn-stages replace --rate and --breakpoint\n"},
		{[]string{"--stages", "2s", "http://127.0.0.1:1/"}, "invalid argument \"2s\" for \"--stages\" flag: invalid stage \"2s\": want DURATION:RATE, the duration from 1s, the number up to 1G, e.g. 30s:1k,2m:10k,30s:0\n"},
		{[]string{"--conn-stages", "2s:50", "-c", "10", "http://127.0.0.1:1/"}, "--conn-stages asks for 50 connections, more than -c 10\n"},
	}
	for _, c := range cases {
		code, stdout, stderr := runMain(c.args...)
		if code != 1 || stdout != "" || stderr != c.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", c.args, code, stdout, stderr, c.want)
		}
	}
}

// --conn-stages ramps the connections: the series shows the target and the
// active connections, and --stop-on ends the run.
func TestConnStages(t *testing.T) {
	srv := testnginx.Start(t, `location /down { return 503; }`)
	code, stdout, stderr := runMain("-q", "--conn-stages", "5s:4", "--stop-on", "errors>1%", "--window", "1s", "-t", "1", srv.URL+"/down")
	if code != 0 || !strings.Contains(stdout, "  Breakpoint: 0.00 connections sustained") || !strings.Contains(stdout, "Conns   Req/Sec") {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.HasPrefix(stdout, "Running 5s test @ ") || !strings.Contains(stdout, " requests in 1.0") {
		t.Errorf("the run did not stop after about 1s:\n%s", stdout)
	}

	doc, _ := runJSON(t, "--conn-stages", "1s:4,1s:4", "-t", "2", srv.URL+"/")
	if len(doc.Series) < 2 {
		t.Fatalf("series %+v", doc.Series)
	}
	last := doc.Series[len(doc.Series)-1]
	if last.TargetConnections == nil || *last.TargetConnections != 4 || last.Connections == nil || *last.Connections != 4 {
		t.Errorf("last interval %+v", last)
	}
}

// answerThenReset answers every other request and resets the connection
// of the rest.
func answerThenReset(n int64, _ *fasthttp.Request) testserver.Reply {
	if n%2 == 0 {
		return testserver.Reply{Then: testserver.Reset}
	}
	return testserver.OK
}

// serveOnceAndClose answers one request on one connection, closing it and
// the listener: later connections are refused.
func serveOnceAndClose(ln net.Listener) {
	c, err := ln.Accept()
	ln.Close()
	if err != nil {
		return
	}
	defer c.Close()
	buf := make([]byte, 4096)
	if _, err := c.Read(buf); err == nil {
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	}
}

// A shard sends its share of the targets, lines dealt round-robin; a
// shard that would get none is refused.
func TestShardSendsItsTargets(t *testing.T) {
	srv := testnginx.Start(t, "")
	var lines []string
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e"} {
		lines = append(lines, "GET "+srv.URL+p)
	}
	file := writeFile(t, "t.txt", strings.Join(lines, "\n\n")+"\n")
	code, _, stderr := runMain("--targets", file, "--shard", "2/2", "-c", "2", "-t", "1", "-d", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	seen := map[string]int{}
	for _, e := range srv.Log(t) {
		seen[e.Path]++
	}
	if len(seen) != 2 || seen["/b"] == 0 || seen["/d"] == 0 {
		t.Errorf("shard 2/2 of /a../e sent %v, want /b and /d only", seen)
	}
	code, _, stderr = runMain("--targets", file, "--shard", "6/6", "-c", "6", "-t", "1", "-d", "1")
	if want := file + ": 5 requests, fewer than the 6 shards: shard 6/6 would send none\n"; code != 1 || stderr != want {
		t.Errorf("exit %d, %q, want %q", code, stderr, want)
	}
}
