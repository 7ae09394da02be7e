package threshold

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

// plainDuration is a latency value time.ParseDuration reads the same way:
// decimal digits and one unit.
var plainDuration = regexp.MustCompile(`^([0-9]+(\.[0-9]*)?|\.[0-9]+)(us|ms|s|m)$`)

// FuzzParse checks what Parse accepts: sane fields, conditions that parse
// back from their text to the same conditions, latencies that agree with
// time.ParseDuration, and evaluation without a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"p99>200ms,errors>1%", " p99>200ms, errors>0.1%,p99.9 >= 1.5s,mean<500us,max>2m,errors>0,rps<10k ",
		"p50<=.5s", "rps>1.5M", "errors>=100%", "pNaN>1ms", "p99>1e308m", "p1e1>1ms", "errors>1e308M", "p99>>1ms", "P99>1MS", ",,,",
	} {
		f.Add(s)
	}
	obs := observation(1000, 2000, 3000, 300_000)
	obs.SocketErrors, obs.Errors = 1, 2
	f.Fuzz(func(t *testing.T, s string) {
		conds, err := Parse(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") && !strings.ContainsAny(s, "\n\r") {
				t.Fatalf("Parse(%q): error on several lines: %v", s, err)
			}
			return
		}
		if len(conds) == 0 {
			t.Fatalf("Parse(%q): no conditions and no error", s)
		}
		texts := make([]string, len(conds))
		for i, c := range conds {
			switch {
			case c.Op != ">" && c.Op != ">=" && c.Op != "<" && c.Op != "<=":
				t.Fatalf("Parse(%q): op %q", s, c.Op)
			case !(c.Value >= 0) || math.IsInf(c.Value, 0):
				t.Fatalf("Parse(%q): value %v", s, c.Value)
			case c.Metric == Percentile && !(c.P > 0 && c.P <= 100):
				t.Fatalf("Parse(%q): percentile %v", s, c.P)
			case c.Metric == ErrorShare && c.Value > 100:
				t.Fatalf("Parse(%q): error share %v%%", s, c.Value)
			case strings.Contains(c.String(), ","):
				t.Fatalf("Parse(%q): text %q holds a comma", s, c.String())
			}
			texts[i] = c.String()
			if c.Metric == Percentile || c.Metric == Mean || c.Metric == Max {
				value := c.String()[len(c.Name())+len(c.Op):]
				if plainDuration.MatchString(value) {
					if d, err := time.ParseDuration(value); err == nil {
						us := float64(d) / float64(time.Microsecond)
						if math.Abs(us-c.Value) > 1e-9*math.Max(us, 1)+1e-3 {
							t.Fatalf("Parse(%q): %s is %v us, time.ParseDuration says %v", s, value, c.Value, us)
						}
					}
				}
			}
		}
		again, err := Parse(strings.Join(texts, ","))
		if err != nil || len(again) != len(conds) {
			t.Fatalf("Parse(%q) = %v, whose text parses as %v, %v", s, texts, again, err)
		}
		for i := range conds {
			if again[i] != conds[i] {
				t.Fatalf("Parse(%q): condition %d %+v parses back as %+v", s, i, conds[i], again[i])
			}
		}
		for _, o := range Evaluate(conds, obs, true) {
			if o.String() == "" {
				t.Fatalf("Parse(%q): empty outcome", s)
			}
		}
		Evaluate(conds, Observation{}, true)
	})
}
