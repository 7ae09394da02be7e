package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
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
