package threshold

import (
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func TestParse(t *testing.T) {
	conds, err := Parse(" p99>200ms, errors>0.1%,p99.9 >= 1.5s,mean<500us,max>2m,errors>0,rps<10k ")
	if err != nil {
		t.Fatal(err)
	}
	want := []Condition{
		{Metric: Percentile, P: 99, Op: ">", Value: 200e3, text: "p99>200ms"},
		{Metric: ErrorShare, Op: ">", Value: 0.1, text: "errors>0.1%"},
		{Metric: Percentile, P: 99.9, Op: ">=", Value: 1.5e6, text: "p99.9>=1.5s"},
		{Metric: Mean, Op: "<", Value: 500, text: "mean<500us"},
		{Metric: Max, Op: ">", Value: 120e6, text: "max>2m"},
		{Metric: ErrorCount, Op: ">", Value: 0, text: "errors>0"},
		{Metric: Rate, Op: "<", Value: 10e3, text: "rps<10k"},
	}
	if len(conds) != len(want) {
		t.Fatalf("got %d conditions, want %d", len(conds), len(want))
	}
	for i := range want {
		if conds[i] != want[i] {
			t.Errorf("condition %d = %+v, want %+v", i, conds[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{"", ",", "p99", "p99>", "p99>200", "p99>abc ms", "q99>1ms", "p0>1ms", "p101>1ms", "errors>x%", "rps>-1", ">5",
		// Values that would overflow to infinity or are not numbers.
		"pNaN>1ms", "p+NaN>1ms", "p99>NaNms", "p99>1e308m", "p99>1e303s", "rps>1.7e308k", "errors>1e308M", "errors>Inf", "errors>101%"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded", s)
		}
	}
}

func observation(latencies ...int64) Observation {
	h := hdrhistogram.New(1, 3_600_000_000, 3)
	for _, v := range latencies {
		_ = h.RecordValue(v)
	}
	return Observation{Latency: h, Responses: uint64(len(latencies)), Elapsed: time.Second}
}

func TestCheck(t *testing.T) {
	o := observation(1000, 2000, 3000, 300_000)
	o.SocketErrors, o.Errors = 1, 2
	conds, _ := Parse("p50>3.5ms,p99>250ms,max<1s,errors>39%,errors>2,rps>=4,mean>1s")
	got := Check(conds, o, false)
	var names []string
	for _, b := range got {
		names = append(names, b.String())
	}
	want := []string{
		"p99>250ms (p99 = 299.90ms)",
		"max<1s (max = 300.03ms)",
		"errors>39% (errors = 40.00%)",
		"rps>=4 (rps = 4.00)",
	}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("breaches:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckWithoutData(t *testing.T) {
	conds, _ := Parse("p99>1ms,errors>1%,errors>0")
	empty := Observation{}
	if got := Check(conds, empty, false); len(got) != 0 {
		t.Errorf("no data, noDataHolds=false: %v", got)
	}
	got := Check(conds, empty, true)
	if len(got) != 2 || got[0].String() != "p99>1ms (p99: no data)" {
		t.Errorf("no data, noDataHolds=true: %v", got)
	}
}

func TestValidityConditions(t *testing.T) {
	conds, err := Parse("p99>200ms, Invalid")
	if err != nil {
		t.Fatal(err)
	}
	invalid := conds[1]
	if invalid.Metric != Validity || invalid.String() != "invalid" || invalid.Name() != "verdict" {
		t.Fatalf("condition %+v", invalid)
	}
	suspect, err := Parse("suspect")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		verdict                string
		invalidHolds, susHolds bool
	}{{"valid", false, false}, {"suspect", false, true}, {"invalid", true, true}} {
		o := Observation{Verdict: tc.verdict}
		if got := Evaluate(conds[1:], o, true)[0]; got.Holds != tc.invalidHolds || got.String() != "invalid (verdict = "+tc.verdict+")" {
			t.Errorf("%s: invalid outcome %+v (%s)", tc.verdict, got, got)
		}
		if got := Evaluate(suspect, o, true)[0]; got.Holds != tc.susHolds {
			t.Errorf("%s: suspect outcome %+v", tc.verdict, got)
		}
	}
	// A window of a breakpoint run has no verdict: the condition cannot hold.
	if held := Check(conds[1:], Observation{}, false); len(held) != 0 {
		t.Errorf("held without a verdict: %+v", held)
	}
	if _, err := Parse("invalid>1"); err == nil {
		t.Error(`"invalid>1" parsed`)
	}
}
