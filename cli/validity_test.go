package cli

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testserver"
)

// verdictBlock is the validity verdict gowrk prints on stderr: its line,
// then a line per check. On a terminal it may follow the erased progress
// line.
var verdictBlock = regexp.MustCompile(`gowrk: validity: .*\n(  .*\n)*`)

// withoutVerdict is stderr without the validity verdict, for tests of the
// other lines.
func withoutVerdict(stderr string) string { return verdictBlock.ReplaceAllString(stderr, "") }

type verdictDoc struct {
	Validity struct {
		Verdict string
		Checks  []struct {
			Name, Status, Detail string
			Figures              map[string]float64
		}
	}
}

func readVerdict(t *testing.T, path string) verdictDoc {
	t.Helper()
	var doc verdictDoc
	readValid(t, reportSchema, path, &doc)
	if len(doc.Validity.Checks) != 5 {
		t.Fatalf("validity %+v", doc.Validity)
	}
	return doc
}

// A run the server keeps up with is valid, says so on stderr, in JSON and
// in the HTML report, and --fail-on invalid lets it pass; merging its log
// judges what a merge can.
func TestValidRun(t *testing.T) {
	// A server that takes 5 ms, so that the timer's millisecond or two of
	// jitter on a busy machine stays well within the latency gap's bounds.
	reply := testserver.OK
	reply.Delay = 5 * time.Millisecond
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return reply })
	dir := t.TempDir()
	js, page, hlog := filepath.Join(dir, "run.json"), filepath.Join(dir, "run.html"), filepath.Join(dir, "run.hlog")
	code, stdout, stderr := runMain("-t1", "-c4", "-d1s", "-R", "200", "--fail-on", "invalid",
		"--json", js, "--report", page, "--hdr-log", hlog, srv.URL)
	t.Logf("stderr:\n%s", stderr)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasSuffix(stdout, "\n") || strings.Contains(stdout, "validity") {
		t.Errorf("the verdict reached stdout:\n%s", stdout)
	}
	for _, want := range []string{
		"  pass  connections  4 of 4 established (100.0%)\n",
		"  pass  spread       responses per connection: min ",
		"  n/a   generator    run too short to tell (1 of the 3 seconds needed)\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	doc := readVerdict(t, js)
	if doc.Validity.Verdict != "valid" {
		// Only a machine too busy to keep 200 requests/sec on time makes
		// the rate or the latency gap warn.
		if doc.Validity.Verdict == "suspect" && !strings.Contains(stderr, "  warn  connections") && !strings.Contains(stderr, "  warn  spread") {
			t.Skipf("the machine is too busy for the run to be valid:\n%s", stderr)
		}
		t.Fatalf("verdict %q", doc.Validity.Verdict)
	}
	if !strings.HasPrefix(stderr, "gowrk: validity: valid\n") || withoutVerdict(stderr) != "" {
		t.Errorf("stderr %q", stderr)
	}
	if c := doc.Validity.Checks[0]; c.Name != "connections" || c.Status != "pass" || c.Figures["established"] != 4 || c.Figures["asked"] != 4 {
		t.Errorf("connections check %+v", c)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `<section class="card validity valid" id="validity">`) {
		t.Error("no validity section in the HTML report")
	}
	if _, _, stderr := runMain("-q", "-t1", "-c2", "-d1s", "-R", "100", srv.URL); strings.Contains(stderr, "gowrk: validity: valid") {
		t.Errorf("-q printed a valid verdict: %q", stderr)
	}

	merged := filepath.Join(dir, "merged.json")
	code, _, stderr = runMain("merge", "--json", merged, "--fail-on", "invalid", hlog)
	t.Logf("merge stderr:\n%s", stderr)
	if code != 0 {
		t.Fatalf("merge: exit %d", code)
	}
	for _, c := range readVerdict(t, merged).Validity.Checks {
		if name := c.Name; (name == "connections" || name == "spread" || name == "generator") && c.Detail != "not measured (merged result)" {
			t.Errorf("merged %s check %+v", name, c)
		}
	}
}

// A rate far above what a slow server on two connections can take is an
// invalid measurement: gowrk says so after the report and --fail-on
// invalid exits 2, with another condition beside it.
func TestRateTooHighIsInvalid(t *testing.T) {
	slow := testserver.OK
	slow.Delay = 20 * time.Millisecond
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return slow })
	js := filepath.Join(t.TempDir(), "run.json")
	code, stdout, stderr := runMain("-t1", "-c2", "-d1s", "-R", "1000", "--json", js, "--fail-on", "p99>1m,invalid", srv.URL)
	t.Logf("stderr:\n%s", stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stdout, "Requests/sec:") {
		t.Errorf("no report:\n%s", stdout)
	}
	// Two connections at 20 ms a response send at most 100 of the 1000
	// requests/sec due.
	if !regexp.MustCompile(`(?m)^gowrk: validity: invalid\n(  .*\n)*  fail  rate         sent [0-9.]+ of the 1.00k requests/sec due \(([0-9]|1[0-2])\.[0-9]%\)`).MatchString(stderr) {
		t.Errorf("no failing rate check on stderr")
	}
	if !strings.HasSuffix(stderr, "gowrk: threshold broken: invalid (verdict = invalid)\n") {
		t.Errorf("threshold line missing")
	}
	doc := readVerdict(t, js)
	if c := doc.Validity.Checks[1]; doc.Validity.Verdict != "invalid" || c.Name != "rate" || c.Status != "fail" || c.Figures["sent_share"] > 0.15 {
		t.Errorf("validity %+v", doc.Validity)
	}
	_, _, stderr = runMain("-q", "-t1", "-c2", "-d1s", "-R", "1000", srv.URL)
	if !regexp.MustCompile(`^gowrk: validity: invalid: rate sent .*\n$`).MatchString(stderr) {
		t.Errorf("-q stderr %q, want the one verdict line", stderr)
	}
	if code, _, stderr := runMain("--stop-on", "invalid", "--breakpoint", "1:10", srv.URL); code != 1 || !strings.Contains(stderr, `"invalid" is a --fail-on condition`) {
		t.Errorf("--stop-on invalid: exit %d, %q", code, stderr)
	}
}

// A unix socket server that takes a few connections and leaves the rest
// to its one-place backlog, which refuses the others (EAGAIN), leaves the
// run invalid: fewer connections than -c carried the load.
func TestMissingConnectionsAreInvalid(t *testing.T) {
	srv := okServer(t)
	path := filepath.Join(t.TempDir(), "s.sock")
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	file := os.NewFile(uintptr(fd), path)
	ln, err := net.FileListener(file)
	file.Close()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	// The first connections, one of which may be the check that the target
	// answers, are passed on to the server.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 3 {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", srv.Addr)
			if err != nil {
				c.Close()
				return
			}
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = io.Copy(up, c); up.Close() }()
			go func() { defer wg.Done(); _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	code, _, stderr := runMain("-t1", "-c8", "-d1s", "--fail-on", "invalid", "--unix-socket", path, "http://localhost/")
	t.Logf("stderr:\n%s", stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !regexp.MustCompile(`(?m)^  fail  connections  [1-5] of 8 established \([0-9.]+%\)$`).MatchString(stderr) {
		t.Errorf("no failing connections check")
	}
}
