// Package threshold parses and checks conditions on a run's results, such
// as "p99>200ms" or "errors>1%". The same conditions serve as --fail-on
// thresholds over a whole run and as breakpoint stop conditions over a
// sliding window.
package threshold

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/units"
)

// Metric is what a condition measures.
type Metric int

const (
	// Percentile is a latency percentile (p50, p99.9).
	Percentile Metric = iota
	// Mean is the mean latency.
	Mean
	// Max is the largest latency.
	Max
	// ErrorShare is errors as a percentage of attempts ("errors>1%").
	ErrorShare
	// ErrorCount is the number of errors ("errors>0").
	ErrorCount
	// Rate is responses per second ("rps<1000").
	Rate
	// Validity is the run's validity verdict: "invalid" holds when the
	// verdict is invalid, "suspect" when it is suspect or invalid.
	Validity
)

// verdicts are the validity verdicts from best to worst; a Validity
// condition's Value is the index of the least bad verdict it holds for.
var verdicts = []string{"valid", "suspect", "invalid"}

// Condition is one parsed condition: Metric Op Value.
type Condition struct {
	Metric Metric
	// P is the percentile (0-100) of a Percentile condition.
	P float64
	// Op is one of ">", ">=", "<", "<=".
	Op string
	// Value is in µs for latency metrics, percent for ErrorShare, a count
	// for ErrorCount and requests per second for Rate.
	Value float64
	text  string
}

// Observation is the data a condition is checked against: a whole run or
// one window of it.
type Observation struct {
	// Latency holds latencies in µs.
	Latency *hdrhistogram.Histogram
	// Responses counts complete responses of any status.
	Responses uint64
	// SocketErrors counts requests without a response (connect, read, write,
	// timeout).
	SocketErrors uint64
	// Errors counts socket errors plus responses with a status above 399.
	Errors uint64
	// Elapsed is the time the observation covers.
	Elapsed time.Duration
	// Verdict is the whole run's validity verdict ("valid", "suspect",
	// "invalid"); "" where there is none, as in a window of the run.
	Verdict string
}

// Attempts is the number of requests that either got a response or failed
// without one: the denominator of the error share.
func (o Observation) Attempts() uint64 { return o.Responses + o.SocketErrors }

// String is the condition as it is written, e.g. "p99>200ms".
func (c Condition) String() string { return c.text }

// Measure returns the condition's metric in o; ok is false when o has no
// data for it (no latency samples, no attempts or no elapsed time).
func (c Condition) Measure(o Observation) (value float64, ok bool) {
	switch c.Metric {
	case Percentile, Mean, Max:
		if o.Latency == nil || o.Latency.TotalCount() == 0 {
			return 0, false
		}
		switch c.Metric {
		case Percentile:
			return float64(stats.Percentile(o.Latency, c.P)), true
		case Mean:
			return stats.Summarize(o.Latency).Mean, true
		default:
			return float64(o.Latency.Max()), true
		}
	case ErrorShare:
		if o.Attempts() == 0 {
			return 0, false
		}
		return float64(o.Errors) / float64(o.Attempts()) * 100, true
	case ErrorCount:
		return float64(o.Errors), true
	case Rate:
		if o.Elapsed <= 0 {
			return 0, false
		}
		return float64(o.Responses) / o.Elapsed.Seconds(), true
	case Validity:
		for i, v := range verdicts {
			if o.Verdict == v {
				return float64(i), true
			}
		}
		return 0, false
	}
	return 0, false
}

// Holds reports whether value satisfies the condition, i.e. whether the
// threshold is broken.
func (c Condition) Holds(value float64) bool { return Compare(value, c.Op, c.Value) }

// Compare reports whether value op limit holds, op one of >, >=, < and
// <= (SplitCondition's).
func Compare(value float64, op string, limit float64) bool {
	switch op {
	case ">":
		return value > limit
	case ">=":
		return value >= limit
	case "<":
		return value < limit
	default:
		return value <= limit
	}
}

// Format prints a measured value in the condition's unit, e.g. "212.00ms".
func (c Condition) Format(value float64) string {
	switch c.Metric {
	case Percentile, Mean, Max:
		return units.FormatTime(value)
	case ErrorShare:
		return strconv.FormatFloat(value, 'f', 2, 64) + "%"
	case ErrorCount:
		return strconv.FormatFloat(value, 'f', 0, 64)
	case Validity:
		if i := int(value); i >= 0 && i < len(verdicts) {
			return verdicts[i]
		}
		return "?"
	default:
		return strconv.FormatFloat(value, 'f', 2, 64)
	}
}

// Name is the metric's name as written, e.g. "p99" or "errors".
func (c Condition) Name() string {
	if c.Metric == Validity {
		return "verdict"
	}
	name, _, _ := strings.Cut(c.text, c.Op)
	return name
}

// Parse reads a comma-separated list of conditions. Latency metrics are
// pNN (p50, p99.9), mean and max, with a value in us, ms, s or m ("200ms",
// "1.5s"); errors compares the error share when the value ends in % and
// the error count otherwise; rps compares responses per second. The bare
// words invalid and suspect hold when the run's validity verdict is that
// bad or worse.
func Parse(s string) ([]Condition, error) {
	return ParseList(s, "p99>200ms,errors>1%", parseOne)
}

// ParseList parses a comma-separated list of conditions with parse,
// skipping empty parts; a list without any is an error showing example.
func ParseList[C any](s, example string, parse func(string) (C, error)) ([]C, error) {
	var out []C
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		c, err := parse(part)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("invalid condition %q: want e.g. %q", s, example)
	}
	return out, nil
}

// SplitCondition cuts "NAME OP VALUE" at its comparison (<, <=, >, >=):
// the name lower-cased, name and value trimmed; ok is false when no name
// comes before a comparison.
func SplitCondition(s string) (name, op, value string, ok bool) {
	i := strings.IndexAny(s, "<>")
	if i <= 0 {
		return "", "", "", false
	}
	op = s[i : i+1]
	if i+1 < len(s) && s[i+1] == '=' {
		op += "="
	}
	return strings.ToLower(strings.TrimSpace(s[:i])), op, strings.TrimSpace(s[i+len(op):]), true
}

func parseOne(s string) (Condition, error) {
	if word := strings.ToLower(s); word == "invalid" || word == "suspect" {
		return Condition{Metric: Validity, Op: ">=", Value: float64(slices.Index(verdicts, word)), text: word}, nil
	}
	name, op, value, ok := SplitCondition(s)
	if !ok {
		return Condition{}, fmt.Errorf("invalid condition %q: want METRIC>VALUE, METRIC<VALUE, invalid or suspect", s)
	}
	c := Condition{Op: op}
	var err error
	switch {
	case name == "errors" && strings.HasSuffix(value, "%"):
		c.Metric = ErrorShare
		c.Value, err = parseNumber(strings.TrimSuffix(value, "%"))
		if err == nil && c.Value > 100 {
			err = fmt.Errorf("%q is more than 100%%", value)
		}
	case name == "errors":
		c.Metric = ErrorCount
		c.Value, err = parseNumber(value)
	case name == "rps":
		c.Metric = Rate
		c.Value, err = parseNumber(value)
	case name == "mean" || name == "max" || strings.HasPrefix(name, "p"):
		c.Metric = Mean
		if name == "max" {
			c.Metric = Max
		} else if name != "mean" {
			c.Metric = Percentile
			c.P, err = strconv.ParseFloat(name[1:], 64)
			if err != nil || !(c.P > 0 && c.P <= 100) { // NaN fails both
				return Condition{}, fmt.Errorf("invalid percentile %q in condition %q", name, s)
			}
		}
		c.Value, err = parseLatency(value)
	default:
		return Condition{}, fmt.Errorf("unknown metric %q in condition %q: want pNN, mean, max, errors or rps", name, s)
	}
	if err != nil {
		return Condition{}, fmt.Errorf("invalid value in condition %q: %v", s, err)
	}
	c.text = name + op + value
	return c, nil
}

// parseNumber reads a non-negative number with an optional k or M suffix.
func parseNumber(s string) (float64, error) {
	scale := 1.0
	switch {
	case strings.HasSuffix(s, "k") || strings.HasSuffix(s, "K"):
		scale, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		scale, s = 1e6, s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 0) || math.IsInf(v*scale, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v * scale, nil
}

// latencyUnits maps a unit to microseconds, longest suffix first.
var latencyUnits = []struct {
	suffix string
	us     float64
}{{"us", 1}, {"ms", 1e3}, {"s", 1e6}, {"m", 60e6}}

// parseLatency reads a duration such as 200ms, 1.5s or 500us into µs.
func parseLatency(s string) (float64, error) {
	for _, u := range latencyUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := parseNumber(num)
			if err == nil && math.IsInf(v*u.us, 0) {
				err = fmt.Errorf("%q is too long", s)
			}
			if err != nil {
				return 0, err
			}
			return v * u.us, nil
		}
	}
	return 0, fmt.Errorf("%q needs a time unit (us, ms, s, m)", s)
}

// Outcome is a condition checked against an observation.
type Outcome struct {
	Condition Condition
	// Value is the measured metric; meaningless when NoData is set.
	Value float64
	// NoData is set when the observation had nothing to measure it on.
	NoData bool
	// Holds is set when the condition holds: the threshold is broken.
	Holds bool
}

// String describes the outcome, e.g. "p99>500ms (p99 = 612.00ms)".
func (o Outcome) String() string {
	if o.NoData {
		return fmt.Sprintf("%s (%s: no data)", o.Condition, o.Condition.Name())
	}
	return fmt.Sprintf("%s (%s = %s)", o.Condition, o.Condition.Name(), o.Condition.Format(o.Value))
}

// Evaluate checks every condition against o, in order. A condition with no
// data to measure holds when noDataHolds is set: a run without a single
// response has not met a latency threshold.
func Evaluate(conds []Condition, o Observation, noDataHolds bool) []Outcome {
	out := make([]Outcome, 0, len(conds))
	for _, c := range conds {
		v, ok := c.Measure(o)
		out = append(out, Outcome{Condition: c, Value: v, NoData: !ok, Holds: (ok && c.Holds(v)) || (!ok && noDataHolds)})
	}
	return out
}

// Check returns the outcomes of the conditions that hold in o.
func Check(conds []Condition, o Observation, noDataHolds bool) []Outcome {
	var held []Outcome
	for _, oc := range Evaluate(conds, o, noDataHolds) {
		if oc.Holds {
			held = append(held, oc)
		}
	}
	return held
}
