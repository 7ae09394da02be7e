package compare

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gowrk/gowrk/threshold"
)

// Condition is a limit on a change, e.g. "p99>+10%" (p99 more than 10%
// higher), "rps<-5%" or "p50>+2ms". It breaks only when the change is
// significant: a change the data cannot tell from noise never fails.
type Condition struct {
	// Metric is the metric's name: "rps" or a latency percentile ("p99").
	Metric string
	// Op is one of ">", ">=", "<", "<=".
	Op string
	// Value is a percentage when Relative is set; otherwise an absolute
	// change in µs for latency and in requests/s for rps.
	Value    float64
	Relative bool
	text     string
}

// String is the condition as written.
func (c Condition) String() string { return c.text }

// Measured is the change the condition looks at: in percent when it is
// relative, else in the metric's unit.
func (c Condition) Measured(cmp Comparison) float64 {
	if c.Relative {
		return cmp.Change * 100
	}
	return cmp.Shift
}

// Broken reports whether the comparison breaks the condition: the change
// is significant and its estimate passes the limit.
func (c Condition) Broken(cmp Comparison) bool {
	if !cmp.Significant() {
		return false
	}
	return threshold.Compare(c.Measured(cmp), c.Op, c.Value)
}

// ParseConditions reads a comma-separated list of conditions on the
// given metrics: "rps" takes a percentage or requests/s (1k allowed),
// the others are latencies and take a percentage or a time (us, ms, s).
// The sign of the value is optional: "p99>10%" is "p99>+10%".
func ParseConditions(s string, metrics []string) ([]Condition, error) {
	return threshold.ParseList(s, "p99>+10%,rps<-5%", func(part string) (Condition, error) { return parseCondition(part, metrics) })
}

func parseCondition(s string, metrics []string) (Condition, error) {
	name, op, value, ok := threshold.SplitCondition(s)
	if !ok {
		return Condition{}, fmt.Errorf("invalid condition %q: want METRIC>CHANGE or METRIC<CHANGE, e.g. p99>+10%%", s)
	}
	if !slices.Contains(metrics, name) {
		return Condition{}, fmt.Errorf("unknown metric %q in condition %q: want one of %s", name, s, strings.Join(metrics, ", "))
	}
	c := Condition{Metric: name, Op: op, text: name + op + value}
	var err error
	switch {
	case strings.HasSuffix(value, "%"):
		c.Relative = true
		c.Value, err = parseSigned(strings.TrimSuffix(value, "%"), nil)
		if err == nil && c.Value <= -100 {
			err = fmt.Errorf("%q: a change cannot go below -100%%", value)
		}
	case name == "rps":
		c.Value, err = parseSigned(value, rateUnits)
	default:
		c.Value, err = parseSigned(value, timeUnits)
		if err != nil && !hasUnit(value, timeUnits) {
			err = fmt.Errorf("%q needs %% or a time unit (us, ms, s)", value)
		}
	}
	if err != nil {
		return Condition{}, fmt.Errorf("invalid value in condition %q: %v", s, err)
	}
	return c, nil
}

type unit struct {
	suffix string
	scale  float64
}

// timeUnits map to µs, longest suffix first so that "ms" is not read as
// "s"; rateUnits are the metric suffixes of requests/s.
var (
	timeUnits = []unit{{"us", 1}, {"ms", 1e3}, {"s", 1e6}}
	rateUnits = []unit{{"k", 1e3}, {"M", 1e6}, {"", 1}}
)

func hasUnit(s string, units []unit) bool {
	for _, u := range units {
		if u.suffix != "" && strings.HasSuffix(s, u.suffix) {
			return true
		}
	}
	return false
}

// parseSigned reads a number with an optional sign and, when units are
// given, one of their suffixes (required unless one suffix is "").
func parseSigned(s string, units []unit) (float64, error) {
	scale, num := 1.0, s
	if units != nil {
		found := false
		for _, u := range units {
			if rest, ok := strings.CutSuffix(s, u.suffix); ok {
				scale, num, found = u.scale, rest, true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("%q has no unit", s)
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v*scale, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v * scale, nil
}
