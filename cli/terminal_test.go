package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testserver"
)

// tmuxPane is a detached tmux session on a private server, with one pane
// of a fixed size running a command.
type tmuxPane struct {
	t      *testing.T
	socket string
}

func startTmux(t *testing.T, cols, rows int, command string) *tmuxPane {
	t.Helper()
	tmux := testenv.Require(t, "tmux")
	p := &tmuxPane{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	// The shell stays after the command so the pane can be read at leisure.
	out, err := exec.Command(tmux, "-S", p.socket, "-f", "/dev/null", "new-session", "-d",
		"-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows), command+"; sleep 60").CombinedOutput()
	if err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", p.socket, "kill-server").Run() })
	return p
}

func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", p.socket}, args...)...).Output()
	if err != nil {
		p.t.Fatalf("tmux %s: %v", args[0], err)
	}
	return string(out)
}

// screen is what the pane shows, one string per row.
func (p *tmuxPane) screen() []string {
	return strings.Split(strings.TrimRight(p.tmux("capture-pane", "-p"), "\n"), "\n")
}

// waitFor polls the pane until a row contains want.
func (p *tmuxPane) waitFor(want string, within time.Duration) []string {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for {
		rows := p.screen()
		for _, r := range rows {
			if strings.Contains(r, want) {
				return rows
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("pane never showed %q:\n%s", want, strings.Join(rows, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The live line on an 80-column terminal fits in one row, counts every
// error status once and leaves nothing behind, whether the run ends or is
// interrupted.
func TestProgressInTerminal(t *testing.T) {
	testenv.Require(t, "tmux")
	bin := buildGowrk(t)
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.Status(500) })
	// -R and large counts make the line longer than 80 columns.
	for _, tc := range []struct {
		name      string
		duration  string
		interrupt bool
	}{
		{"ends", "3s", false},
		{"interrupted", "1m", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startTmux(t, 80, 24, bin+" -t1 -c4 -R100000 -d"+tc.duration+" "+srv.URL)
			live := p.waitFor(" req/s (target ", 10*time.Second)
			for _, r := range live {
				if strings.Contains(r, "req/s (target") {
					if len(r) > 77 {
						t.Errorf("status line is %d columns wide: %q", len(r), r)
					}
					if strings.Contains(r, "%)") && !strings.Contains(r, "(100.00%)") {
						t.Errorf("all responses are 500s but the line shows %q", r)
					}
				}
			}
			if tc.interrupt {
				p.tmux("send-keys", "C-c")
			}
			rows := p.waitFor("Transfer/sec:", 20*time.Second)
			screen := strings.Join(rows, "\n")
			if strings.Contains(screen, "req/s (target") || strings.Contains(screen, "errors (") {
				t.Errorf("status line left on screen:\n%s", screen)
			}
			if !strings.HasPrefix(strings.TrimSpace(screen), "Running ") {
				t.Errorf("screen does not start with the report:\n%s", screen)
			}
		})
	}
}

// A report that cannot be written fails the run with one line, whether
// text or JSON, from a run or a merge.
func TestReportWriteFailure(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	bin := buildGowrk(t)
	srv := okServer(t)
	hlog := filepath.Join(t.TempDir(), "run.hlog")
	for _, args := range [][]string{
		{"-t1", "-c1", "-d1s", "--hdr-log", hlog, srv.URL},
		{"-t1", "-c1", "-d1s", "--json", "-", srv.URL},
		{"merge", hlog},
		{"merge", "--json", "-", hlog},
	} {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = full, &stderr
		err = cmd.Run()
		full.Close()
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 {
			t.Errorf("%q >/dev/full: %v, want exit status 1", args, err)
		}
		if msg := stderr.String(); strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "cannot write the") || !strings.Contains(msg, "no space left") {
			t.Errorf("%q >/dev/full: stderr %q, want one line saying the report could not be written", args, msg)
		}
	}
}
