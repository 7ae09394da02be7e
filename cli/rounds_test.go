package cli

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/report"
)

// Three rounds: a line each on stderr, then the median and spread; one
// report on stdout, the median round's, whose JSON lists the rounds; the
// script runs whole each round, its done() once, for the reported round.
func TestRoundsReportTheMedianRound(t *testing.T) {
	srv := okServer(t)
	script := writeFile(t, "rounds.lua", `
function init(args) io.write("init\n") end
function done(summary, latency, requests) io.write("done " .. summary.requests .. "\n") end
`)
	out := filepath.Join(t.TempDir(), "r.json")
	code, stdout, stderr := runMain("--rounds", "3", "-t1", "-c2", "-d1s", "-q", "-s", script, "--json", out, srv.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	roundLine := regexp.MustCompile(`(?m)^gowrk: round ([1-3]) of 3: ([0-9.]+) requests/s, p50 \S+, p99 \S+$`)
	if got := roundLine.FindAllStringSubmatch(stderr, -1); len(got) != 3 {
		t.Errorf("round lines %q in\n%s", got, stderr)
	}
	summaryLine := regexp.MustCompile(`(?m)^gowrk: 3 rounds; the report is round ([1-3])'s, the median by requests/s$`)
	m := summaryLine.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no summary line in\n%s", stderr)
	}
	for _, row := range []string{`gowrk:\s+median\s+min\s+max\s+spread`, `gowrk:   requests/s\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+%`, `gowrk:   p99\s+\S+s\s+\S+s\s+\S+s\s+[0-9.]+%`} {
		if !regexp.MustCompile(`(?m)^` + row + `$`).MatchString(stderr) {
			t.Errorf("stderr lacks a row like %s:\n%s", row, stderr)
		}
	}
	if strings.Count(stdout, "Running 1s test @") != 1 || strings.Count(stdout, "Requests/sec:") != 1 {
		t.Errorf("stdout holds not one report:\n%s", stdout)
	}
	if strings.Count(stdout, "init\n") != 3 || strings.Count(stdout, "done ") != 1 {
		t.Errorf("init() thrice and done() once expected:\n%s", stdout)
	}
	var doc struct {
		Requests       uint64
		RequestsPerSec float64 `json:"requests_per_sec"`
		Round          int
		Rounds         []struct {
			Round          int
			RequestsPerSec float64 `json:"requests_per_sec"`
			P99US          int64   `json:"p99_us"`
		}
	}
	readValid(t, reportSchema, out, &doc)
	if len(doc.Rounds) != 3 || m[1] != string(rune('0'+doc.Round)) {
		t.Fatalf("rounds %+v, round %d; stderr names round %s", doc.Rounds, doc.Round, m[1])
	}
	rates := []float64{doc.Rounds[0].RequestsPerSec, doc.Rounds[1].RequestsPerSec, doc.Rounds[2].RequestsPerSec}
	reported := doc.Rounds[doc.Round-1]
	slices.Sort(rates)
	if reported.RequestsPerSec != rates[1] || doc.RequestsPerSec != reported.RequestsPerSec || reported.P99US == 0 {
		t.Errorf("the report (%.2f requests/s) is round %d's (%+v), not the median of %v", doc.RequestsPerSec, doc.Round, reported, rates)
	}
	if !strings.Contains(stdout, "done "+jsonNumber(float64(doc.Requests))+"\n") {
		t.Errorf("done() did not see the reported round's %d requests:\n%s", doc.Requests, stdout)
	}
}

func TestRoundsRefusals(t *testing.T) {
	url := "http://127.0.0.1:1/"
	for _, extra := range [][]string{
		{"--dashboard"}, {"--hdr-log", "x.hlog"}, {"--prometheus-rw", "http://127.0.0.1:9/api/v1/write"},
		{"--breakpoint", "10:100"}, {"--stop-on", "p99>1s", "-R", "10"}, {"--start-at", "+1h"},
		{"--shard", "1/2"}, {"--cpuprofile", "x.pprof"}, {"--targets", "-"},
	} {
		args := append([]string{"--rounds", "2", "-t1", "-c2", "-d1s"}, extra...)
		if extra[0] != "--targets" {
			args = append(args, url)
		}
		code, stdout, stderr := runMain(args...)
		refusal := regexp.MustCompile(`^--rounds cannot be used with (--\S+ or )?` + extra[0] + `[: ]`)
		if code != 1 || stdout != "" || !refusal.MatchString(stderr) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", extra, code, stdout, stderr)
		}
	}
	for _, n := range []string{"0", "1001", "x"} {
		if code, _, stderr := runMain("--rounds", n, url); code != 1 || !strings.Contains(stderr, "--rounds") {
			t.Errorf("--rounds %s: exit %d, stderr %q", n, code, stderr)
		}
	}
	// One round is the plain run: nothing about rounds, in JSON neither.
	srv := okServer(t)
	code, stdout, stderr := runMain("--rounds", "1", "-t1", "-c1", "-d1s", "-q", "--json", "-", srv.URL)
	if code != 0 || strings.Contains(stderr, "round") || strings.Contains(stdout, `"rounds"`) {
		t.Errorf("--rounds 1: exit %d, stderr %q", code, stderr)
	}
}

func TestRoundsMedian(t *testing.T) {
	rate := func(rs ...float64) []report.Round {
		var out []report.Round
		for _, r := range rs {
			out = append(out, report.Round{RequestsPerSec: r, P99: int64(1e6 / r)})
		}
		return out
	}
	for _, tc := range []struct {
		rounds    []report.Round
		byLatency bool
		want      int
	}{
		{rate(300, 100, 200), false, 2},
		{rate(300, 100, 200, 400), false, 2}, // of 200 and 300, the slower
		{rate(300, 100, 200), true, 2},
		{rate(300, 100, 200, 400), true, 2}, // of p99 3333 and 5000, the higher
		{rate(100, 100), false, 0},
	} {
		if got := medianRound(tc.rounds, tc.byLatency); got != tc.want {
			t.Errorf("%+v by latency %v: round %d, want %d", tc.rounds, tc.byLatency, got, tc.want)
		}
	}
}
