package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Two generators at the same time, each writing a log, then gowrk merge.
func TestMergeTwoRuns(t *testing.T) {
	srv := okServer(t)
	dir := t.TempDir()
	logs := []string{filepath.Join(dir, "a.hlog"), filepath.Join(dir, "b.hlog")}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, l := range logs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, _ = runMain("-t1", "-c2", "-d1s", "-R", "200", "-q", "--hdr-log", l, srv.URL)
		}()
	}
	wg.Wait()
	if codes[0] != 0 || codes[1] != 0 {
		t.Fatalf("runs exited %v", codes)
	}
	out := filepath.Join(dir, "m.json")
	code, stdout, stderr := runMain("merge", "-L", "--json", out, "--report", filepath.Join(dir, "m.html"), logs[0], logs[1])
	if code != 0 {
		t.Fatalf("merge exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Merged 2 runs (", "  2 threads and 4 connections\n", "Latency Distribution (HdrHistogram - Recorded Latency)", "Requests/sec:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("merge output lacks %q:\n%s", want, stdout)
		}
	}
	data, _ := os.ReadFile(out)
	var doc struct {
		Mode     string
		Config   struct{ Rate float64 }
		Sources  []struct{ Requests uint64 }
		Requests uint64
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Mode != "merged" || doc.Config.Rate != 400 || len(doc.Sources) != 2 || doc.Requests != doc.Sources[0].Requests+doc.Sources[1].Requests {
		t.Errorf("merged document %+v", doc)
	}
}

func TestMergeRejectsOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.hlog")
	_ = os.WriteFile(path, []byte("#[Histogram log format version 1.3]\n"), 0o644)
	code, _, stderr := runMain("merge", path)
	if code != 1 || !strings.Contains(stderr, "not a gowrk log") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestHelpIsUsageOnly(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"merge", "--help"}, {"merge", "-h"}} {
		code, stdout, stderr := runMain(args...)
		if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "Usage: gowrk") && !strings.HasPrefix(stdout, "usage: gowrk merge") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want the usage on stdout only", args, code, stdout, stderr)
		}
		if strings.Contains(stdout+stderr, "pflag") {
			t.Errorf("%q: %q", args, stdout+stderr)
		}
	}
}

// runShards runs the shards of one workload at once, with one --start-at,
// each writing its interval log to stdout among its report (--hdr-log -),
// and returns their stdouts concatenated, as kubectl logs gives them.
func runShards(t *testing.T, url string, shards []int, n int, extra ...string) string {
	t.Helper()
	start := time.Now().Add(800 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	outs := make([]string, len(shards))
	var wg sync.WaitGroup
	for i, shard := range shards {
		args := append([]string{"-t1", "-c6", "-d1s", "-R", "600", "-q", "--start-at", start, "--shard", fmt.Sprintf("%d/%d", shard, n), "--hdr-log", "-"}, extra...)
		wg.Go(func() {
			code, stdout, stderr := runMain(append(args, url)...)
			if code != 0 {
				t.Errorf("shard %d/%d exited %d: %s", shard, n, code, stderr)
			}
			outs[i] = stdout
		})
	}
	wg.Wait()
	return strings.Join(outs, "")
}

// Shards that ran together merge from their combined output into the
// workload's report; a shard missing or from another workload is refused.
func TestMergeShardsFromTheirOutput(t *testing.T) {
	srv := okServer(t)
	dir := t.TempDir()
	stream := runShards(t, srv.URL, []int{1, 2, 3}, 3)
	if !strings.Contains(stream, "  1 threads and 2 connections (shard 2 of 3)\n") || !strings.Contains(stream, "Requests/sec:") {
		t.Errorf("a shard's report lacks its header or totals:\n%s", stream)
	}
	all := filepath.Join(dir, "all.log")
	os.WriteFile(all, []byte(stream), 0o644)
	out := filepath.Join(dir, "m.json")
	stdin = strings.NewReader(stream)
	t.Cleanup(func() { stdin = os.Stdin })
	for _, src := range []string{"-", all} {
		code, stdout, stderr := runMain("merge", "--strict", "--max-skew", "50ms", "--json", out, src)
		if code != 0 {
			t.Fatalf("merge %s: exit %d: %s", src, code, stderr)
		}
		if !strings.Contains(stdout, "Merged 3 runs (") || !strings.Contains(stdout, "  3 threads and 6 connections\n") {
			t.Errorf("merge %s:\n%s", src, stdout)
		}
		var doc struct {
			Config   struct{ Rate float64 }
			Workload string
			Requests uint64
			Sources  []struct{ Requests uint64 }
		}
		data, _ := os.ReadFile(out)
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		var sum uint64
		for _, s := range doc.Sources {
			sum += s.Requests
		}
		if math.Abs(doc.Config.Rate-600) > 1e-6 || len(doc.Workload) != 16 || len(doc.Sources) != 3 || doc.Requests != sum || doc.Requests < 500 {
			t.Errorf("merged %+v", doc)
		}
	}

	stdin = strings.NewReader(runShards(t, srv.URL, []int{1, 3}, 3))
	if code, _, stderr := runMain("merge", "-"); code != 1 || stderr != "shards incomplete: 2 of 3, missing 2\n" {
		t.Errorf("a shard missing: exit %d, %q", code, stderr)
	}
	other := runShards(t, srv.URL, []int{2}, 3, "-H", "X-Other: 1")
	stdin = strings.NewReader(runShards(t, srv.URL, []int{1, 3}, 3) + other)
	if code, _, stderr := runMain("merge", "-"); code != 1 || !strings.Contains(stderr, "ran different workloads") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("a shard of another workload: exit %d, %q", code, stderr)
	}
}

// Runs that did not start together are merged with a line that says so;
// --strict makes it a failure.
func TestMergeSaysWhenStartsDiffer(t *testing.T) {
	srv := okServer(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.hlog"), filepath.Join(dir, "b.hlog")
	for _, p := range []string{a, b} {
		if code, _, stderr := runMain("-t1", "-c2", "-d1s", "-q", "--hdr-log", p, srv.URL); code != 0 {
			t.Fatal(stderr)
		}
	}
	code, stdout, stderr := runMain("merge", a, b)
	if code != 0 || !strings.Contains(stderr, "gowrk: merge: the runs started 1.") || !strings.Contains(stderr, "apart, more than --max-skew 10ms") || !strings.Contains(stdout, "Merged 2 runs") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, stdout, _ = runMain("merge", "--strict", a, b)
	if code != 1 || stdout != "" {
		t.Errorf("--strict: exit %d, stdout %q", code, stdout)
	}
	if code, _, stderr := runMain("merge", "--max-skew", "-1s", a, b); code != 1 || !strings.Contains(stderr, "--max-skew") {
		t.Errorf("negative --max-skew: exit %d, %q", code, stderr)
	}
}

// --fail-on judges the merged result of the shards, not each one.
func TestMergeFailOnJudgesTheMergedResult(t *testing.T) {
	srv := okServer(t)
	stdin = strings.NewReader(runShards(t, srv.URL, []int{1, 2}, 2))
	t.Cleanup(func() { stdin = os.Stdin })
	// Each shard sends about 300/s, the two about 600/s.
	code, _, stderr := runMain("merge", "--fail-on", "rps<450", "-")
	if code != 0 {
		t.Errorf("rps<450 on the merged ~600/s: exit %d, %s", code, stderr)
	}
	stdin = strings.NewReader(runShards(t, srv.URL, []int{1, 2}, 2))
	code, _, stderr = runMain("merge", "--fail-on", "rps<700", "-")
	if code != 2 || !strings.Contains(stderr, "threshold broken: rps<700") {
		t.Errorf("rps<700 on the merged ~600/s: exit %d, %s", code, stderr)
	}
}
