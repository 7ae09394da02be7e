package generator

import (
	"bytes"
	"regexp"
)

// Expect are the checks every response must pass, as k6's checks: one that
// fails is an error of its own class (Errors.Check), whatever its status.
// The zero Expect is wrk's rule: a status above 399 is an error.
type Expect struct {
	// Status, when set, lists the statuses that pass; a status above 399
	// among them is then no error.
	Status []StatusRange
	// Body, when set, is a check on each body, which the engine then keeps
	// up to Config.MaxBody bytes, as for a response() hook.
	Body *BodyCheck
}

// StatusRange is the statuses from Lo to Hi, both included.
type StatusRange struct{ Lo, Hi int }

// BodyCheck passes a body that Match matches, or that equals Equal.
type BodyCheck struct {
	Match *regexp.Regexp
	Equal []byte
}

func (b *BodyCheck) pass(body []byte) bool {
	if b.Match != nil {
		return b.Match.Match(body)
	}
	return bytes.Equal(body, b.Equal)
}

// statusFails reports whether status fails: it is not among the expected
// ones, or without any, above 399.
func (e *Expect) statusFails(status int) bool {
	if len(e.Status) == 0 {
		return status > 399
	}
	for _, r := range e.Status {
		if status >= r.Lo && status <= r.Hi {
			return false
		}
	}
	return true
}
