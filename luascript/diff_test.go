package luascript

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testenv"
)

// The differential tests run the same script with the real wrk and with
// gowrk's engine against the same recording server, then compare what the
// server saw and what the script printed. wrk is the oracle; where the two
// differ on purpose (documented fixes, timing) the comparison says so.

// runWrk runs wrk with script for one second and returns its stdout.
func runWrk(t *testing.T, wrk, script, rawURL string, o runOpts) string {
	t.Helper()
	o = o.withDefaults()
	args := []string{"-t" + strconv.Itoa(o.threads), "-c" + strconv.Itoa(o.conns), "-d1s", "-s", script, rawURL}
	if len(o.args) > 0 {
		args = append(append(args, "--"), o.args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, wrk, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("wrk %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// wrkReport matches the lines of wrk's own report, to separate them from
// what the script printed.
var wrkReport = regexp.MustCompile(`^(Running |  \d+ threads and|  Thread Stats|    Latency|    Req/Sec|  \d+ requests in|  Socket errors|  Non-2xx|Requests/sec|Transfer/sec)`)

func scriptOutput(wrkOut string) string {
	var keep []string
	for _, l := range strings.SplitAfter(wrkOut, "\n") {
		if l != "" && !wrkReport.MatchString(l) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// wrkRequests is the total from wrk's "N requests in" line.
func wrkRequests(t *testing.T, out string) uint64 {
	m := regexp.MustCompile(`(?m)^\s+(\d+) requests in`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no request count in wrk output:\n%s", out)
	}
	n, _ := strconv.ParseUint(m[1], 10, 64)
	return n
}

// diffRun is both runs of one script.
type diffRun struct {
	wrkSeen, gowrkSeen []seen
	wrkOut, gowrkOut   string // script output only
	wrkCount           uint64
	gowrkCount         uint64
	gowrkRuntime       time.Duration
}

func differential(t *testing.T, script string, o runOpts, reply func(*seen) string) diffRun {
	t.Helper()
	wrk := testenv.Require(t, "wrk")
	srv := startRecorder(t, reply)
	var d diffRun
	full := runWrk(t, wrk, script, srv.URL+"/", o)
	d.wrkOut, d.wrkCount = scriptOutput(full), wrkRequests(t, full)
	srv.waitIdle()
	d.wrkSeen = srv.requests()
	srv.reset()
	if o.duration == 0 {
		o.duration = time.Second
	}
	res, out := mustRun(t, script, srv.URL+"/", o)
	d.gowrkOut, d.gowrkCount, d.gowrkRuntime = out, res.Requests, res.Runtime
	srv.waitIdle()
	d.gowrkSeen = srv.requests()
	if len(d.wrkSeen) == 0 || len(d.gowrkSeen) == 0 {
		t.Fatalf("server saw %d requests from wrk and %d from gowrk", len(d.wrkSeen), len(d.gowrkSeen))
	}
	return d
}

// shape is a request with the parts that vary per request masked.
func shape(r seen, mask func(string) string) string {
	var hs []string
	for _, h := range r.Headers {
		k, v, _ := strings.Cut(h, ": ")
		hs = append(hs, strings.ToLower(k)+": "+mask(v))
	}
	slices.Sort(hs) // header order is a Lua table's, unspecified
	return fmt.Sprintf("%s %s %q %q", r.Method, mask(r.Path), hs, r.Body)
}

func shapes(reqs []seen, mask func(string) string) []string {
	set := map[string]bool{}
	for _, r := range reqs {
		set[shape(r, mask)] = true
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func noMask(s string) string { return s }

var digits = regexp.MustCompile(`\d+`)

func maskDigits(s string) string { return digits.ReplaceAllString(s, "N") }

func within(a, b uint64, factor float64) bool {
	fa, fb := float64(a), float64(b)
	return fa <= fb*factor && fb <= fa*factor
}

func TestDiffPost(t *testing.T) {
	d := differential(t, "testdata/post.lua", runOpts{}, nil)
	if w, g := shapes(d.wrkSeen, noMask), shapes(d.gowrkSeen, noMask); !slices.Equal(w, g) {
		t.Errorf("requests differ:\nwrk   %q\ngowrk %q", w, g)
	}
}

func TestDiffBenchPost(t *testing.T) {
	d := differential(t, "../bench/lua/post.lua", runOpts{}, nil)
	if w, g := shapes(d.wrkSeen, noMask), shapes(d.gowrkSeen, noMask); !slices.Equal(w, g) {
		t.Errorf("requests differ:\nwrk   %q\ngowrk %q", w, g)
	}
}

func TestDiffCounter(t *testing.T) {
	d := differential(t, "testdata/counter.lua", runOpts{threads: 2, conns: 4}, nil)
	if w, g := shapes(d.wrkSeen, maskDigits), shapes(d.gowrkSeen, maskDigits); !slices.Equal(w, g) {
		t.Errorf("requests differ:\nwrk   %q\ngowrk %q", w, g)
	}
	for name, reqs := range map[string][]seen{"wrk": d.wrkSeen, "gowrk": d.gowrkSeen} {
		for p, n := range paths(reqs) {
			if n > 2 {
				t.Errorf("%s sent %s %d times with one counter per thread", name, p, n)
			}
		}
		for _, r := range reqs {
			if c, _ := r.header("X-Counter"); "/item/"+c != r.Path {
				t.Errorf("%s sent %s with X-Counter %s", name, r.Path, c)
			}
		}
	}
}

func TestDiffAuth(t *testing.T) {
	reply := func(r *seen) string {
		if r.Path == "/login" {
			return "HTTP/1.1 200 OK\r\nX-Token: t0k3n\r\nContent-Length: 0\r\n\r\n"
		}
		return okReply
	}
	d := differential(t, "testdata/auth.lua", runOpts{threads: 1, conns: 1}, reply)
	if w, g := shapes(d.wrkSeen, noMask), shapes(d.gowrkSeen, noMask); !slices.Equal(w, g) {
		t.Errorf("requests differ:\nwrk   %q\ngowrk %q", w, g)
	}
	for name, reqs := range map[string][]seen{"wrk": d.wrkSeen, "gowrk": d.gowrkSeen} {
		if n := paths(reqs)["/login"]; n != 1 {
			t.Errorf("%s logged in %d times", name, n)
		}
	}
}

func TestDiffPipeline(t *testing.T) {
	d := differential(t, "testdata/pipeline.lua", runOpts{threads: 1, conns: 2}, nil)
	if w, g := shapes(d.wrkSeen, noMask), shapes(d.gowrkSeen, noMask); !slices.Equal(w, g) {
		t.Errorf("requests differ:\nwrk   %q\ngowrk %q", w, g)
	}
	for name, reqs := range map[string][]seen{"wrk": d.wrkSeen, "gowrk": d.gowrkSeen} {
		batches := map[int]int{}
		for _, r := range reqs {
			batches[r.Batch]++
		}
		if batches[3] < len(reqs)*9/10 {
			t.Errorf("%s: arrivals by batch size %v", name, batches)
		}
		n := paths(reqs)
		if n["/one"] != n["/three"] && n["/one"] != n["/three"]+1 {
			t.Errorf("%s: per-path counts %v", name, n)
		}
	}
}

func TestDiffDelay(t *testing.T) {
	d := differential(t, "testdata/delay.lua", runOpts{threads: 1, conns: 1}, nil)
	if !within(d.wrkCount, d.gowrkCount, 1.5) {
		t.Errorf("requests in 1s with delay(): wrk %d, gowrk %d", d.wrkCount, d.gowrkCount)
	}
}

func TestDiffStop(t *testing.T) {
	d := differential(t, "testdata/stop.lua", runOpts{threads: 2, conns: 2}, nil)
	// wrk's threads stop after the same responses; only gowrk also ends
	// the run once every thread has stopped (a documented fix).
	for name, n := range map[string]uint64{"wrk": d.wrkCount, "gowrk": d.gowrkCount} {
		if n < 100 || n > 104 {
			t.Errorf("%s counted %d responses, want 100 to 104", name, n)
		}
	}
	if d.gowrkRuntime > 500*time.Millisecond {
		t.Errorf("gowrk ran %v after all threads stopped", d.gowrkRuntime)
	}
}

func TestDiffSetup(t *testing.T) {
	d := differential(t, "testdata/setup.lua", runOpts{threads: 2, conns: 2}, nil)
	line := regexp.MustCompile(`(?m)^thread (\d+) sent (\d+) requests and got (\d+) responses$`)
	for name, out := range map[string]string{"wrk": d.wrkOut, "gowrk": d.gowrkOut} {
		if !strings.HasPrefix(out, "thread 1 created\nthread 2 created\n") {
			t.Errorf("%s printed:\n%s", name, out)
		}
		m := line.FindAllStringSubmatch(out, -1)
		if len(m) != 2 || m[0][1] != "1" || m[1][1] != "2" {
			t.Errorf("%s printed:\n%s", name, out)
			continue
		}
		for _, l := range m {
			sent, _ := strconv.Atoi(l[2])
			got, _ := strconv.Atoi(l[3])
			// wrk calls request() once more on thread 1 to check it.
			if sent < got || sent > got+3 {
				t.Errorf("%s: %s", name, l[0])
			}
		}
	}
}

func TestDiffReport(t *testing.T) {
	d := differential(t, "testdata/report.lua", runOpts{}, nil)
	csv := regexp.MustCompile(`(?m)^percentile,latency_us\n50,(\d+)\n90,(\d+)\n99,(\d+)\n99.999,(\d+)\n`)
	w, g := csv.FindStringSubmatch(d.wrkOut), csv.FindStringSubmatch(d.gowrkOut)
	if w == nil || g == nil {
		t.Fatalf("report output:\nwrk\n%s\ngowrk\n%s", d.wrkOut, d.gowrkOut)
	}
	// Loopback latencies on a shared machine: same order of magnitude.
	wp50, _ := strconv.ParseUint(w[1], 10, 64)
	gp50, _ := strconv.ParseUint(g[1], 10, 64)
	if !within(max(wp50, 1), max(gp50, 1), 20) {
		t.Errorf("p50 wrk %dus, gowrk %dus", wp50, gp50)
	}
}

func TestDiffAddr(t *testing.T) {
	d := differential(t, "testdata/addr.lua", runOpts{}, nil)
	if d.wrkOut != d.gowrkOut {
		t.Errorf("addr output:\nwrk   %q\ngowrk %q", d.wrkOut, d.gowrkOut)
	}
}

func TestDiffArgs(t *testing.T) {
	script := writeScript(t, `function init(args)
			wrk.path = "/" .. table.concat(args, "/") .. "?n=" .. #args
		end
		function done() print("done") end`)
	d := differential(t, script, runOpts{args: []string{"a", "b-c"}}, nil)
	if w, g := shapes(d.wrkSeen, noMask), shapes(d.gowrkSeen, noMask); !slices.Equal(w, g) {
		t.Errorf("requests differ:\nwrk   %q\ngowrk %q", w, g)
	}
	if d.wrkOut != "done\n" || d.gowrkOut != "done\n" {
		t.Errorf("done printed wrk %q gowrk %q", d.wrkOut, d.gowrkOut)
	}
}
