package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
)

// monitored is a generator busy in 4 of its 5 seconds on one core, a
// process and a throttled cgroup that is removed after 3 seconds.
func monitored() []sysstat.Series {
	gen := sysstat.Series{Kind: sysstat.KindGenerator, Name: "gowrk", PID: 10, Cores: 1, CoresFrom: "affinity"}
	pid := sysstat.Series{Kind: sysstat.KindPID, Name: "pid 42 (target)", PID: 42}
	cg := sysstat.Series{Kind: sysstat.KindCgroup, Name: "/sys/fs/cgroup/app", Cgroup: "/sys/fs/cgroup/app", Cores: 2,
		Note: "sampling ended at 4s: cgroup removed"}
	for i := 1; i <= 5; i++ {
		t := float64(i)
		gen.Points = append(gen.Points, sysstat.Point{T: t, CPU: []float64{0.5, 0.95, 0.97, 0.99, 0.99}[i-1], Mem: 30 << 20})
		pid.Points = append(pid.Points, sysstat.Point{T: t, CPU: 0.3 * t, Mem: uint64(i) << 20})
		if i <= 3 {
			cg.Points = append(cg.Points, sysstat.Point{T: t, CPU: 0.5 * t, Mem: 64 << 20, Throttled: 0.1, ThrottledPeriods: 3})
		}
	}
	return []sysstat.Series{gen, pid, cg}
}

func TestMonitorJSON(t *testing.T) {
	res := openLoopResult(true)
	var out bytes.Buffer
	if err := JSON(&out, summary.New(res), Details{Monitor: monitored()}); err != nil {
		t.Fatal(err)
	}
	if err := loadSchema(t).Validate(out.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var doc struct {
		Generator struct {
			Cores     float64
			CoresFrom string `json:"cores_from"`
			Busy      int    `json:"busy_samples"`
			Saturated bool
			Series    []struct {
				CPU float64 `json:"cpu_cores"`
			}
		}
		Monitor []struct {
			Kind, Name, Note string
			PID              int
			Series           []struct {
				Mem       uint64   `json:"mem_bytes"`
				Throttled *float64 `json:"throttled_share"`
			}
		}
		Breakpoint struct {
			TargetCPU []struct {
				Name string
				CPU  float64 `json:"cpu_cores"`
			} `json:"target_cpu"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	g := doc.Generator
	if g.Cores != 1 || g.CoresFrom != "affinity" || g.Busy != 4 || !g.Saturated || len(g.Series) != 5 {
		t.Errorf("generator %+v", g)
	}
	if len(doc.Monitor) != 2 || doc.Monitor[0].PID != 42 || doc.Monitor[0].Series[1].Mem != 2<<20 || doc.Monitor[0].Series[0].Throttled != nil {
		t.Errorf("monitor %+v", doc.Monitor)
	}
	if c := doc.Monitor[1]; c.Kind != "cgroup" || !strings.Contains(c.Note, "removed") || len(c.Series) != 3 || *c.Series[0].Throttled != 0.1 {
		t.Errorf("cgroup %+v", c)
	}
	// The breakpoint is at 4s; the cgroup's series ended at 3s, its last
	// sample stands.
	bp := doc.Breakpoint.TargetCPU
	if len(bp) != 2 || bp[0].Name != "pid 42 (target)" || bp[0].CPU != 1.2 || bp[1].CPU != 1.5 {
		t.Errorf("target CPU at the breakpoint %+v", bp)
	}
}

func TestMonitorHTMLAndNotes(t *testing.T) {
	res := openLoopResult(true)
	var out bytes.Buffer
	if err := HTML(&out, summary.New(res), Details{Monitor: monitored()}); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{`<svg id="chart-generator-cpu"`, `<svg id="chart-target-cpu"`, `<svg id="chart-target-throttled"`, `<svg id="chart-memory"`,
		"the generator may be the limit", "pid 42 (target): CPU 1.20 cores", "cgroup removed"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	var text bytes.Buffer
	if err := MonitorBreakpointText(&text, res, monitored()); err != nil {
		t.Fatal(err)
	}
	if text.String() != "  Target CPU at the breakpoint: 1.20 cores (pid 42 (target))\n  Target CPU at the breakpoint: 1.50 cores (/sys/fs/cgroup/app)\n" {
		t.Errorf("breakpoint text %q", text.String())
	}
	if note, ok := SaturationNote(monitored()); !ok || !strings.Contains(note, "0.88 of its 1 core (affinity)") || !strings.Contains(note, "4 of 5 seconds") {
		t.Errorf("saturation note %q %v", note, ok)
	}
	idle := monitored()
	for i := range idle[0].Points {
		idle[0].Points[i].CPU = 0.2
	}
	if note, ok := SaturationNote(idle); ok {
		t.Errorf("an idle generator noted: %q", note)
	}
	// Without samples nothing is added.
	out.Reset()
	_ = HTML(&out, summary.New(res), Details{})
	if strings.Contains(out.String(), "chart-memory") || strings.Contains(out.String(), "Resources") {
		t.Error("resource charts without samples")
	}
}
