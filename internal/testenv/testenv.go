// Package testenv finds the external programs some tests need. Outside CI a
// missing program skips the test; in CI (CI=true) it fails it, because the
// test command installs them there.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run under CI.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require returns the path of program, skipping or failing t without it.
func Require(t testing.TB, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		if InCI() {
			t.Fatalf("%s is required in CI but not installed", program)
		}
		t.Skipf("%s not installed", program)
	}
	return path
}

// RequireRoot skips or fails t unless it runs as root (network namespaces,
// the postgres user).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if InCI() {
		t.Fatal("this test needs root in CI")
	}
	t.Skip("needs root")
}
