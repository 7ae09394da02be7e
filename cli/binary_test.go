package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// buildGowrk builds the command once for the package's tests, as it
// ships (without the race detector), and returns its path.
func buildGowrk(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "gowrk-cli-test"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "gowrk")
		binary.out, binary.err = exec.Command("go", "build", "-pgo=off", "-o", binary.path, "../cmd/gowrk").CombinedOutput()
	})
	if binary.err != nil {
		t.Fatalf("build: %v\n%s", binary.err, binary.out)
	}
	return binary.path
}

// removeBinary deletes what buildGowrk built, after the tests.
func removeBinary() {
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
}
