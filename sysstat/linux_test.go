//go:build linux

package sysstat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testenv"
)

// busy starts a shell spinning on one core until the test ends.
func busy(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", "while :; do :; done")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func TestPIDSeries(t *testing.T) {
	cmd := busy(t)
	s, err := New([]int{cmd.Process.Pid}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sampleThrice(s)
	all := s.Series()
	if len(all) != 2 || all[0].Kind != KindGenerator || all[1].Kind != KindPID {
		t.Fatalf("series %+v", all)
	}
	if g := all[0]; g.Cores <= 0 || g.CoresFrom == "" || g.PID != os.Getpid() || g.Points[0].Mem == 0 {
		t.Errorf("generator series %+v", g)
	}
	p := all[1]
	if p.Name != fmt.Sprintf("pid %d (sh)", cmd.Process.Pid) {
		t.Errorf("name %q", p.Name)
	}
	if len(p.Points) < 3 {
		t.Fatalf("%d points", len(p.Points))
	}
	// The machine may be shared: the shell gets some, never more than one core.
	if top := peak(p.Points); top < 0.2 || top > 1.2 || p.Points[0].Mem == 0 {
		t.Errorf("a spinning shell sampled at %+v, want up to one core and its RSS", p.Points)
	}
}

func TestPIDVanishes(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s, err := New([]int{cmd.Process.Pid}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(time.Hour)
	s.Sample()
	cmd.Process.Kill()
	cmd.Wait()
	time.Sleep(10 * time.Millisecond)
	s.Sample()
	s.Sample()
	s.Stop()
	p := s.Series()[1]
	if len(p.Points) != 1 || !strings.Contains(p.Note, "process exited") {
		t.Errorf("points %d, note %q", len(p.Points), p.Note)
	}
}

func TestBadTargets(t *testing.T) {
	for _, tc := range []struct {
		pids    []int
		cgroups []string
		want    string
	}{
		{pids: []int{1 << 30}, want: "no such process"},
		{pids: []int{-3}, want: "invalid PID"},
		{cgroups: []string{t.TempDir()}, want: "not a cgroup v2 directory"},
		{cgroups: []string{"/nonexistent/cg"}, want: "not a cgroup v2 directory"},
	} {
		_, err := New(tc.pids, tc.cgroups)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %v: %v, want one line with %q", tc.pids, tc.cgroups, err, tc.want)
		}
	}
}

// writableCgroup makes a child cgroup v2 directory, or skips outside CI.
func writableCgroup(t *testing.T) string {
	t.Helper()
	root, ok := cgroup2Root()
	var err error
	if ok {
		dir := filepath.Join(root, fmt.Sprintf("gowrk-test-%d", os.Getpid()))
		if err = os.Mkdir(dir, 0o755); err == nil {
			t.Cleanup(func() { os.Remove(dir) })
			return dir
		}
	}
	if testenv.InCI() && os.Geteuid() == 0 && ok {
		t.Fatalf("cgroup v2 at %s is not writable: %v", root, err)
	}
	t.Skipf("no writable cgroup v2 (mounted: %v, %v)", ok, err)
	return ""
}

func TestCgroupSeries(t *testing.T) {
	dir := writableCgroup(t)
	cmd := busy(t)
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(fmt.Sprint(cmd.Process.Pid)), 0o644); err != nil {
		t.Skipf("cannot move a process into %s: %v", dir, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Relative to the mount, as /proc/PID/cgroup names it.
	root, _ := cgroup2Root()
	rel := strings.TrimPrefix(dir, root)
	s, err := New(nil, []string{rel})
	if err != nil {
		t.Fatal(err)
	}
	sampleThrice(s)
	c := s.Series()[1]
	if c.Kind != KindCgroup || c.Cgroup != dir {
		t.Errorf("series %+v", c)
	}
	if top := peak(c.Points); len(c.Points) < 3 || top < 0.2 || top > 1.2 {
		t.Errorf("a spinning cgroup sampled at %+v, want up to one core", c.Points)
	}
}

// sampleThrice takes three samples a quarter of a second apart.
func sampleThrice(s *Sampler) {
	s.Start(time.Hour)
	for range 3 {
		time.Sleep(250 * time.Millisecond)
		s.Sample()
	}
	s.Stop()
}

func peak(points []Point) float64 {
	top := 0.0
	for _, p := range points {
		top = max(top, p.CPU)
	}
	return top
}
