package cli

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testserver"
)

// shortSeries makes the runs of a test cut their series into 200 ms
// intervals, so that a 4 s run has 20 to compare.
func shortSeries(t *testing.T) {
	old := seriesInterval
	seriesInterval = 200 * time.Millisecond
	t.Cleanup(func() { seriesInterval = old })
}

// steppedServer answers after base times a level that the wall clock
// steps through, 1, 1.04, 1.08 and 1.12, each for 500 ms, times a factor
// drawn evenly from 1 to 2. Every run at the same time sees the same
// levels, so two of them differ by little more than their own noise,
// while the levels spread the intervals of a run further than that
// noise: the test of two such runs has nothing to find, and finds
// nothing. Runs at the same time against servers of different bases
// differ by the ratio of the bases, plus what the machine's load adds
// to both. The even factor puts p90 and p99 on a flat, bounded stretch
// of the server's own distribution, where a hundred responses pin them
// down, rather than on the scheduler's rare stalls.
func steppedServer(t *testing.T, base time.Duration) *testserver.Server {
	return testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
		level := time.Now().UnixMilli() / 500 % 4
		r := testserver.OK
		r.Delay = time.Duration(float64(base) * float64(25+level) / 25 * (1 + rand.Float64()))
		return r
	})
}

// runAtOnce runs gowrk with each argument list at the same time and
// fails the test unless all succeed.
func runAtOnce(t *testing.T, runs ...[]string) {
	t.Helper()
	var wg sync.WaitGroup
	codes, stderrs := make([]int, len(runs)), make([]string, len(runs))
	for i, args := range runs {
		wg.Go(func() { codes[i], _, stderrs[i] = runMain(args...) })
	}
	wg.Wait()
	for i := range runs {
		if codes[i] != 0 {
			t.Fatalf("%q: exit %d: %s", runs[i], codes[i], stderrs[i])
		}
	}
}

type compareOutput struct {
	Comparisons []struct {
		File         string
		SameWorkload *bool `json:"same_workload"`
		Metrics      []struct {
			Metric      string
			ChangePct   float64 `json:"change_pct"`
			CILowPct    float64 `json:"ci_low_pct"`
			CIHighPct   float64 `json:"ci_high_pct"`
			P           float64 `json:"p_value"`
			Significant bool
			Verdict     string
		}
		Thresholds []struct {
			Condition string
			Broken    bool
		}
	}
}

// A run against the same server as the baseline, at the same time, shows
// no significant difference; one against a server 20% slower shows the
// change with its sign, and --fail-on p99>+10% exits 2 for it alone.
func TestCompareSameAndSlower(t *testing.T) {
	shortSeries(t)
	dir := t.TempDir()
	// 14 ms is long against the scheduling noise of a loaded machine,
	// and 12 connections keep the three runs' CPU low (under -race too).
	base, slow := steppedServer(t, 14*time.Millisecond), steppedServer(t, 14*time.Millisecond*6/5)
	a, same, slower := filepath.Join(dir, "a.json"), filepath.Join(dir, "same.json"), filepath.Join(dir, "slower.json")
	// One URL path for all, so that the three runs share a workload.
	common := []string{"-t1", "-c12", "-d4s", "-q"}
	runAtOnce(t,
		append(common, "--json", a, base.URL+"/"),
		append(common, "--json", same, base.URL+"/"),
		append(common, "--json", slower, slow.URL+"/"))

	out := filepath.Join(dir, "cmp.json")
	code, stdout, stderr := runMain("compare", "--json", out, "--fail-on", "p99>+10%", a, same, slower)
	t.Logf("compare:\n%s%s", stdout, stderr)
	if code != 2 {
		t.Errorf("exit %d, want 2 (the slower run breaks p99>+10%%)", code)
	}
	// The servers' ports differ, hence the workloads: said in one line.
	if !strings.Contains(stderr, "gowrk: compare: "+a+" and "+slower+" ran different workloads") {
		t.Errorf("stderr lacks the workload line: %q", stderr)
	}
	if !strings.Contains(stderr, "gowrk: threshold broken: p99>+10% ("+slower+": p99 +") || strings.Contains(stderr, same+": p99") {
		t.Errorf("stderr %q: want the slower run's p99 alone broken", stderr)
	}
	for _, want := range []string{same + " against " + a + " (", "requests/s", "no significant difference", "significantly higher", "significantly lower", "Hodges-Lehmann"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	var doc compareOutput
	readValid(t, compareSchema, out, &doc)
	if len(doc.Comparisons) != 2 {
		t.Fatalf("%d comparisons", len(doc.Comparisons))
	}
	sameRun, slowRun := doc.Comparisons[0], doc.Comparisons[1]
	if sameRun.SameWorkload == nil || !*sameRun.SameWorkload || slowRun.SameWorkload == nil || *slowRun.SameWorkload {
		t.Errorf("same_workload %v and %v, want true and false", sameRun.SameWorkload, slowRun.SameWorkload)
	}
	for _, m := range sameRun.Metrics {
		if (m.Metric == "rps" || m.Metric == "p50") && (m.Significant || m.Verdict != "no significant difference" || m.CILowPct > 0 || m.CIHighPct < 0) {
			t.Errorf("same server, %s: %+.1f%% [%+.1f%%, %+.1f%%] p %.3f: %s", m.Metric, m.ChangePct, m.CILowPct, m.CIHighPct, m.P, m.Verdict)
		}
	}
	for _, m := range slowRun.Metrics {
		up := m.Metric != "rps"
		if !m.Significant || (up && m.CILowPct <= 0) || (!up && m.CIHighPct >= 0) {
			t.Errorf("20%% slower, %s: %+.1f%% [%+.1f%%, %+.1f%%] p %.3f: %s", m.Metric, m.ChangePct, m.CILowPct, m.CIHighPct, m.P, m.Verdict)
		}
	}
	if len(slowRun.Thresholds) != 1 || !slowRun.Thresholds[0].Broken || sameRun.Thresholds[0].Broken {
		t.Errorf("thresholds: same %+v, slower %+v", sameRun.Thresholds, slowRun.Thresholds)
	}

	// Without the slower run nothing breaks; --strict refuses other
	// workloads before comparing.
	if code, _, stderr := runMain("compare", "--fail-on", "p99>+10%,rps<-5%", a, same); code != 0 || stderr != "" {
		t.Errorf("same runs: exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr = runMain("compare", "--strict", a, slower)
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 {
		t.Errorf("--strict: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runMain("compare", "--json", "-", a, same)
	if code != 0 || !json.Valid([]byte(stdout)) {
		t.Errorf("--json -: exit %d, stdout %q", code, stdout)
	}
}

func TestCompareBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	series := func(n int, step float64) string {
		var ivs []string
		for range n {
			ivs = append(ivs, `{"length_s":`+jsonNumber(step)+`,"requests":100,"requests_per_sec":1000,"p50_us":2000,"p90_us":2500,"p99_us":3000}`)
		}
		return `{"schema_version":1,"tool":"gowrk","workload":"0123456789abcdef","config":{"series_interval_s":` + jsonNumber(step) + `},"series":[` + strings.Join(ivs, ",") + `]}`
	}
	good := write("good.json", series(10, 1))
	short := write("short.json", series(3, 1))
	other := write("tenth.json", series(10, 0.1))
	notJSON := write("text.json", "Running 10s test @ http://x/\n")
	merged := write("hlog.json", `{"tool":"wrk"}`)
	noSeries := write("noseries.json", `{"schema_version":1,"tool":"gowrk","config":{"series_interval_s":1}}`)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"compare"}, "usage: gowrk compare"},
		{[]string{"compare", good}, "usage: gowrk compare"},
		{[]string{"compare", good, filepath.Join(dir, "missing.json")}, "no such file"},
		{[]string{"compare", good, notJSON}, "not a gowrk JSON report"},
		{[]string{"compare", merged, good}, "not a gowrk JSON report"},
		{[]string{"compare", good, noSeries}, "not a gowrk JSON report"},
		{[]string{"compare", good, short}, "3 full intervals of 1s, too few to judge: compare needs at least 5 (a run of 5s or longer, or --rounds 5)"},
		{[]string{"compare", good, other}, "not comparable"},
		{[]string{"compare", "--fail-on", "p99>10", good, good}, "needs % or a time unit"},
		{[]string{"compare", "--fail-on", "errors>1%", good, good}, `unknown metric "errors"`},
		{[]string{"compare", "--bogus", good, good}, "unknown flag"},
		{[]string{"compare", "--json", filepath.Join(dir, "no", "such.json"), good, good}, "no such file"},
	}
	for _, tc := range cases {
		code, _, stderr := runMain(tc.args...)
		if code != 1 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || stackTrace.MatchString(stderr) {
			t.Errorf("%q: exit %d, stderr %q; want 1 and one line with %q", tc.args[1:], code, stderr, tc.want)
		}
	}
	// Identical figures: no change, exit 0 under any condition.
	code, stdout, stderr := runMain("compare", "--fail-on", "p50>+0%,rps<-0%", good, good)
	if code != 0 || stderr != "" || strings.Count(stdout, "no significant difference") != 4 {
		t.Errorf("a run against itself: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	// A table whose columns line up: every row as long as the header.
	var rows []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "   ") && !strings.Contains(l, "Hodges") {
			rows = append(rows, l)
		}
	}
	verdictAt := regexp.MustCompile(`no significant|significantly`)
	for _, r := range rows[1:] {
		if at := verdictAt.FindStringIndex(r); at == nil || at[0] != strings.Index(rows[0], "Verdict") {
			t.Errorf("the verdicts are not in their column:\n%s\n%s", rows[0], r)
		}
	}
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// Reports of --rounds runs compare their rounds: the noise between runs
// is then in the interval, and the text says what was compared.
func TestCompareRounds(t *testing.T) {
	dir := t.TempDir()
	report := func(name string, rates ...float64) string {
		var ivs, rounds []string
		for range 6 {
			ivs = append(ivs, `{"length_s":1,"requests":100,"requests_per_sec":1000,"p50_us":2000,"p90_us":2500,"p99_us":3000}`)
		}
		for i, r := range rates {
			rounds = append(rounds, fmt.Sprintf(`{"round":%d,"requests_per_sec":%s,"p50_us":%d,"p90_us":2500,"p99_us":3000,"runtime_s":1,"interrupted":false}`, i+1, jsonNumber(r), int(2e6/r)))
		}
		doc := `{"schema_version":1,"tool":"gowrk","workload":"0123456789abcdef","config":{"series_interval_s":1},"series":[` + strings.Join(ivs, ",") + `],"rounds":[` + strings.Join(rounds, ",") + `]}`
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// The intervals are identical; only the rounds differ.
	a := report("a.json", 1000, 1010, 990, 1005, 995)
	b := report("b.json", 800, 810, 790, 805, 795)
	one := report("one.json")
	code, stdout, stderr := runMain("compare", "--json", filepath.Join(dir, "c.json"), a, b)
	if code != 0 || !strings.Contains(stdout, "(5 and 5 rounds)") || !strings.Contains(stdout, "significantly lower") || strings.Contains(stdout, "one run a side") {
		t.Errorf("rounds: exit %d, stderr %q\n%s", code, stderr, stdout)
	}
	var doc struct{ Comparisons []struct{ Samples string } }
	if readValid(t, compareSchema, filepath.Join(dir, "c.json"), &doc); len(doc.Comparisons) != 1 || doc.Comparisons[0].Samples != "rounds" {
		t.Errorf("comparison JSON: %+v", doc)
	}
	// Without rounds on both sides, the intervals, and the caveat.
	code, stdout, _ = runMain("compare", a, one)
	if code != 0 || !strings.Contains(stdout, "(6 and 6 intervals of 1s)") || strings.Count(stdout, "no significant difference") != 4 || !strings.Contains(stdout, "one run a side") {
		t.Errorf("intervals: exit %d\n%s", code, stdout)
	}
}
