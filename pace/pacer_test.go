package pace

import (
	"math"
	"testing"
	"time"
)

func TestPacerConstant(t *testing.T) {
	p := ConstantRate(1000)
	if got := p.Due(2500); got != 2500*time.Millisecond {
		t.Errorf("Due(2500) = %v, want 2.5s", got)
	}
	if got := p.Count(3 * time.Second); got != 3000 {
		t.Errorf("Count(3s) = %v, want 3000", got)
	}
	if got := p.RateAt(time.Hour); got != 1000 {
		t.Errorf("RateAt = %v", got)
	}
}

// Due inverts Count, and the count over the ramp is the area under the rate.
func TestPacerRampsInvertCount(t *testing.T) {
	for _, p := range []Pacer{
		Ramp(100, 1100, 10*time.Second, 0),
		Ramp(0, 2000, 4*time.Second, 0),
		Ramp(5000, 1000, 2*time.Second, 0),
		Ramp(100, 1000, 10*time.Second, 10),
		Ramp(0, 900, 3*time.Second, 4),
	} {
		for _, n := range []float64{1, 7, 150, 999, 4321, 6000, 9999} {
			due := p.Due(n)
			if got := p.Count(due); math.Abs(got-n) > 1e-3 {
				t.Errorf("%+v: Count(Due(%v) = %v) = %v", p, n, due, got)
			}
		}
	}
	linear := Ramp(100, 1100, 10*time.Second, 0)
	if got := linear.Count(10 * time.Second); got != 6000 {
		t.Errorf("linear ramp count = %v, want 6000", got)
	}
	if got := linear.Count(11 * time.Second); got != 7100 {
		t.Errorf("count past the ramp = %v, want 7100", got)
	}
	if got := linear.RateAt(5 * time.Second); got != 600 {
		t.Errorf("linear RateAt(5s) = %v, want 600", got)
	}
	steps := Ramp(100, 1000, 10*time.Second, 10)
	for at, want := range map[time.Duration]float64{0: 100, 999 * time.Millisecond: 100, time.Second: 200, 9500 * time.Millisecond: 1000, time.Minute: 1000} {
		if got := steps.RateAt(at); got != want {
			t.Errorf("steps RateAt(%v) = %v, want %v", at, got, want)
		}
	}
	if got := steps.Count(10 * time.Second); got != 5500 {
		t.Errorf("steps count = %v, want 5500", got)
	}
}

func TestPacerEndingAtZeroNeverSendsAgain(t *testing.T) {
	p := Ramp(100, 0, time.Second, 0)
	if got := p.Due(51); got != Never {
		t.Errorf("Due past the last request = %v, want Never", got)
	}
}

func TestPacerValidation(t *testing.T) {
	for _, p := range []Pacer{{From: -1, To: 5}, {From: 1, To: 5}, {From: 1, To: 5, Over: time.Second, Steps: -1}, {From: math.Inf(1), To: math.Inf(1)}} {
		if p.Validate() == nil {
			t.Errorf("%+v accepted", p)
		}
	}
	if err := (Pacer{}).Validate(); err != nil {
		t.Errorf("closed loop rejected: %v", err)
	}
}

func BenchmarkPacerDue(b *testing.B) {
	for name, p := range map[string]Pacer{"constant": ConstantRate(50000), "linear": Ramp(1000, 50000, time.Minute, 0), "steps": Ramp(1000, 50000, time.Minute, 20)} {
		b.Run(name, func(b *testing.B) {
			n := 0.0
			for b.Loop() {
				n++
				_ = p.Due(n)
			}
		})
	}
}
