package validity

import (
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
)

// closedLoop is a healthy 10 s closed-loop run: 10 connections, all
// established, 1000 responses each, every latency 1 ms.
func closedLoop() *generator.Result {
	res := &generator.Result{Engine: generator.EngineLoop, Runtime: 10 * time.Second, Latency: generator.NewLatencyHistogram()}
	res.Config.Connections = 10
	res.Established = 10
	for range 10 {
		res.ConnRequests = append(res.ConnRequests, 1000)
	}
	res.Requests = 10_000
	_ = res.Latency.RecordValues(1000, 10_000)
	return res
}

// openLoop is a healthy 10 s run at 1000 requests/sec: everything due was
// sent on time and answered in 1 ms.
func openLoop() *generator.Result {
	res := closedLoop()
	res.Config.Pacer = pace.ConstantRate(1000)
	res.Due, res.Sent = 10_000, 10_000
	res.Corrected = generator.NewLatencyHistogram()
	_ = res.Corrected.RecordValues(1100, 10_000)
	return res
}

// idle is a generator that used a fifth of its two cores for 10 seconds.
func idle() []sysstat.Series {
	g := sysstat.Series{Kind: sysstat.KindGenerator, Name: "gowrk", Cores: 2, CoresFrom: "GOMAXPROCS"}
	for i := range 10 {
		g.Points = append(g.Points, sysstat.Point{T: float64(i + 1), CPU: 0.4})
	}
	return []sysstat.Series{g}
}

func judge(res *generator.Result, mon []sysstat.Series) Verdict { return Judge(summary.New(res), mon) }

func check(t *testing.T, v Verdict, name string) Check {
	t.Helper()
	for _, c := range v.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", name, v)
	return Check{}
}

func TestAllGoodIsValid(t *testing.T) {
	for name, res := range map[string]*generator.Result{"closed loop": closedLoop(), "open loop": openLoop()} {
		v := judge(res, idle())
		if v.Status != Valid || len(v.Problems()) != 0 {
			t.Errorf("%s: %s\n%s", name, v.Summary(), v.Text(false))
		}
		if got := v.Text(true); got != "" {
			t.Errorf("%s: quiet text %q for a valid run", name, got)
		}
	}
	v := judge(closedLoop(), idle())
	if c := check(t, v, "rate"); c.Status != NotApplicable || !strings.Contains(c.Detail, "closed loop") {
		t.Errorf("closed loop rate check %+v", c)
	}
	if c := check(t, v, "generator"); c.Status != Pass {
		t.Errorf("idle generator %+v", c)
	}
}

func TestMissingConnectionsAreInvalid(t *testing.T) {
	res := closedLoop()
	res.Established = 8
	v := judge(res, nil)
	c := check(t, v, "connections")
	if v.Status != Invalid || c.Status != Fail || c.Detail != "8 of 10 established (80.0%)" {
		t.Errorf("verdict %s, check %+v", v.Status, c)
	}
	if got, want := v.Text(true), "gowrk: validity: invalid: connections 8 of 10 established (80.0%)\n"; got != want {
		t.Errorf("quiet text %q, want %q", got, want)
	}
	res.Config.Connections, res.Established = 1000, 990
	if c := check(t, judge(res, nil), "connections"); c.Status != Warn {
		t.Errorf("990 of 1000: %+v", c)
	}
}

func TestConnectionStagesAskForTheirMost(t *testing.T) {
	res := closedLoop()
	res.Config.Connections = 100
	res.Config.ConnStages = []pace.Stage{{Duration: 5 * time.Second, Target: 40}, {Duration: 5 * time.Second, Target: 10}, {Duration: 10 * time.Second, Target: 100}}
	res.Established = 40
	v := judge(res, nil)
	if c := check(t, v, "connections"); c.Status != Pass || !strings.HasPrefix(c.Detail, "40 of 40 the stages asked for") {
		t.Errorf("stages reached 40 in the 10 s run: %+v", c)
	}
	if c := check(t, v, "spread"); c.Status != NotApplicable {
		t.Errorf("spread judged under connection stages: %+v", c)
	}
}

func TestBehindScheduleIsInvalid(t *testing.T) {
	res := openLoop()
	res.Sent, res.Requests = 7000, 7000
	v := judge(res, nil)
	c := check(t, v, "rate")
	if v.Status != Invalid || c.Status != Fail || !strings.Contains(c.Detail, "sent 700.00 of the 1.00k requests/sec due (70.0%)") {
		t.Errorf("verdict %s, check %+v", v.Status, c)
	}
	res = openLoop()
	res.Late = 500
	if c := check(t, judge(res, nil), "rate"); c.Status != Warn || !strings.Contains(c.Detail, "5.0% sent late") {
		t.Errorf("5%% late: %+v", c)
	}
	res = openLoop()
	res.Sent = 7000
	res.Breakpoint = &generator.Breakpoint{Found: true}
	if c := check(t, judge(res, nil), "rate"); c.Status != Warn {
		t.Errorf("a breakpoint run behind at its end: %+v", c)
	}
}

func TestUnevenConnectionsWarn(t *testing.T) {
	res := closedLoop()
	res.ConnRequests = []uint64{1900, 1900, 1900, 1900, 1900, 100, 100, 100, 100, 100}
	c := check(t, judge(res, nil), "spread")
	if c.Status != Warn || !strings.Contains(c.Detail, "min 100, median 1000, max 1900 (cv 0.90)") {
		t.Errorf("uneven: %+v", c)
	}
	res.ConnRequests = []uint64{1200, 1300, 1200, 1300, 1250, 1250, 1200, 1300, 0, 0}
	c = check(t, judge(res, nil), "spread")
	if c.Status != Fail || !strings.Contains(c.Detail, "2 of 10 connections got no response") {
		t.Errorf("two unserved: %+v", c)
	}
	res.ConnRequests = []uint64{3, 0, 2, 1}
	if c := check(t, judge(res, nil), "spread"); c.Status != NotApplicable {
		t.Errorf("too few responses: %+v", c)
	}
}

func TestLatencyGap(t *testing.T) {
	res := openLoop()
	res.Corrected.Reset()
	_ = res.Corrected.RecordValues(1000, 9800)
	_ = res.Corrected.RecordValues(50_000, 200)
	c := check(t, judge(res, nil), "latency gap")
	if c.Status != Warn || !strings.Contains(c.Detail, "p99 50.00ms vs 1.00ms (50.0x)") {
		t.Errorf("p99 gap: %+v", c)
	}
	res.Corrected.Reset()
	_ = res.Corrected.RecordValues(10_000, 10_000)
	v := judge(res, nil)
	if c := check(t, v, "latency gap"); v.Status != Invalid || c.Status != Fail {
		t.Errorf("p50 gap: %s %+v", v.Status, c)
	}
	// A 20x gap of a few milliseconds is the timers' noise.
	res.Latency.Reset()
	res.Corrected.Reset()
	_ = res.Latency.RecordValues(100, 10_000)
	_ = res.Corrected.RecordValues(2000, 10_000)
	if c := check(t, judge(res, nil), "latency gap"); c.Status != Pass {
		t.Errorf("sub-millisecond gap: %+v", c)
	}
	// Closed loop: wrk's correction adds the requests a stall kept back.
	res = closedLoop()
	res.Latency.Reset()
	_ = res.Latency.RecordValues(1000, 9900)
	_ = res.Latency.RecordValues(2_000_000, 100)
	c = check(t, judge(res, nil), "latency gap")
	if c.Status == Pass || !strings.HasPrefix(c.Detail, "corrected as wrk does vs uncorrected") {
		t.Errorf("closed-loop stall: %+v", c)
	}
}

func TestSaturatedGeneratorIsInvalid(t *testing.T) {
	mon := idle()
	for i := range mon[0].Points {
		mon[0].Points[i].CPU = 1.95
	}
	v := judge(closedLoop(), mon)
	if c := check(t, v, "generator"); v.Status != Invalid || c.Status != Fail || !strings.Contains(c.Detail, "in 10 of 10 seconds") {
		t.Errorf("saturated: %s %+v", v.Status, c)
	}
	mon[0].Points = mon[0].Points[:2]
	if c := check(t, judge(closedLoop(), mon), "generator"); c.Status != NotApplicable || !strings.Contains(c.Detail, "too short") {
		t.Errorf("2 samples: %+v", c)
	}
}

func TestMergedResultHasNoConnectionData(t *testing.T) {
	res := closedLoop()
	res.Engine, res.Established, res.ConnRequests = generator.EngineAuto, 0, nil
	v := judge(res, nil)
	if v.Status != Valid {
		t.Errorf("merged: %s", v.Summary())
	}
	for _, name := range []string{"connections", "spread", "generator"} {
		if c := check(t, v, name); c.Status != NotApplicable || c.Detail != "not measured (merged result)" {
			t.Errorf("merged %s: %+v", name, c)
		}
	}
}

func TestTextLayout(t *testing.T) {
	res := closedLoop()
	res.Established = 8
	text := judge(res, idle()).Text(false)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != 6 || lines[0] != "gowrk: validity: invalid" {
		t.Fatalf("text %q", text)
	}
	if want := "  fail  connections  8 of 10 established (80.0%)"; lines[1] != want {
		t.Errorf("line %q, want %q", lines[1], want)
	}
	if want := "  n/a   rate         closed loop: no rate asked for"; lines[2] != want {
		t.Errorf("line %q, want %q", lines[2], want)
	}
}
