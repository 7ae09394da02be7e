package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The profile is pprof's format: gzip-compressed protocol buffers.
func TestCPUProfile(t *testing.T) {
	srv := okServer(t)
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	code, _, stderr := runMain("-t1", "-c2", "-d1s", "--cpuprofile", path, srv.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	raw, err := io.ReadAll(z)
	if err != nil || len(raw) == 0 {
		t.Fatalf("profile %d bytes, %v", len(raw), err)
	}
	if !bytes.Contains(raw, []byte("github.com/gowrk/gowrk/generator")) {
		t.Error("the profile names none of the engine's functions")
	}
}

func TestCPUProfileBadPath(t *testing.T) {
	srv := okServer(t)
	code, stdout, stderr := runMain("-t1", "-c1", "-d1s", "--cpuprofile", "/nonexistent/cpu.pprof", srv.URL)
	if code != exitFailed || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "/nonexistent/cpu.pprof") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
}
