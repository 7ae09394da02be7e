package pace

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Stage is one step of a staged load: over Duration the value (a request
// rate, or a number of connections) moves linearly from the previous
// stage's Target (0 before the first stage) to this one's.
type Stage struct {
	Duration time.Duration
	Target   float64
}

// Staged paces requests through stages, k6's ramping arrival rate.
func Staged(stages []Stage) Pacer {
	if len(stages) == 0 {
		return Pacer{}
	}
	return Pacer{staged: &stages}
}

// StagesLength is the sum of the stages' durations.
func StagesLength(stages []Stage) time.Duration {
	var d time.Duration
	for _, s := range stages {
		d += s.Duration
	}
	return d
}

// ValidateStages reports a stage without a duration, or a target (what:
// "rates", "connections") that is negative or not finite.
func ValidateStages(stages []Stage, what string) error {
	for _, s := range stages {
		if s.Duration <= 0 {
			return errors.New("every stage needs a duration")
		}
		if !(s.Target >= 0) || math.IsInf(s.Target, 0) {
			return fmt.Errorf("stage %s must be finite and >= 0", what)
		}
	}
	return nil
}

// StageValue is the stages' value at time t: the ramp's level, the last
// target past the end.
func StageValue(stages []Stage, t time.Duration) float64 {
	from := 0.0
	for _, s := range stages {
		if t < s.Duration {
			if t <= 0 {
				return from
			}
			return from + (s.Target-from)*t.Seconds()/s.Duration.Seconds()
		}
		t -= s.Duration
		from = s.Target
	}
	return from
}

// stagesCount integrates the rate over [0, t].
func stagesCount(stages []Stage, t time.Duration) float64 {
	if t <= 0 {
		return 0
	}
	from, n := 0.0, 0.0
	for _, s := range stages {
		if t < s.Duration {
			sec := t.Seconds()
			return n + from*sec + (s.Target-from)*sec*sec/(2*s.Duration.Seconds())
		}
		n += (from + s.Target) / 2 * s.Duration.Seconds()
		t -= s.Duration
		from = s.Target
	}
	return n + from*t.Seconds()
}

// stagesDue is when request n is due: the first time stagesCount reaches
// n. It allocates nothing, as connections call it for every request.
func stagesDue(stages []Stage, n float64) time.Duration {
	if n <= 0 {
		return 0
	}
	from := 0.0
	var at time.Duration
	for _, s := range stages {
		d := s.Duration.Seconds()
		total := (from + s.Target) / 2 * d
		if n <= total && total > 0 {
			// from*x + a*x²/2 = n, in the form that is stable for a → 0.
			a := (s.Target - from) / d
			disc := math.Max(from*from+2*a*n, 0)
			return at + min(seconds(2*n/(from+math.Sqrt(disc))), s.Duration)
		}
		n -= total
		at += s.Duration
		from = s.Target
	}
	if from <= 0 {
		return Never
	}
	return at + seconds(n/from)
}

// stageTimeAbove is the first time from t on when the stages' value is
// above v, or Never.
func stageTimeAbove(stages []Stage, v float64, t time.Duration) time.Duration {
	if StageValue(stages, t) > v {
		return t
	}
	from := 0.0
	var at time.Duration
	for _, s := range stages {
		end := at + s.Duration
		if end > t && s.Target > v && s.Target > from {
			// The ramp crosses v within this stage.
			x := at + time.Duration(float64(s.Duration)*(v-from)/(s.Target-from)) + time.Microsecond
			return max(x, t)
		}
		at, from = end, s.Target
	}
	return Never
}

// Gate says whether the connection at place (its rank in the round-robin
// over all connections) may send at now under the connection stages, and
// if not, when to look again: Never when the stages do not reach it again.
// Every engine calls it before each request; it allocates nothing.
func Gate(stages []Stage, place float64, now time.Duration) (active bool, wake time.Duration) {
	if StageValue(stages, now) > place {
		return true, now
	}
	return false, stageTimeAbove(stages, place, now)
}

// ScaleStages is a copy of stages with every target multiplied by f.
func ScaleStages(stages []Stage, f float64) []Stage {
	if stages == nil {
		return nil
	}
	out := make([]Stage, len(stages))
	for i, s := range stages {
		out[i] = Stage{Duration: s.Duration, Target: s.Target * f}
	}
	return out
}
