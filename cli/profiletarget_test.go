package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/targetprofile"
)

// hashWork is the server's work per request: FNV-1a over a counter, about
// 15µs, kept in registers so that even under the race detector the time
// is this function's own.
//
//go:noinline
func hashWork(n uint64) uint64 {
	h := uint64(14695981039346656037)
	for i := range n {
		h = (h ^ i) * 1099511628211
	}
	return h
}

// profiledServer is a Go server that hashes on every request and serves
// net/http/pprof; profiling says when each profile request ended.
type profiledServer struct {
	URL      string
	ended    chan time.Time
	requests atomic.Int64
}

func startProfiledServer(t *testing.T, withPprof bool, status int) *profiledServer {
	s := &profiledServer{ended: make(chan time.Time, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("/work", func(w http.ResponseWriter, _ *http.Request) {
		s.requests.Add(1)
		w.WriteHeader(status)
		fmt.Fprintf(w, "%x\n", hashWork(1<<14))
	})
	if withPprof {
		mux.HandleFunc("/debug/pprof/profile", func(w http.ResponseWriter, r *http.Request) {
			defer func() { s.ended <- time.Now() }()
			pprof.Profile(w, r)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// The profile of a run against a hashing server finds the hashing, and
// goes beside the report, in the HTML and in the JSON.
func TestProfileTarget(t *testing.T) {
	srv := startProfiledServer(t, true, http.StatusOK)
	dir := t.TempDir()
	html, js := filepath.Join(dir, "run.html"), filepath.Join(dir, "run.json")
	code, stdout, stderr := runMain("-t1", "-c2", "-d3s", "-q", "--profile-target", srv.URL+"/debug/pprof/",
		"--report", html, "--json", js, srv.URL+"/work")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	file := filepath.Join(dir, "run.target.pprof")
	if want := "gowrk: target CPU profile (2s) written to " + file + "\n"; withoutVerdict(stderr) != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	if !strings.Contains(stdout, "Requests/sec:") || strings.Contains(stdout, "profile") {
		t.Errorf("stdout is not wrk's report alone:\n%s", stdout)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.ParseData(data)
	if err != nil {
		t.Fatalf("the saved profile does not parse: %v", err)
	}
	if d := time.Duration(p.DurationNanos); d < 1900*time.Millisecond || d > 3*time.Second {
		t.Errorf("profile of %s, want 2s", d)
	}
	s, err := targetprofile.Summarize(p, profileTop)
	if err != nil {
		t.Fatal(err)
	}
	const fn = "github.com/gowrk/gowrk/cli.hashWork"
	var top []string
	for _, f := range s.Top {
		top = append(top, f.Name)
	}
	if !strings.Contains(strings.Join(top, " "), fn) {
		t.Fatalf("%s not among the top functions %q", fn, top)
	}
	for i, f := range s.Top {
		if f.Name == fn {
			t.Logf("%s of CPU in %d samples; %s is #%d, flat %.1f%%", s.Total, s.Samples, fn, i+1, 100*s.FlatShare(f))
		}
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<section id="target-profile">`, "2s, from 0.4s to 2.4s of the measured run",
		`<a href="run.target.pprof">run.target.pprof</a>`, "<td>" + fn + "</td>"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	var got struct {
		TargetProfile struct {
			URL, File string
			StartS    float64 `json:"start_s"`
			Seconds   int
			CPUS      float64 `json:"cpu_s"`
			Top       []struct {
				Function string
				FlatPct  float64 `json:"flat_pct"`
				CumPct   float64 `json:"cum_pct"`
			}
		} `json:"target_profile"`
	}
	readValid(t, reportSchema, js, &got)
	tp := got.TargetProfile
	if tp.File != file || tp.Seconds != 2 || tp.StartS != 0.4 || tp.CPUS <= 0 || len(tp.Top) == 0 || len(tp.Top) > profileTop {
		t.Errorf("target_profile %+v", tp)
	}
	for _, f := range tp.Top {
		if f.Function == fn && (f.FlatPct <= 0 || f.CumPct < f.FlatPct) {
			t.Errorf("%s: flat %.2f%%, cum %.2f%%", fn, f.FlatPct, f.CumPct)
		}
	}
}

// A failed profile is one line on stderr; the run's reports still go out,
// without a profile file, and the exit status is the run's.
func TestProfileTargetFails(t *testing.T) {
	srv := startProfiledServer(t, false, http.StatusOK)
	dir := t.TempDir()
	html := filepath.Join(dir, "run.html")
	code, _, stderr := runMain("-t1", "-c1", "-d2s", "--profile-target", srv.URL+"/debug/pprof/profile", "--report", html, srv.URL+"/work")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	if stderr := withoutVerdict(stderr); !strings.HasPrefix(stderr, "gowrk: target profile not captured: ") || !strings.Contains(stderr, "404 Not Found") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("stderr %q", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "run.target.pprof")); !os.IsNotExist(err) {
		t.Errorf("a failed profile left its file: %v", err)
	}
	page, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(page), "not captured: ") {
		t.Errorf("report without the failure: %v", err)
	}
}

// A run that stops before the profile's window ends (here at its
// breakpoint) does not wait for it, and the request is ended.
func TestProfileTargetRunEndsEarly(t *testing.T) {
	srv := startProfiledServer(t, true, http.StatusServiceUnavailable)
	dir := t.TempDir()
	start := time.Now()
	code, stdout, stderr := runMain("-t1", "-c1", "-d20s", "--breakpoint", "100:200", "--stop-on", "errors>1%", "--window", "1s",
		"--profile-target", srv.URL+"/debug/pprof/profile", "--json", filepath.Join(dir, "bp.json"), srv.URL+"/work")
	end := time.Now()
	if code != 0 || !strings.Contains(stdout, "Breakpoint") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	if took := end.Sub(start); took > 8*time.Second {
		t.Errorf("took %s: waited for the 18s profile", took)
	}
	// A loaded machine may add the behind-schedule line before it.
	if !strings.Contains(withoutVerdict(stderr), "gowrk: target profile not captured: the run ended before the profile's window (1s to 19s of the measured run) did\n") {
		t.Errorf("stderr %q", stderr)
	}
	select {
	case at := <-srv.ended:
		if at.Sub(end) > time.Second {
			t.Errorf("the profile request ended %s after the run", at.Sub(end))
		}
	case <-time.After(2 * time.Second):
		t.Error("the profile request was not ended")
	}
	if _, err := os.Stat(filepath.Join(dir, "bp.target.pprof")); !os.IsNotExist(err) {
		t.Errorf("a profile not taken left its file: %v", err)
	}
}

// Too short a run, a bad URL or path: one line before the run, and no
// files left.
func TestProfileTargetRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-d1s", "--profile-target", "http://127.0.0.1:1/debug/pprof/"}, "--profile-target needs a longer run"},
		{[]string{"--profile-target", "127.0.0.1:1/debug/pprof/"}, "invalid pprof URL"},
		{[]string{"--profile-target", "http://127.0.0.1:1/debug/pprof/", "--report", filepath.Join(dir, "no", "r.html")}, "no such file"},
	} {
		args := append(append([]string{"-t1", "-c1", "--report", filepath.Join(dir, "r.html")}, c.args...), "http://127.0.0.1:1/")
		code, stdout, stderr := runMain(args...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 1 and one line with %q", c.args, code, stdout, stderr, c.want)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("files left: %v", left)
	}
}

func TestProfilePath(t *testing.T) {
	for _, c := range []struct {
		o    Outputs
		want string
	}{
		{Outputs{Report: "out/run.html", JSON: "x.json"}, "out/run.target.pprof"},
		{Outputs{Report: "report"}, "report.target.pprof"},
		{Outputs{JSON: "a.b/run.json"}, "a.b/run.target.pprof"},
		{Outputs{JSON: "-"}, defaultProfileFile},
		{Outputs{}, defaultProfileFile},
	} {
		if got := profilePath(&c.o); got != c.want {
			t.Errorf("%+v: %s, want %s", c.o, got, c.want)
		}
	}
}

// With stages the profile covers the longest stage that holds its level.
func TestProfileSpan(t *testing.T) {
	s := time.Second
	stages := func(ss ...pace.Stage) *generator.Config {
		return &generator.Config{Duration: pace.StagesLength(ss), Pacer: pace.Staged(ss)}
	}
	for _, c := range []struct {
		cfg           *generator.Config
		start, length time.Duration
	}{
		{&generator.Config{Duration: 10 * s}, 0, 10 * s},
		{&generator.Config{Duration: 10 * s, Warmup: 5 * s}, 5 * s, 10 * s},
		{stages(pace.Stage{Duration: 10 * s, Target: 100}, pace.Stage{Duration: 30 * s, Target: 100}, pace.Stage{Duration: 10 * s}), 10 * s, 30 * s},
		{stages(pace.Stage{Duration: 5 * s, Target: 100}, pace.Stage{Duration: 5 * s, Target: 200}), 0, 10 * s}, // no level stage
		{stages(pace.Stage{Duration: 5 * s, Target: 100}, pace.Stage{Duration: 1 * s, Target: 100}), 0, 6 * s},  // too short a level
		{&generator.Config{Duration: 20 * s, ConnStages: []pace.Stage{{Duration: 5 * s, Target: 10}, {Duration: 15 * s, Target: 10}}}, 5 * s, 15 * s},
	} {
		start, length := profileSpan(c.cfg)
		if start != c.start || length != c.length {
			t.Errorf("%+v: span %s+%s, want %s+%s", c.cfg.Pacer.Stages(), start, length, c.start, c.length)
		}
	}
}
