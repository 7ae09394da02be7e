package sysstat

import (
	"strings"
	"testing"
	"time"
)

// fakeProbe returns the counters it is given, then an error once gone.
type fakeProbe struct {
	c    counters
	gone bool
}

func (f *fakeProbe) read() (counters, error) {
	if f.gone {
		return counters{}, errGone
	}
	return f.c, nil
}

var errGone = errorString("process exited")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestSampleRatesAndVanishing(t *testing.T) {
	clock := time.Unix(1000, 0)
	p := &fakeProbe{c: counters{cpu: time.Second, mem: 100}}
	s := &Sampler{now: func() time.Time { return clock }, targets: []*tracked{{probe: p, series: Series{Kind: KindPID, Name: "x"}}}}
	s.Start(time.Hour)
	defer s.Stop()

	clock = clock.Add(time.Second)
	p.c = counters{cpu: 2500 * time.Millisecond, mem: 300, throttled: 250 * time.Millisecond, throttledPeriods: 7}
	s.Sample()
	clock = clock.Add(2 * time.Second)
	p.gone = true
	s.Sample()
	clock = clock.Add(time.Second)
	s.Sample()

	got := s.Series()[0]
	if len(got.Points) != 1 {
		t.Fatalf("%d points, want 1: %+v", len(got.Points), got.Points)
	}
	want := Point{T: 1, CPU: 1.5, Mem: 300, Throttled: 0.25, ThrottledPeriods: 7}
	if got.Points[0] != want {
		t.Errorf("point %+v, want %+v", got.Points[0], want)
	}
	if got.Note != "sampling ended at 3s: process exited" {
		t.Errorf("note %q", got.Note)
	}
}

func TestSaturation(t *testing.T) {
	gen := func(cpu ...float64) []Series {
		s := Series{Kind: KindGenerator, Cores: 2, CoresFrom: "affinity"}
		for i, c := range cpu {
			s.Points = append(s.Points, Point{T: float64(i + 1), CPU: c})
		}
		return []Series{{Kind: KindPID}, s}
	}
	for _, tc := range []struct {
		cpu  []float64
		want bool
	}{
		{[]float64{1.9, 1.95, 2, 0.5}, true},
		{[]float64{1.9, 1.95, 0.2, 0.5}, false}, // half is not most
		{[]float64{1.7, 1.7, 1.7}, false},       // 85%
		{[]float64{2, 2}, false},                // too short to tell
		{nil, false},
	} {
		sat, ok := GeneratorSaturation(gen(tc.cpu...))
		if !ok || sat.Saturated() != tc.want {
			t.Errorf("%v: saturated %v (ok %v), want %v", tc.cpu, sat.Saturated(), ok, tc.want)
		}
	}
	sat, _ := GeneratorSaturation(gen(2, 2, 1))
	if s := sat.String(); !strings.Contains(s, "1.67 of its 2 cores (affinity) and waited for 0.00 more") || !strings.Contains(s, "2 of 3 seconds") {
		t.Errorf("%q", s)
	}
	if _, ok := GeneratorSaturation([]Series{{Kind: KindCgroup}}); ok {
		t.Error("saturation without a generator series")
	}
}

// A generator that gets less CPU than its budget on a shared machine, and
// waits for the rest, is still the limit.
func TestSaturationCountsWaiting(t *testing.T) {
	g := Series{Kind: KindGenerator, Cores: 1, CoresFrom: "affinity"}
	for i := range 4 {
		g.Points = append(g.Points, Point{T: float64(i + 1), CPU: 0.6, Wait: 0.35})
	}
	sat, _ := GeneratorSaturation([]Series{g})
	if !sat.Saturated() || !strings.Contains(sat.String(), "0.60 of its 1 core (affinity) and waited for 0.35 more") {
		t.Errorf("%v: %s", sat.Saturated(), sat)
	}
}

func TestAt(t *testing.T) {
	s := Series{Points: []Point{{T: 1, CPU: 1}, {T: 2, CPU: 2}, {T: 3, CPU: 3}}}
	for at, want := range map[float64]float64{0.2: 1, 1.5: 2, 2: 2, 9: 3} {
		if p, ok := s.At(at); !ok || p.CPU != want {
			t.Errorf("At(%v) = %v, want CPU %v", at, p, want)
		}
	}
	if _, ok := (&Series{}).At(1); ok {
		t.Error("At on an empty series")
	}
}
