package compare

import (
	"strings"
	"testing"
)

var metrics = []string{"rps", "p50", "p90", "p99"}

func TestCompareParseConditions(t *testing.T) {
	conds, err := ParseConditions("p99>+10%, rps<-5%,p50>=2ms,rps<=-1k,p90>10%", metrics)
	if err != nil {
		t.Fatal(err)
	}
	want := []Condition{
		{Metric: "p99", Op: ">", Value: 10, Relative: true},
		{Metric: "rps", Op: "<", Value: -5, Relative: true},
		{Metric: "p50", Op: ">=", Value: 2000},
		{Metric: "rps", Op: "<=", Value: -1000},
		{Metric: "p90", Op: ">", Value: 10, Relative: true},
	}
	if len(conds) != len(want) {
		t.Fatalf("%d conditions", len(conds))
	}
	for i, c := range conds {
		w := want[i]
		if c.Metric != w.Metric || c.Op != w.Op || c.Value != w.Value || c.Relative != w.Relative {
			t.Errorf("condition %d: %+v, want %+v", i, c, w)
		}
	}
	if conds[0].String() != "p99>+10%" {
		t.Errorf("text %q", conds[0].String())
	}
}

func TestCompareParseConditionsRejects(t *testing.T) {
	for _, s := range []string{"", "p99", "p999>10%", "errors>1%", "p99>10", "p99>fast", "rps<-5x", "p99>-100%", "p99>+inf%", "p99>NaN%", ">10%", "p50>2m"} {
		_, err := ParseConditions(s, metrics)
		if err == nil {
			t.Errorf("%q accepted", s)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error on two lines: %q", s, err)
		}
	}
}

func TestCompareBrokenNeedsASignificantChange(t *testing.T) {
	conds, err := ParseConditions("p99>+10%,p99>+1ms,rps<-5%", metrics)
	if err != nil {
		t.Fatal(err)
	}
	up := Comparison{P: 0.001, Change: 0.2, ChangeLow: 0.15, ChangeHigh: 0.25, Shift: 1500, ShiftLow: 1100, ShiftHigh: 1900}
	for i, want := range []bool{true, true, false} {
		if got := conds[i].Broken(up); got != want {
			t.Errorf("%s on +20%%: broken %v", conds[i], got)
		}
	}
	noisy := up
	noisy.P, noisy.ChangeLow, noisy.ShiftLow = 0.2, -0.05, -300
	for _, c := range conds {
		if c.Broken(noisy) {
			t.Errorf("%s broken by an insignificant change", c)
		}
	}
	down := Comparison{P: 0.001, Change: -0.08, ChangeLow: -0.1, ChangeHigh: -0.06, Shift: -80, ShiftLow: -100, ShiftHigh: -60}
	if !conds[2].Broken(down) || conds[0].Broken(down) {
		t.Error("rps<-5% on -8%: not broken, or p99>+10% broken")
	}
}
