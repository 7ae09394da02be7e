package report

import (
	"fmt"
	"html/template"
	"io"
	"math"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/sysstat"
	"github.com/gowrk/gowrk/units"
)

// Colors of the resource charts: the budget line, then one per series.
const colorBudget = "#64748b"

var monitorColors = []string{"#2563eb", "#ea580c", "#16a34a", "#9333ea", "#0891b2", "#be185d", "#ca8a04"}

type jsonGenerator struct {
	PID       int            `json:"pid"`
	Cores     float64        `json:"cores"`
	CoresFrom string         `json:"cores_from"`
	MeanCores float64        `json:"mean_cores"`
	MeanWait  float64        `json:"mean_wait_cores"`
	BusyOver  float64        `json:"busy_over"`
	Busy      int            `json:"busy_samples"`
	Saturated bool           `json:"saturated"`
	Series    []jsonResPoint `json:"series"`
}

type jsonMonitor struct {
	Kind   string         `json:"kind"`
	Name   string         `json:"name"`
	PID    int            `json:"pid,omitempty"`
	Cgroup string         `json:"cgroup,omitempty"`
	Cores  float64        `json:"cores,omitempty"`
	Series []jsonResPoint `json:"series"`
	Note   string         `json:"note,omitempty"`
}

type jsonResPoint struct {
	TS               float64  `json:"t_s"`
	CPUCores         float64  `json:"cpu_cores"`
	CPUWaitCores     *float64 `json:"cpu_wait_cores,omitempty"`
	MemBytes         uint64   `json:"mem_bytes"`
	ThrottledShare   *float64 `json:"throttled_share,omitempty"`
	ThrottledPeriods *uint64  `json:"throttled_periods,omitempty"`
}

type jsonTargetCPU struct {
	Name     string  `json:"name"`
	CPUCores float64 `json:"cpu_cores"`
}

func resPoints(s sysstat.Series) []jsonResPoint {
	out := make([]jsonResPoint, 0, len(s.Points))
	for _, p := range s.Points {
		jp := jsonResPoint{TS: p.T, CPUCores: p.CPU, MemBytes: p.Mem}
		if s.Kind == sysstat.KindGenerator {
			wait := p.Wait
			jp.CPUWaitCores = &wait
		}
		if s.Kind == sysstat.KindCgroup {
			share, periods := p.Throttled, p.ThrottledPeriods
			jp.ThrottledShare, jp.ThrottledPeriods = &share, &periods
		}
		out = append(out, jp)
	}
	return out
}

// monitorJSON fills the document's generator and monitor keys and the
// targets' CPU at the breakpoint.
func monitorJSON(doc *jsonReport, res *generator.Result, d Details) {
	for _, s := range d.Monitor {
		if s.Kind == sysstat.KindGenerator {
			sat, _ := sysstat.GeneratorSaturation([]sysstat.Series{s})
			doc.Generator = &jsonGenerator{
				PID: s.PID, Cores: s.Cores, CoresFrom: s.CoresFrom, MeanCores: sat.Mean, MeanWait: sat.MeanWait,
				BusyOver: sysstat.SaturatedShare, Busy: sat.Busy, Saturated: sat.Saturated(),
				Series: resPoints(s),
			}
			continue
		}
		doc.Monitor = append(doc.Monitor, jsonMonitor{
			Kind: s.Kind, Name: s.Name, PID: s.PID, Cgroup: s.Cgroup, Cores: s.Cores,
			Series: resPoints(s), Note: s.Note,
		})
	}
	if doc.Breakpoint != nil {
		for _, t := range TargetCPUAtBreakpoint(res, d.Monitor) {
			doc.Breakpoint.TargetCPU = append(doc.Breakpoint.TargetCPU, jsonTargetCPU(t))
		}
	}
}

// TargetCPU is a monitored target's CPU use at one moment, in cores.
type TargetCPU struct {
	Name     string
	CPUCores float64
}

// TargetCPUAtBreakpoint is each monitored process's and cgroup's CPU over
// the second the breakpoint was found (or the run ended).
func TargetCPUAtBreakpoint(res *generator.Result, mon []sysstat.Series) []TargetCPU {
	bp := res.Breakpoint
	if bp == nil {
		return nil
	}
	var out []TargetCPU
	for _, s := range mon {
		if s.Kind == sysstat.KindGenerator {
			continue
		}
		if p, ok := s.At(bp.At.Seconds()); ok {
			out = append(out, TargetCPU{s.Name, p.CPU})
		}
	}
	return out
}

// MonitorBreakpointText adds to the breakpoint summary the monitored
// targets' CPU at the breakpoint. It prints nothing without targets.
func MonitorBreakpointText(out io.Writer, res *generator.Result, mon []sysstat.Series) error {
	w := &errWriter{w: out}
	for _, t := range TargetCPUAtBreakpoint(res, mon) {
		fmt.Fprintf(w, "  Target CPU at the breakpoint: %.2f cores (%s)\n", t.CPUCores, t.Name)
	}
	return w.err
}

// SaturationNote says, when the generator used most of its CPU budget for
// most of the run, that the result may be the generator's limit.
func SaturationNote(mon []sysstat.Series) (string, bool) {
	sat, ok := sysstat.GeneratorSaturation(mon)
	if !ok || !sat.Saturated() {
		return "", false
	}
	return "the generator may be the limit, not the server: " + sat.String(), true
}

// resourceCharts are the generator's and the monitored targets' CPU and
// memory over time; none without samples.
func resourceCharts(res *generator.Result, mon []sysstat.Series) []template.HTML {
	var gen *sysstat.Series
	var targets []sysstat.Series
	for i := range mon {
		if mon[i].Kind == sysstat.KindGenerator {
			gen = &mon[i]
		} else {
			targets = append(targets, mon[i])
		}
	}
	var charts []template.HTML
	var bpAt []marker
	if bp := res.Breakpoint; bp != nil && bp.Found {
		bpAt = []marker{{X: bp.At.Seconds(), Label: "breakpoint", Color: colorErrors}}
	}
	if gen != nil && len(gen.Points) > 0 {
		unit := "cores"
		if gen.Cores == 1 {
			unit = "core"
		}
		c := lineChart{ID: "chart-generator-cpu", Title: fmt.Sprintf("Generator CPU, share of its %s %s (%s)", trimNumber(gen.Cores), unit, gen.CoresFrom),
			XLabel: "time", YLabel: "CPU", FormatX: formatSeconds, FormatY: formatPercent, XFromZero: true, Markers: bpAt}
		used := series{Name: "used", Color: monitorColors[0]}
		wanted := series{Name: "used + waiting", Color: monitorColors[1]}
		limit := series{Name: fmt.Sprintf("%.0f%%", sysstat.SaturatedShare*100), Color: colorBudget, Dashed: true}
		budget := math.Max(gen.Cores, 1e-9)
		for _, p := range gen.Points {
			used.Points = append(used.Points, point{p.T, 100 * p.CPU / budget})
			wanted.Points = append(wanted.Points, point{p.T, 100 * (p.CPU + p.Wait) / budget})
			limit.Points = append(limit.Points, point{p.T, 100 * sysstat.SaturatedShare})
		}
		c.Series = []series{limit, wanted, used}
		charts = append(charts, c.SVG())
	}
	if len(targets) > 0 {
		c := lineChart{ID: "chart-target-cpu", Title: "Target CPU", XLabel: "time", YLabel: "cores",
			FormatX: formatSeconds, FormatY: trimNumber, XFromZero: true, Markers: bpAt}
		throttled := lineChart{ID: "chart-target-throttled", Title: "Target CPU throttled (cgroup quota)", XLabel: "time", YLabel: "share of time",
			FormatX: formatSeconds, FormatY: formatPercent, XFromZero: true, Markers: bpAt}
		for i, s := range targets {
			color := monitorColors[(i+1)%len(monitorColors)]
			cpu := series{Name: s.Name, Color: color}
			thr := series{Name: s.Name, Color: color}
			for _, p := range s.Points {
				cpu.Points = append(cpu.Points, point{p.T, p.CPU})
				thr.Points = append(thr.Points, point{p.T, 100 * p.Throttled})
			}
			c.Series = append(c.Series, cpu)
			if s.Kind == sysstat.KindCgroup {
				throttled.Series = append(throttled.Series, thr)
			}
		}
		charts = append(charts, c.SVG())
		if len(throttled.Series) > 0 {
			charts = append(charts, throttled.SVG())
		}
	}
	if len(mon) > 0 {
		c := lineChart{ID: "chart-memory", Title: "Memory (resident; cgroup: memory.current)", XLabel: "time", YLabel: "bytes",
			FormatX: formatSeconds, FormatY: func(v float64) string { return units.FormatBinary(v) + "B" }, XFromZero: true, Markers: bpAt}
		all := targets
		if gen != nil {
			all = append([]sysstat.Series{*gen}, targets...)
		}
		for i, s := range all {
			color := monitorColors[i%len(monitorColors)]
			if gen == nil {
				color = monitorColors[(i+1)%len(monitorColors)]
			}
			m := series{Name: s.Name, Color: color}
			for _, p := range s.Points {
				m.Points = append(m.Points, point{p.T, float64(p.Mem)})
			}
			c.Series = append(c.Series, m)
		}
		charts = append(charts, c.SVG())
	}
	return charts
}

// resourceRows summarize the resources in the HTML report's summary.
func resourceRows(mon []sysstat.Series) []row {
	var rows []row
	if sat, ok := sysstat.GeneratorSaturation(mon); ok {
		v := sat.String()
		if sat.Saturated() {
			v += ": the generator may be the limit, not the server"
		}
		rows = append(rows, row{"Generator CPU", v})
	}
	for _, s := range mon {
		if s.Kind == sysstat.KindGenerator {
			continue
		}
		top, sum := 0.0, 0.0
		for _, p := range s.Points {
			top, sum = math.Max(top, p.CPU), sum+p.CPU
		}
		v := "no samples"
		if n := len(s.Points); n > 0 {
			v = fmt.Sprintf("CPU %.2f cores on average, %.2f at most; memory %sB at the end", sum/float64(n), top, units.FormatBinary(float64(s.Points[n-1].Mem)))
		}
		if s.Note != "" {
			v += " (" + s.Note + ")"
		}
		rows = append(rows, row{s.Name, v})
	}
	return rows
}

func formatPercent(v float64) string { return trimNumber(v) + "%" }

// trimNumber prints v with up to two decimals and no trailing zeros.
func trimNumber(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}
