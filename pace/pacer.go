// Package pace schedules load over time: the open-loop arrival rate
// (Pacer: constant, ramped, stepped or staged) and connection stages (Gate).
// Everything here is arithmetic on the run clock; nothing allocates per
// request.
package pace

import (
	"errors"
	"math"
	"time"
)

// Pacer is the open-loop arrival rate over time: constant, or a ramp from
// From to To requests per second over Over, linear or in Steps equal steps.
// Past Over the rate stays at To. The zero Pacer means closed loop.
type Pacer struct {
	// From and To are total requests per second at the start and the end
	// of the ramp; equal for a constant rate.
	From, To float64
	// Over is the ramp's length; unused for a constant rate.
	Over time.Duration
	// Steps, when above zero, holds the rate constant in Steps equal steps,
	// the first at From and the last at To, instead of ramping linearly.
	Steps int
	// staged, when set, replaces the ramp: the rate goes through its
	// stages from 0 (Staged). A pointer keeps Pacer comparable.
	staged *[]Stage
}

// Stages are the stages of a Staged pacer, nil otherwise.
func (p Pacer) Stages() []Stage {
	if p.staged == nil {
		return nil
	}
	return *p.staged
}

// ConstantRate paces requests at rate per second (wrk2's -R).
func ConstantRate(rate float64) Pacer { return Pacer{From: rate, To: rate} }

// Ramp paces requests from from to to per second over over; steps zero
// means linearly.
func Ramp(from, to float64, over time.Duration, steps int) Pacer {
	return Pacer{From: from, To: to, Over: over, Steps: steps}
}

// Enabled reports whether the pacer sets a rate (open-loop mode).
func (p Pacer) Enabled() bool { return p.From > 0 || p.To > 0 || p.staged != nil }

// Ramping reports whether the rate changes over time.
func (p Pacer) Ramping() bool { return p.staged != nil || p.From != p.To && p.Over > 0 }

// Validate reports what makes the pacer unusable, nil when nothing does.
func (p Pacer) Validate() error {
	switch {
	case !p.Enabled():
		return nil
	case p.staged != nil:
		if StageValue(*p.staged, Never) == 0 && stagesCount(*p.staged, Never) == 0 {
			return errors.New("the stages send no request")
		}
		return ValidateStages(*p.staged, "rates")
	case p.From < 0 || p.To < 0 || math.IsInf(p.From, 0) || math.IsInf(p.To, 0) || math.IsNaN(p.From+p.To):
		return errors.New("rates must be finite and >= 0")
	case p.From != p.To && p.Over <= 0:
		return errors.New("a ramp needs a length")
	case p.Steps < 0:
		return errors.New("steps must be >= 0")
	}
	return nil
}

// RateAt is the target rate at time t of the run.
func (p Pacer) RateAt(t time.Duration) float64 {
	if p.staged != nil {
		return StageValue(*p.staged, t)
	}
	if !p.Ramping() || t >= p.Over {
		return p.To
	}
	if t < 0 {
		return p.From
	}
	if p.Steps > 0 {
		return p.stepRate(int(float64(p.Steps) * t.Seconds() / p.Over.Seconds()))
	}
	return p.From + (p.To-p.From)*t.Seconds()/p.Over.Seconds()
}

// stepRate is the rate of step i (0-based).
func (p Pacer) stepRate(i int) float64 {
	if p.Steps <= 1 {
		return p.From
	}
	return p.From + (p.To-p.From)*float64(i)/float64(p.Steps-1)
}

// Count is the number of requests due in the first t of the run: the
// integral of the rate.
func (p Pacer) Count(t time.Duration) float64 {
	if p.staged != nil {
		return stagesCount(*p.staged, t)
	}
	if t <= 0 {
		return 0
	}
	if !p.Ramping() {
		return p.To * t.Seconds()
	}
	if t >= p.Over {
		return p.count(p.Over.Seconds()) + p.To*(t-p.Over).Seconds()
	}
	return p.count(t.Seconds())
}

// count integrates the rate over [0, s] seconds, s within the ramp.
func (p Pacer) count(s float64) float64 {
	over := p.Over.Seconds()
	if p.Steps == 0 {
		return p.From*s + (p.To-p.From)*s*s/(2*over)
	}
	width := over / float64(p.Steps)
	full := min(int(s/width), p.Steps)
	return p.stepsCount(full)*width + p.stepRate(full)*(s-float64(full)*width)
}

// stepsCount is the sum of the rates of the first n steps (times the step
// width, their request count).
func (p Pacer) stepsCount(n int) float64 {
	if p.Steps <= 1 {
		return p.From * float64(n)
	}
	slope := (p.To - p.From) / float64(p.Steps-1)
	return p.From*float64(n) + slope*float64(n)*float64(n-1)/2
}

// Never is a time no run reaches.
const Never = time.Duration(math.MaxInt64)

// Due is when request n (0-based, counted over all connections) is due:
// the first time Count reaches n. It allocates nothing, as connections
// call it for every request.
func (p Pacer) Due(n float64) time.Duration {
	if n <= 0 {
		return 0
	}
	if p.staged != nil {
		return stagesDue(*p.staged, n)
	}
	if !p.Ramping() {
		return seconds(n / p.To)
	}
	over := p.Over.Seconds()
	if total := p.count(over); n >= total {
		return seconds(over + (n-total)/p.To)
	}
	if p.Steps == 0 {
		// From*s + a*s²/2 = n, solved in the form that is stable for a → 0.
		a := (p.To - p.From) / over
		return seconds(2 * n / (p.From + math.Sqrt(p.From*p.From+2*a*n)))
	}
	// Find the step whose end count first reaches n, then solve within it.
	width := over / float64(p.Steps)
	lo, hi := 0, p.Steps // stepsCount(lo)*width < n <= stepsCount(hi)*width
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if p.stepsCount(mid)*width >= n {
			hi = mid
		} else {
			lo = mid
		}
	}
	return seconds(float64(lo)*width + (n-p.stepsCount(lo)*width)/p.stepRate(lo))
}

// seconds converts to a Duration, saturating instead of overflowing.
func seconds(s float64) time.Duration {
	if s >= float64(Never)/float64(time.Second) || math.IsNaN(s) {
		return Never
	}
	return time.Duration(s * float64(time.Second))
}

// Scaled is the pacer with every rate multiplied by f: a part of the load
// that keeps its shape.
func (p Pacer) Scaled(f float64) Pacer {
	p.From *= f
	p.To *= f
	if p.staged != nil {
		st := ScaleStages(*p.staged, f)
		p.staged = &st
	}
	return p
}
