package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// listedPackage is the part of `go list -json` the tests read.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Dir        string
	GoFiles    []string
	EmbedFiles []string
	CgoFiles   []string
	Module     *struct {
		Path string
		Main bool
	}
	Error *struct{ Err string }
}

// listDeps is every package the image's binaries are built from, as the
// Dockerfile builds them (CGO_ENABLED=0).
func listDeps(t *testing.T, pkgs ...string) []listedPackage {
	return listDepsCgo(t, "0", pkgs...)
}

// listDepsCgo is listDeps with CGO_ENABLED=cgo.
func listDepsCgo(t *testing.T, cgo string, pkgs ...string) []listedPackage {
	t.Helper()
	key := cgo + " " + strings.Join(pkgs, " ")
	listMu.Lock()
	defer listMu.Unlock()
	if l, ok := listCache[key]; ok {
		return l
	}
	out := goCmd(t, []string{"CGO_ENABLED=" + cgo}, append([]string{"list", "-e", "-deps", "-json=ImportPath,Standard,Dir,GoFiles,EmbedFiles,CgoFiles,Module,Error"}, pkgs...)...)
	var list []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		list = append(list, p)
	}
	listCache[key] = list
	return list
}

// go list runs once per package set for the whole test binary.
var (
	listMu    sync.Mutex
	listCache = map[string][]listedPackage{}
)

var imagePackages = []string{"./cmd/gowrk", "./cmd/target", "./cmd/localpg"}

// TestDockerignore: the build context the .dockerignore leaves holds every
// file the three go build commands read (and bench/), and leaves out VCS
// data, local binaries and local results. Uses the matcher Docker and
// BuildKit use for .dockerignore.
func TestDockerignore(t *testing.T) {
	root := repoRoot(t)
	patterns, err := ignorefile.ReadAll(bytes.NewReader(readRootFile(t, ".dockerignore")))
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	excluded := func(rel string) bool {
		m, err := pm.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	need := []string{"go.mod", "go.sum", "bench/lua/post.lua"}
	for _, p := range listDeps(t, imagePackages...) {
		if p.Module == nil || !p.Module.Main {
			continue
		}
		for _, f := range slices.Concat(p.GoFiles, p.EmbedFiles) {
			rel, err := filepath.Rel(root, filepath.Join(p.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			need = append(need, rel)
		}
	}
	if len(need) < 10 {
		t.Fatalf("go list found only %q", need)
	}
	for _, f := range need {
		if excluded(f) {
			t.Errorf(".dockerignore leaves %s out of the build context; the image build needs it", f)
		}
	}
	for _, f := range []string{".git/HEAD", "bin/gowrk", "bench/results/2026-01-01/summary.md", "run.hlog"} {
		if !excluded(f) {
			t.Errorf(".dockerignore lets %s into the build context", f)
		}
	}
}

// TestStaticBuild: nothing outside the standard library uses cgo (whose
// packages have pure-Go fallbacks), so the Dockerfile's CGO_ENABLED=0
// builds the same program as a plain `make build`, statically linked for
// the slim image; and every package resolves with cgo off.
func TestStaticBuild(t *testing.T) {
	for _, p := range listDeps(t, imagePackages...) {
		if p.Error != nil {
			t.Errorf("%s with CGO_ENABLED=0: %s", p.ImportPath, p.Error.Err)
		}
	}
	for _, p := range listDepsCgo(t, "1", imagePackages...) {
		if !p.Standard && len(p.CgoFiles) > 0 {
			t.Errorf("%s uses cgo (%q): with CGO_ENABLED=0 the image would build a different program", p.ImportPath, p.CgoFiles)
		}
	}
}

// TestBinariesFreeOfTestOnlyModules: the parsers these tests use never
// reach the shipped binaries.
func TestBinariesFreeOfTestOnlyModules(t *testing.T) {
	testOnly := []string{
		"github.com/compose-spec/compose-go",
		"github.com/moby/buildkit",
		"github.com/moby/patternmatcher",
	}
	for _, p := range listDeps(t, imagePackages...) {
		if p.Module == nil {
			continue
		}
		for _, m := range testOnly {
			if strings.HasPrefix(p.Module.Path, m) {
				t.Errorf("%s (module %s) is linked into the binaries; it is for tests only", p.ImportPath, p.Module.Path)
			}
		}
	}
}
