//go:build linux

package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns both ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	fd := int(master.Fd())
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err == nil {
		err = unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0)
	}
	if err == nil {
		slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	}
	if err != nil {
		master.Close()
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { slave.Close(); master.Close() })
	return master, slave
}

// runOnTerminal runs Main with stderr on a terminal and returns stdout and
// what the terminal received.
func runOnTerminal(t *testing.T, args ...string) (code int, stdout, terminal string) {
	master, slave := openPTY(t)
	read := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, master) // ends with an error once the slave is closed
		read <- b.String()
	}()
	var out bytes.Buffer
	code = Main(args, &out, slave)
	time.Sleep(50 * time.Millisecond)
	slave.Close()
	return code, out.String(), <-read
}

func TestProgressOnTerminalOnly(t *testing.T) {
	srv := okServer(t)
	code, stdout, terminal := runOnTerminal(t, "-t1", "-c2", "-d2s", srv.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, terminal)
	}
	if !strings.Contains(terminal, "[1s/2s] ") || !strings.Contains(terminal, " req/s, ") || !strings.HasSuffix(withoutVerdict(terminal), "\r\x1b[K") {
		t.Errorf("terminal got %q, want a status line, erased at the end", terminal)
	}
	if strings.Contains(stdout, "req/s,") || strings.Contains(stdout, "\r") {
		t.Errorf("progress on stdout:\n%q", stdout)
	}
	// The warm-up says so, and then the measured part counts from 0.
	if _, _, terminal := runOnTerminal(t, "-t1", "-c2", "--warmup", "2s", "-d2s", srv.URL); !strings.Contains(terminal, "[1s/2s] warming up") || !regexp.MustCompile(`\[1s/2s\] [0-9]`).MatchString(terminal) {
		t.Errorf("--warmup: terminal got %q", terminal)
	}
	if _, _, terminal := runOnTerminal(t, "-t1", "-c2", "-d1s", "--quiet", srv.URL); withoutVerdict(terminal) != "" {
		t.Errorf("--quiet: terminal got %q", terminal)
	}
	// Not a terminal: nothing.
	if _, _, stderr := runMain("-t1", "-c2", "-d1s", srv.URL); withoutVerdict(stderr) != "" {
		t.Errorf("stderr not a terminal got %q", stderr)
	}
}
