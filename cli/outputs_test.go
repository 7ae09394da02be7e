package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/jsonschema"
	"github.com/gowrk/gowrk/internal/testserver"
)

// The schemas of gowrk's JSON report and of compare's.
const (
	reportSchema  = "../docs/json-schema.json"
	compareSchema = "../docs/compare-schema.json"
)

// decodeValid checks data against a schema, strictly (a field it does not
// describe fails), and decodes it into v.
func decodeValid(t *testing.T, schemaFile string, data []byte, v any) {
	t.Helper()
	schema, err := jsonschema.LoadStrict(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(data); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// readValid is decodeValid on a file's contents.
func readValid(t *testing.T, schemaFile, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	decodeValid(t, schemaFile, data, v)
}

func okServer(t *testing.T) *testserver.Server {
	return testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
}

// With --json - stdout is one JSON document, valid against the schema.
func TestJSONToStdout(t *testing.T) {
	srv := okServer(t)
	code, stdout, stderr := runMain("-t1", "-c2", "-d1s", "-R", "200", "--json", "-", "--percentiles", "50,99", srv.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Mode     string
		Requests uint64
		Schedule struct{ Sent uint64 }
	}
	decodeValid(t, reportSchema, []byte(stdout), &doc)
	if doc.Mode != "constant-rate" || doc.Requests < 150 || doc.Schedule.Sent < 150 {
		t.Errorf("document %+v", doc)
	}
}

// The report comes first, then exit status 2 and a line per broken threshold.
func TestFailOn(t *testing.T) {
	srv := testserver.Start(t, false, func(n int64, _ *fasthttp.Request) testserver.Reply {
		if n%10 == 0 {
			return testserver.Status(503)
		}
		return testserver.OK
	})
	code, stdout, stderr := runMain("-t1", "-c2", "-d1s", "--fail-on", "errors>5%,p99>10s", srv.URL)
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stdout, "Requests/sec:") || !strings.Contains(stdout, "Non-2xx or 3xx responses:") {
		t.Errorf("report not printed:\n%s", stdout)
	}
	// Every tenth response is a 503; requests in flight at the end leave
	// the share a little either side of 10%.
	if !regexp.MustCompile(`^gowrk: threshold broken: errors>5% \(errors = (9\.9\d|10\.\d\d)%\)\n$`).MatchString(withoutVerdict(stderr)) {
		t.Errorf("stderr %q", stderr)
	}
	if code, _, stderr := runMain("-t1", "-c2", "-d1s", "--fail-on", "errors>50%", srv.URL); code != 0 || withoutVerdict(stderr) != "" {
		t.Errorf("threshold met: exit %d, stderr %q", code, stderr)
	}
}

// wrk2's layout: -U prints both HdrHistogram blocks, and nothing of wrk2's
// calibration.
func TestRatePrintsWrk2Layout(t *testing.T) {
	srv := okServer(t)
	code, stdout, stderr := runMain("-t1", "-c2", "-d1s", "-R", "500", "-U", srv.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(stdout, "\n")
	grammar := []*regexp.Regexp{
		regexp.MustCompile(`^Running 1s test @ `),
		regexp.MustCompile(`^  1 threads and 2 connections$`),
		regexp.MustCompile(`^  Thread Stats   Avg      Stdev     Max   \+/- Stdev$`),
		regexp.MustCompile(`^    Latency  `),
		regexp.MustCompile(`^    Req/Sec  `),
		regexp.MustCompile(`^  Latency Distribution \(HdrHistogram - Recorded Latency\)$`),
		regexp.MustCompile(`^ 50\.000% +[0-9.]+(us|ms|s)$`),
	}
	for i, re := range grammar {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i+1, lines[i], re)
		}
	}
	for _, want := range []string{
		"100.000%", "\n\n  Detailed Percentile spectrum:\n       Value   Percentile   TotalCount 1/(1-Percentile)\n\n",
		"#[Buckets =           22, SubBuckets     =         2048]\n" + strings.Repeat("-", 58) + "\n\n  Latency Distribution (HdrHistogram - Uncorrected Latency (measured without taking delayed starts into account))\n",
		strings.Repeat("-", 58) + "\n  ", " requests in ", "Requests/sec:", "Transfer/sec:",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "calibration") {
		t.Error("prints a calibration")
	}
}

func TestOutputFiles(t *testing.T) {
	srv := okServer(t)
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	code, stdout, stderr := runMain("-t1", "-c2", "-d1s", "-R", "300", "-q", "--json", path("r.json"), "--report", path("r.html"),
		"--hdr-out", path("r.hgrm"), "--hdr-log", path("r.hlog"), srv.URL)
	if code != 0 || withoutVerdict(stderr) != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Requests/sec:") {
		t.Errorf("no text report with --json FILE:\n%s", stdout)
	}
	for name, want := range map[string]string{
		"r.json": `"schema_version": 1`,
		"r.html": `<svg id="chart-percentiles"`,
		"r.hgrm": "       Value   Percentile   TotalCount 1/(1-Percentile)\n",
		"r.hlog": "#gowrk-summary {",
	} {
		data, err := os.ReadFile(path(name))
		if err != nil || !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q (%v)", name, want, err)
		}
	}
}

// A run that cannot start leaves no empty output files behind.
func TestFailedRunRemovesOutputFiles(t *testing.T) {
	dir := t.TempDir()
	code, _, _ := runMain("-t1", "-c1", "-d1s", "--json", filepath.Join(dir, "r.json"), "--hdr-log", filepath.Join(dir, "r.hlog"), "http://127.0.0.1:1/")
	entries, _ := os.ReadDir(dir)
	if code != 1 || len(entries) != 0 {
		t.Errorf("exit %d, files left: %v", code, entries)
	}
}
