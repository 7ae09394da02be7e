package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testserver"
)

func runMain(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMainBadInput(t *testing.T) {
	cases := [][]string{
		{"foo"},
		{"-t", "4", "-c", "2", "http://127.0.0.1:1/"},
		{"-c", "abc", "http://127.0.0.1:1/"},
		{"--bogus"},
		{"http://127.0.0.1:1/"},
		{"http://nonexistent.invalid/"},
		{"-R", "0", "http://127.0.0.1:1/"},
		{"-U", "http://127.0.0.1:1/"},
		{"--fail-on", "p99>>1", "http://127.0.0.1:1/"},
		{"--json", "/nonexistent/dir/x.json", "http://127.0.0.1:1/"},
		{"merge"},
		{"merge", "/nonexistent.hlog"},
		{"merge", "--fail-on", "p99>NaNms", "x.hlog"},
		{"-t", "0", "http://127.0.0.1:1/"},
		{"-d", "0", "http://127.0.0.1:1/"},
		{"-T", "0", "http://127.0.0.1:1/"},
		{"-T", "18446744074", "http://127.0.0.1:1/"},
		{"-d", "36028797018963969", "http://127.0.0.1:1/"},
		{"-c", "9223372036854775808", "-t", "1", "http://127.0.0.1:1/"},
		{"http://127.0.0.1:1/a?q=1 2"},
		{"http://127.0.0.1:1/a\r\nX: y"},
		{"--bogus\nflag", "http://127.0.0.1:1/"},
		{"--max-body", "0", "http://127.0.0.1:1/"},
		{"--max-body", "2G", "http://127.0.0.1:1/"},
	}
	for _, args := range cases {
		code, stdout, stderr := runMain(args...)
		if code != 1 {
			t.Errorf("%q: exit %d, want 1", args, code)
		}
		// Like wrk, nothing reaches stdout when the run cannot start.
		if stdout != "" {
			t.Errorf("%q: stdout %q", args, stdout)
		}
		if lines := strings.Count(stderr, "\n"); lines != 1 || stackTrace.MatchString(stderr) {
			t.Errorf("%q: want one error line, got %q", args, stderr)
		}
	}
	if code, _, stderr := runMain(); code != 1 || !strings.HasPrefix(stderr, "Usage: gowrk <options> <url>") {
		t.Errorf("no args: exit %d, stderr %q", code, stderr)
	}
}

func TestMainRefusedMessageMatchesWrk(t *testing.T) {
	_, _, stderr := runMain("-t1", "-c1", "-d1s", "http://127.0.0.1:1/")
	if stderr != "unable to connect to 127.0.0.1:1 Connection refused\n" {
		t.Errorf("stderr %q", stderr)
	}
}

func TestMainVersionAndHelp(t *testing.T) {
	if code, out, _ := runMain("-v"); code != 0 || !strings.HasPrefix(out, "gowrk ") {
		t.Errorf("-v: exit %d out %q", code, out)
	}
	if code, out, _ := runMain("--help"); code != 0 || !strings.Contains(out, "--connections") {
		t.Errorf("--help: exit %d out %q", code, out)
	}
}

// numberish is the grammar of every value wrk prints: a number, optionally
// followed by a unit, a percent sign, or a comma.
// stackTrace matches a Go panic's goroutine header.
var stackTrace = regexp.MustCompile(`goroutine \d+ \[`)

var numberish = regexp.MustCompile(`^(-?[0-9]+(\.[0-9]+)?|-nan)(us|ms|s|m|k|M|G|T|B|KB|MB|GB|TB|%)?,?$`)

// sameShape reports how line a (gowrk) differs from line b (wrk) in shape:
// the same words, values of the same grammar, and for the fixed-width rows
// values ending in the same columns.
func sameShape(a, b string) string {
	ta, tb := strings.Fields(a), strings.Fields(b)
	if len(ta) != len(tb) {
		return "different number of fields"
	}
	for i := range ta {
		na, nb := numberish.MatchString(ta[i]), numberish.MatchString(tb[i])
		if na != nb || (!na && ta[i] != tb[i]) {
			return "field " + ta[i] + " vs " + tb[i]
		}
	}
	fixed := strings.HasPrefix(b, "    ") || strings.HasPrefix(b, "Requests/sec") || strings.HasPrefix(b, "Transfer/sec") || strings.HasPrefix(b, "  Thread Stats")
	if fixed && columnEnds(a) != columnEnds(b) {
		return "columns differ"
	}
	return ""
}

// columnEnds lists where each field's column ends: the field's last
// character plus wrk's padding, one space per missing unit letter.
func columnEnds(s string) string {
	var ends []byte
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && (i+1 == len(s) || s[i+1] == ' ') {
			pad := 2
			for _, c := range []byte{s[i], s[max(i-1, 0)]} {
				if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
					pad--
				}
			}
			ends = append(ends, byte(i+pad))
		}
	}
	return string(ends)
}

func TestOutputHasWrksShape(t *testing.T) {
	wrk := testenv.Require(t, "wrk")
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	args := []string{"-t2", "-c10", "-d1s", "--latency", srv.URL + "/api"}
	out, err := exec.Command(wrk, args...).Output()
	if err != nil {
		t.Fatalf("wrk: %v", err)
	}
	code, mine, stderr := runMain(args...)
	if code != 0 {
		t.Fatalf("gowrk exit %d: %s", code, stderr)
	}
	theirs := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	ours := strings.Split(strings.TrimSuffix(mine, "\n"), "\n")
	if len(ours) != len(theirs) {
		t.Fatalf("gowrk printed %d lines, wrk %d:\n%s\nwrk:\n%s", len(ours), len(theirs), mine, out)
	}
	for i := range ours {
		if why := sameShape(ours[i], theirs[i]); why != "" {
			t.Errorf("line %d: %s\n gowrk: %q\n   wrk: %q", i+1, why, ours[i], theirs[i])
		}
	}
	for _, s := range []string{mine, string(out)} {
		if strings.Contains(s, "Socket errors") || strings.Contains(s, "Non-2xx") {
			t.Errorf("a tool reported errors:\n%s", s)
		}
	}
}

func TestSameShapeCatchesDifferences(t *testing.T) {
	wrkLine := "    Latency   684.50us  835.93us  17.85ms   90.84%"
	for _, bad := range []string{
		"    Latency  684.50us  835.93us  17.85ms   90.84%",
		"    Latency   684.50us  835.93us  17.85ms   90.84",
		"    Latency   684.50xs  835.93us  17.85ms   90.84%",
		"    Latncy    684.50us  835.93us  17.85ms   90.84%",
	} {
		if sameShape(bad, wrkLine) == "" {
			t.Errorf("%q passed as the shape of %q", bad, wrkLine)
		}
	}
	if why := sameShape("    Latency     1.05ms    2.00s   17.85s    90.84%", wrkLine); why != "" {
		t.Errorf("same shape rejected: %s", why)
	}
}

// wrk sets up its threads (running the script's setup and init) before it
// prints the "Running" header; output from those hooks comes first.
func TestScriptSetupOutputPrecedesHeader(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	script := filepath.Join(t.TempDir(), "init.lua")
	if err := os.WriteFile(script, []byte("function init(args) print(\"init \" .. #args) end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain("-t1", "-c1", "-d1s", "-s", script, srv.URL, "a", "b")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "init 2\nRunning 1s test @ "+srv.URL+"\n") {
		t.Errorf("stdout starts %q", stdout[:min(len(stdout), 80)])
	}
}

// Ctrl-C ends the run early and still prints the full report.
func TestInterruptPrintsReport(t *testing.T) {
	bin := buildGowrk(t)
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-t1", "-c2", "-d30s", "--latency", srv.URL)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	start := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("exit: %v (%v)", err, cmd.ProcessState.Sys().(syscall.WaitStatus))
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v to stop after SIGINT", time.Since(start))
	}
	for _, want := range []string{"Running 30s test", "Thread Stats", "Latency Distribution", "     99%", "requests in", "Requests/sec:", "Transfer/sec:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// A body over --max-body is a read error when a response() hook would see
// it, with one note on stderr; the report stays wrk's.
func TestBodyOverCapIsAReadErrorWithANote(t *testing.T) {
	big := append([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"), bytes.Repeat([]byte("b"), 5000)...)
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.Reply{Raw: big} })
	script := filepath.Join(t.TempDir(), "count.lua")
	if err := os.WriteFile(script, []byte("function response(status, headers, body) end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain("-t1", "-c2", "-d1", "--max-body", "4k", "-s", script, srv.URL)
	if code != 0 || !regexp.MustCompile(`Socket errors: connect 0, read [1-9]\d*, write 0, timeout 0`).MatchString(stdout) {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	if !regexp.MustCompile(`^gowrk: [1-9]\d* responses had a body over the 4000 bytes response\(\) may see \(--max-body\) and were counted as read errors\n$`).MatchString(withoutVerdict(stderr)) {
		t.Errorf("stderr %q", stderr)
	}
	code, stdout, stderr = runMain("-t1", "-c2", "-d1", "-s", script, srv.URL)
	if code != 0 || strings.Contains(stdout, "Socket errors") || withoutVerdict(stderr) != "" {
		t.Errorf("default cap: exit %d stderr %q\n%s", code, stderr, stdout)
	}
}

// A script that loops outside the run, where no -d applies, is interrupted
// once its stage has run as long as the test (at least minStageTime), so
// gowrk ends without a Ctrl-C; a hook that merely takes a while is not.
func TestScriptStagesHaveABudget(t *testing.T) {
	old := minStageTime
	minStageTime = time.Second
	t.Cleanup(func() { minStageTime = old })
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	cases := []struct{ name, src, stage string }{
		{"top", "while true do end\n", "the top level"},
		{"setup", "function setup() while true do end end\n", "setup() and init()"},
		{"init", "function init() while true do end end\n", "setup() and init()"},
		{"done", "function done() while true do end end\n", "done()"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			script := writeFile(t, tc.name+".lua", tc.src)
			start := time.Now()
			code, _, stderr := runMain("-t1", "-c1", "-d1s", "-s", script, srv.URL)
			want := tc.name + ".lua:1: interrupted (" + tc.stage + " ran over its time, 1s)"
			if code != 1 || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
			}
			if d := time.Since(start); d > 6*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	slow := writeFile(t, "slow.lua", "function setup() local t = os.clock() while os.clock() - t < 0.3 do end end\n")
	if code, stdout, stderr := runMain("-t1", "-c1", "-d1s", "-s", slow, srv.URL); code != 0 || !strings.Contains(stdout, "requests in") {
		t.Errorf("a slow setup(): exit %d, stderr %q", code, stderr)
	}
}
