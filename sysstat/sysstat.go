// Package sysstat samples, once a second, the CPU and memory of the
// generator itself and of the processes and cgroups a run is told to watch,
// so that a report can say whether the generator or the server was the
// limit. It reads /proc and cgroupfs and works on Linux only; elsewhere
// New refuses targets and the generator is not sampled.
package sysstat

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// Kinds of series.
const (
	KindGenerator = "generator"
	KindPID       = "pid"
	KindCgroup    = "cgroup"
)

// ErrUnsupported is returned for targets on a system without /proc.
var ErrUnsupported = errors.New("--monitor-pid and --monitor-cgroup need /proc and cgroupfs (Linux): not supported on this system")

// Point is one sample, covering the interval that ends at T.
type Point struct {
	// T is the end of the interval, in seconds since the sampler started.
	T float64
	// CPU is the CPU time used over the interval (user + system) per second
	// of wall time: 1 is one core busy.
	CPU float64
	// Wait is, for the generator, the time its threads were ready to run
	// but waited for a CPU, per second of wall time: CPU it wanted and did
	// not get, because other processes or its quota took it.
	Wait float64
	// Mem is the resident memory (a process) or memory.current (a cgroup),
	// in bytes; 0 when the system does not account it.
	Mem uint64
	// Throttled is, for a cgroup, the share of the interval its tasks were
	// throttled by its CPU quota (throttled_usec / wall time).
	Throttled float64
	// ThrottledPeriods is, for a cgroup, the quota periods throttled in the
	// interval.
	ThrottledPeriods uint64
}

// Series is the samples of one generator, process or cgroup.
type Series struct {
	// Kind is KindGenerator, KindPID or KindCgroup.
	Kind string
	// Name says what was sampled: "gowrk", "pid 123 (nginx)", a cgroup's path.
	Name string
	// PID is the process's ID (KindGenerator, KindPID).
	PID int
	// Cgroup is the cgroup's directory (KindCgroup).
	Cgroup string
	// Cores is the CPU it may use, in cores: for the generator the least of
	// GOMAXPROCS, its affinity mask and its cgroup's quota; for a cgroup its
	// cpu.max quota; 0 when unknown or unlimited.
	Cores float64
	// CoresFrom says which limit set Cores ("GOMAXPROCS", "affinity",
	// "cgroup quota").
	CoresFrom string
	// Points are the samples, one a second.
	Points []Point
	// Note says why the series ended before the run, e.g. the process exited.
	Note string
}

// probe reads a target's cumulative counters.
type probe interface {
	read() (counters, error)
}

// counters are a target's totals at one moment.
type counters struct {
	cpu              time.Duration // user + system time
	wait             time.Duration // runnable, waiting for a CPU
	mem              uint64
	throttled        time.Duration
	throttledPeriods uint64
}

type tracked struct {
	series Series
	probe  probe
	last   counters
	ended  bool
}

// Sampler samples its targets every interval from its own goroutine. Its
// methods are safe for concurrent use.
type Sampler struct {
	mu       sync.Mutex
	targets  []*tracked
	start    time.Time
	lastWall time.Time
	interval time.Duration
	stop     chan struct{}
	done     chan struct{}
	// now is the clock, replaceable in tests.
	now func() time.Time
}

// New returns a sampler of the generator (where supported) and of the
// given processes and cgroup v2 directories. A PID that does not exist or a
// path that is not a cgroup is an error.
func New(pids []int, cgroups []string) (*Sampler, error) {
	s := &Sampler{now: time.Now}
	if (len(pids) > 0 || len(cgroups) > 0) && !Supported() {
		return nil, ErrUnsupported
	}
	if g, ok := generatorTarget(); ok {
		s.targets = append(s.targets, g)
	}
	for _, pid := range pids {
		t, err := pidTarget(pid)
		if err != nil {
			return nil, err
		}
		s.targets = append(s.targets, t)
	}
	for _, path := range cgroups {
		t, err := cgroupTarget(path)
		if err != nil {
			return nil, err
		}
		s.targets = append(s.targets, t)
	}
	return s, nil
}

// Start takes the first reading and samples every interval until Stop.
func (s *Sampler) Start(interval time.Duration) {
	s.mu.Lock()
	s.start = s.now()
	s.lastWall = s.start
	s.interval = interval
	for _, t := range s.targets {
		c, err := t.probe.read()
		if err != nil {
			t.end(err, 0)
			continue
		}
		t.last = c
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	s.mu.Unlock()
	go s.loop()
}

func (s *Sampler) loop() {
	defer close(s.done)
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			s.Sample()
		}
	}
}

// Stop ends the sampling with a last sample of the time since the previous
// one, if it is long enough to mean something.
func (s *Sampler) Stop() {
	if s.stop == nil {
		return
	}
	close(s.stop)
	<-s.done
	s.mu.Lock()
	short := s.now().Sub(s.lastWall) < s.interval/4
	s.mu.Unlock()
	if !short {
		s.Sample()
	}
	s.stop = nil
}

// Sample reads every target now and appends a point to its series.
func (s *Sampler) Sample() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	wall := now.Sub(s.lastWall)
	if wall <= 0 {
		return
	}
	s.lastWall = now
	at := now.Sub(s.start).Seconds()
	for _, t := range s.targets {
		if t.ended {
			continue
		}
		c, err := t.probe.read()
		if err != nil {
			t.end(err, at)
			continue
		}
		p := Point{T: at, Mem: c.mem, ThrottledPeriods: c.throttledPeriods - t.last.throttledPeriods}
		if c.cpu >= t.last.cpu {
			p.CPU = float64(c.cpu-t.last.cpu) / float64(wall)
		}
		if c.wait >= t.last.wait {
			p.Wait = float64(c.wait-t.last.wait) / float64(wall)
		}
		if c.throttled >= t.last.throttled {
			p.Throttled = float64(c.throttled-t.last.throttled) / float64(wall)
		}
		t.series.Points = append(t.series.Points, p)
		t.last = c
	}
}

func (t *tracked) end(err error, at float64) {
	t.ended = true
	t.series.Note = fmt.Sprintf("sampling ended at %.0fs: %v", at, err)
}

// Series returns a copy of every series so far, the generator's first.
func (s *Sampler) Series() []Series {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Series, len(s.targets))
	for i, t := range s.targets {
		out[i] = t.series
		out[i].Points = append([]Point(nil), t.series.Points...)
	}
	return out
}

// Saturation is how much of its CPU budget the generator used.
type Saturation struct {
	// Cores is the generator's budget and CoresFrom the limit that set it.
	Cores     float64
	CoresFrom string
	// Busy is the number of samples in which the generator used, or waited
	// for, more than SaturatedShare of the budget, of Samples.
	Busy, Samples int
	// Mean is the mean CPU use and MeanWait the mean wait for a CPU, in
	// cores.
	Mean, MeanWait float64
}

// SaturatedShare is the share of its CPU budget above which the generator
// counts as busy in a sample. Time spent waiting for a CPU counts: on a
// shared machine the generator may get less than its budget and still be
// the limit.
const SaturatedShare = 0.9

// MinSamples is the fewest samples that tell about a run: a shorter run is
// mostly its start and its end.
const MinSamples = 3

// Saturated reports whether the generator was busy for most of the run.
func (s Saturation) Saturated() bool { return s.Samples >= MinSamples && 2*s.Busy > s.Samples }

// String says what the generator used, e.g. "0.98 of 1 core (affinity) on
// average, over 90% in 9 of 10 samples".
func (s Saturation) String() string {
	unit := "cores"
	if s.Cores == 1 {
		unit = "core"
	}
	return fmt.Sprintf("it used %.2f of its %s %s (%s) and waited for %.2f more on average, over %.0f%% in %d of %d seconds",
		s.Mean, trimFloat(s.Cores), unit, s.CoresFrom, s.MeanWait, SaturatedShare*100, s.Busy, s.Samples)
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// GeneratorSaturation summarizes the generator's series; ok is false when
// there is none.
func GeneratorSaturation(series []Series) (sat Saturation, ok bool) {
	for _, g := range series {
		if g.Kind != KindGenerator || g.Cores <= 0 {
			continue
		}
		sat = Saturation{Cores: g.Cores, CoresFrom: g.CoresFrom, Samples: len(g.Points)}
		for _, p := range g.Points {
			sat.Mean += p.CPU
			sat.MeanWait += p.Wait
			if p.CPU+p.Wait > SaturatedShare*g.Cores {
				sat.Busy++
			}
		}
		if sat.Samples > 0 {
			sat.Mean /= float64(sat.Samples)
			sat.MeanWait /= float64(sat.Samples)
		}
		return sat, true
	}
	return sat, false
}

// At returns the point whose interval holds t seconds (the first at or
// after t), else the last one; ok is false when there is none.
func (s *Series) At(t float64) (Point, bool) {
	for _, p := range s.Points {
		if p.T >= t {
			return p, true
		}
	}
	if n := len(s.Points); n > 0 {
		return s.Points[n-1], true
	}
	return Point{}, false
}
