package pace

import (
	"math"
	"testing"
	"time"
)

func TestStagesRampFromZero(t *testing.T) {
	st := []Stage{{2 * time.Second, 500}, {2 * time.Second, 2000}, {time.Second, 0}}
	for _, c := range []struct {
		at   time.Duration
		rate float64
	}{{0, 0}, {time.Second, 250}, {2 * time.Second, 500}, {3 * time.Second, 1250}, {4 * time.Second, 2000}, {4500 * time.Millisecond, 1000}, {time.Minute, 0}} {
		if got := StageValue(st, c.at); math.Abs(got-c.rate) > 1e-9 {
			t.Errorf("rate at %v = %v, want %v", c.at, got, c.rate)
		}
	}
	// 0→500 over 2s is 500 requests, 500→2000 over 2s 2500, 2000→0 over 1s 1000.
	for _, c := range []struct {
		at time.Duration
		n  float64
	}{{2 * time.Second, 500}, {4 * time.Second, 3000}, {5 * time.Second, 4000}, {time.Hour, 4000}} {
		if got := stagesCount(st, c.at); math.Abs(got-c.n) > 1e-6 {
			t.Errorf("count at %v = %v, want %v", c.at, got, c.n)
		}
	}
	// Due inverts Count.
	for _, n := range []float64{1, 100, 499, 500, 501, 2999, 3500, 3999} {
		due := stagesDue(st, n)
		if got := stagesCount(st, due); math.Abs(got-n) > 0.01 {
			t.Errorf("count at due(%v) = %v", n, got)
		}
	}
	if due := stagesDue(st, 4001); due != Never {
		t.Errorf("due past the last request = %v, want Never", due)
	}
	p := Staged(st)
	if !p.Enabled() || p.Validate() != nil || p.Due(3000) != stagesDue(st, 3000) {
		t.Error("Pacer does not use its stages")
	}
	if err := Staged([]Stage{{0, 5}}).Validate(); err == nil {
		t.Error("a stage without a duration validates")
	}
	if err := Staged([]Stage{{time.Second, 0}}).Validate(); err == nil {
		t.Error("stages that send nothing validate")
	}
}

func TestStageTimeAbove(t *testing.T) {
	st := []Stage{{10 * time.Second, 10}, {10 * time.Second, 0}}
	if got := stageTimeAbove(st, 5, 0); got < 5*time.Second || got > 5*time.Second+time.Millisecond {
		t.Errorf("above 5 from 0 at %v, want 5s", got)
	}
	if got := stageTimeAbove(st, 5, 7*time.Second); got != 7*time.Second {
		t.Errorf("above 5 from 7s at %v, want 7s", got)
	}
	if got := stageTimeAbove(st, 5, 16*time.Second); got != Never {
		t.Errorf("above 5 after the peak at %v, want Never", got)
	}
}

func TestGate(t *testing.T) {
	st := []Stage{{10 * time.Second, 10}}
	if ok, _ := Gate(st, 4, 5*time.Second+time.Millisecond); !ok {
		t.Error("place 4 inactive at 5s with 5 connections called for")
	}
	ok, wake := Gate(st, 7, 5*time.Second)
	if ok || wake < 7*time.Second || wake > 7*time.Second+time.Millisecond {
		t.Errorf("place 7 at 5s: active %v, wake %v; want inactive until 7s", ok, wake)
	}
	if ok, wake := Gate(st, 10, 5*time.Second); ok || wake != Never {
		t.Errorf("place 10: active %v, wake %v; want Never", ok, wake)
	}
}

func TestGateAllocatesNothing(t *testing.T) {
	st := []Stage{{10 * time.Second, 10}, {10 * time.Second, 2}}
	if n := testing.AllocsPerRun(1000, func() { _, _ = Gate(st, 5, 12*time.Second) }); n != 0 {
		t.Errorf("%v allocations per gate", n)
	}
}
