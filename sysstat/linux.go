//go:build linux

package sysstat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Supported reports whether targets can be sampled on this system.
func Supported() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// clockTick is the unit of /proc/PID/stat's CPU times: USER_HZ, which Linux
// fixes at 100 for user space whatever the kernel's own tick.
const clockTick = 10 * time.Millisecond

var pageSize = uint64(os.Getpagesize())

// selfProbe reads the generator's own CPU time through getrusage, which is
// finer than /proc's ticks, and its resident memory.
type selfProbe struct{}

func (selfProbe) read() (counters, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return counters{}, err
	}
	c := counters{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
	c.mem, _ = statmRSS("/proc/self/statm")
	c.wait = runqueueWait()
	return c, nil
}

// runqueueWait is the time the generator's threads spent runnable but
// waiting for a CPU, from each thread's schedstat (0 where the kernel
// keeps none). Threads that exited take their share with them, so the
// total may step back; Sample then counts no wait for that second.
func runqueueWait() time.Duration {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0
	}
	var total time.Duration
	for _, t := range tasks {
		data, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		// "run_ns wait_ns timeslices"
		f := strings.Fields(string(data))
		if len(f) < 2 {
			continue
		}
		if ns, err := strconv.ParseInt(f[1], 10, 64); err == nil {
			total += time.Duration(ns)
		}
	}
	return total
}

func generatorTarget() (*tracked, bool) {
	cores, from := generatorBudget()
	return &tracked{probe: selfProbe{}, series: Series{
		Kind: KindGenerator, Name: "gowrk", PID: os.Getpid(), Cores: cores, CoresFrom: from,
	}}, true
}

// generatorBudget is the least of GOMAXPROCS, the affinity mask and the
// quota of the generator's cgroup and its ancestors.
func generatorBudget() (float64, string) {
	cores, from := float64(runtime.GOMAXPROCS(0)), "GOMAXPROCS"
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		// A mask as wide as GOMAXPROCS is named: pinning is what sets both.
		if n := float64(set.Count()); n > 0 && n <= cores {
			cores, from = n, "affinity"
		}
	}
	if q, ok := selfQuota(); ok && q < cores {
		cores, from = q, "cgroup quota"
	}
	return cores, from
}

// selfQuota is the tightest cpu.max quota on the generator's cgroup v2
// path, in cores.
func selfQuota() (float64, bool) {
	root, ok := cgroup2Root()
	if !ok {
		return 0, false
	}
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	var rel string
	found := false
	for _, line := range strings.Split(string(data), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			rel, found = p, true
		}
	}
	if !found {
		return 0, false
	}
	best, ok := 0.0, false
	for dir := filepath.Join(root, rel); strings.HasPrefix(dir, root); dir = filepath.Dir(dir) {
		if q, limited := readQuota(dir); limited && (!ok || q < best) {
			best, ok = q, true
		}
		if dir == root {
			break
		}
	}
	return best, ok
}

// readQuota reads dir/cpu.max ("max 100000" or "50000 100000") as cores.
func readQuota(dir string) (float64, bool) {
	data, err := os.ReadFile(filepath.Join(dir, "cpu.max"))
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) != 2 || f[0] == "max" {
		return 0, false
	}
	quota, err1 := strconv.ParseFloat(f[0], 64)
	period, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || period <= 0 {
		return 0, false
	}
	return quota / period, true
}

// CgroupRoot is where the cgroup v2 hierarchy is mounted, if it is.
func CgroupRoot() (string, bool) { return cgroup2Root() }

// cgroup2Root is where the cgroup v2 hierarchy is mounted.
func cgroup2Root() (string, bool) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		// "36 25 0:31 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw"
		pre, post, ok := strings.Cut(line, " - ")
		if !ok || !strings.HasPrefix(post, "cgroup2 ") {
			continue
		}
		if f := strings.Fields(pre); len(f) >= 5 {
			return f[4], true
		}
	}
	return "", false
}

// pidProbe reads /proc/PID/stat and /proc/PID/statm.
type pidProbe struct {
	pid       int
	startTime string // field 22, to notice a reused PID
}

func pidTarget(pid int) (*tracked, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("invalid PID %d: want a process ID above 0", pid)
	}
	comm, start, err := pidIdentity(pid)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--monitor-pid %d: no such process", pid)
		}
		return nil, fmt.Errorf("--monitor-pid %d: %v", pid, err)
	}
	return &tracked{probe: &pidProbe{pid: pid, startTime: start}, series: Series{
		Kind: KindPID, Name: fmt.Sprintf("pid %d (%s)", pid, comm), PID: pid,
	}}, nil
}

// statFields returns the fields of /proc/PID/stat after the command name,
// which may itself hold spaces and parentheses, and the name.
func statFields(pid int) (comm string, fields []string, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", nil, err
	}
	lp, rp := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if lp < 0 || rp < lp {
		return "", nil, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	// fields[0] is field 3 (state).
	fields = strings.Fields(string(data[rp+1:]))
	if len(fields) < 20 {
		return "", nil, fmt.Errorf("unexpected /proc/%d/stat", pid)
	}
	return string(data[lp+1 : rp]), fields, nil
}

func pidIdentity(pid int) (comm, start string, err error) {
	comm, f, err := statFields(pid)
	if err != nil {
		return "", "", err
	}
	if f[0] == "Z" {
		return "", "", errors.New("process exited")
	}
	return comm, f[19], nil
}

func (p *pidProbe) read() (counters, error) {
	_, f, err := statFields(p.pid)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && (f[19] != p.startTime || f[0] == "Z")) {
		return counters{}, errors.New("process exited")
	}
	if err != nil {
		return counters{}, err
	}
	utime, err1 := strconv.ParseUint(f[11], 10, 64)
	stime, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return counters{}, fmt.Errorf("unexpected /proc/%d/stat", p.pid)
	}
	c := counters{cpu: time.Duration(utime+stime) * clockTick}
	c.mem, _ = statmRSS(fmt.Sprintf("/proc/%d/statm", p.pid))
	return c, nil
}

// statmRSS reads the resident set size from a statm file.
func statmRSS(path string) (uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, fmt.Errorf("unexpected %s", path)
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	return pages * pageSize, err
}

// cgroupProbe reads a cgroup v2 directory's cpu.stat and memory.current.
type cgroupProbe struct{ dir string }

func cgroupTarget(path string) (*tracked, error) {
	dir, err := resolveCgroup(path)
	if err != nil {
		return nil, err
	}
	t := &tracked{probe: cgroupProbe{dir}, series: Series{Kind: KindCgroup, Name: dir, Cgroup: dir}}
	t.series.Cores, _ = readQuota(dir)
	if t.series.Cores > 0 {
		t.series.CoresFrom = "cgroup quota"
	}
	return t, nil
}

// resolveCgroup accepts a cgroup v2 directory, absolute or relative to the
// cgroup v2 mount (as /proc/PID/cgroup names it).
func resolveCgroup(path string) (string, error) {
	candidates := []string{path}
	if root, ok := cgroup2Root(); ok && !strings.HasPrefix(path, root+"/") && path != root {
		candidates = append(candidates, filepath.Join(root, path))
	}
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, "cpu.stat")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "cgroup.procs")); err == nil {
				return filepath.Clean(dir), nil
			}
		}
	}
	return "", fmt.Errorf("--monitor-cgroup %s: not a cgroup v2 directory (no cpu.stat and cgroup.procs)", path)
}

func (p cgroupProbe) read() (counters, error) {
	f, err := os.Open(filepath.Join(p.dir, "cpu.stat"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return counters{}, errors.New("cgroup removed")
		}
		return counters{}, err
	}
	defer f.Close()
	var c counters
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), " ")
		n, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "usage_usec":
			c.cpu = time.Duration(n) * time.Microsecond
		case "throttled_usec":
			c.throttled = time.Duration(n) * time.Microsecond
		case "nr_throttled":
			c.throttledPeriods = n
		}
	}
	if data, err := os.ReadFile(filepath.Join(p.dir, "memory.current")); err == nil {
		c.mem, _ = strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	}
	return c, sc.Err()
}
