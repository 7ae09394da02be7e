package report

import (
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/units"
)

type endpointView struct {
	Name, Rate, Statuses string
	Requests, Errors     uint64
	P50, P90, P99, Max   string
	// OKP99 and FailP99 are the successes' and failures' p99 apart.
	OKP99, FailP99 string
}

type reasonView struct {
	Class, Reason string
	Count         uint64
}

// endpointCurves is how many endpoints the latency chart draws, the
// busiest first; the table lists them all.
const endpointCurves = 8

var endpointColors = [endpointCurves]string{"#2563eb", "#dc2626", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#db2777"}

func stagesText(stages []pace.Stage) string {
	parts := make([]string, len(stages))
	for i, s := range stages {
		parts[i] = fmt.Sprintf("%s:%s", s.Duration, units.FormatMetric(s.Target))
	}
	return strings.Join(parts, ", ")
}

// endpointsView is the endpoints table and their latency by percentile.
func endpointsView(res *generator.Result) ([]endpointView, template.HTML) {
	if len(res.Endpoints) == 0 {
		return nil, ""
	}
	secs := max(res.Runtime.Seconds(), 1e-9)
	ft := func(v int64) string { return units.FormatTime(float64(v)) }
	var out []endpointView
	for _, e := range res.Endpoints {
		v := endpointView{Name: e.Name, Requests: e.Requests, Errors: e.Errors, Rate: units.FormatMetric(float64(e.Requests) / secs)}
		codes := make([]int, 0, len(e.StatusCodes))
		for c := range e.StatusCodes {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var st []string
		for _, c := range codes {
			st = append(st, fmt.Sprintf("%d: %d", c, e.StatusCodes[c]))
		}
		v.Statuses = strings.Join(st, ", ")
		if h := e.Latency; h != nil && h.TotalCount() > 0 {
			v.P50, v.P90, v.P99, v.Max = ft(h.ValueAtQuantile(50)), ft(h.ValueAtQuantile(90)), ft(h.ValueAtQuantile(99)), ft(h.Max())
			v.OKP99, v.FailP99 = outcomeP99(e)
		}
		out = append(out, v)
	}
	busiest := append([]generator.EndpointResult(nil), res.Endpoints...)
	sort.SliceStable(busiest, func(i, j int) bool { return busiest[i].Requests > busiest[j].Requests })
	c := lineChart{ID: "chart-endpoints", Title: "Latency by percentile, per endpoint", XLabel: "percentile", YLabel: "latency",
		FormatY: units.FormatTime, LogX: true, XTicks: []float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6},
		FormatX: func(x float64) string {
			p := 100 * (1 - 1/x)
			return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", p), "0"), ".") + "%"
		}}
	for i, e := range busiest[:min(len(busiest), endpointCurves)] {
		s := series{Name: e.Name, Color: endpointColors[i]}
		if e.Latency != nil && e.Latency.TotalCount() > 0 {
			for _, b := range e.Latency.CumulativeDistributionWithTicks(spectrumTicks) {
				if b.Quantile < 100 {
					s.Points = append(s.Points, point{1 / (1 - b.Quantile/100), float64(b.ValueAt)})
				}
			}
		}
		c.Series = append(c.Series, s)
	}
	return out, c.SVG()
}

func reasonsView(res *generator.Result) []reasonView {
	var out []reasonView
	for _, r := range res.ErrorReasons {
		out = append(out, reasonView{Class: r.Class.String(), Reason: r.Reason, Count: r.Count})
	}
	return out
}

// connectionsChart shows --conn-stages: the connections called for and
// those active.
func connectionsChart(res *generator.Result) lineChart {
	c := lineChart{ID: "chart-connections", Title: "Connections", XLabel: "time", YLabel: "connections",
		FormatX: formatSeconds, FormatY: units.FormatMetric, XFromZero: true}
	want := series{Name: "target", Color: colorTarget, Dashed: true}
	got := series{Name: "active", Color: colorRate}
	for _, iv := range charted(res) {
		x := (iv.Start + iv.Length).Seconds()
		want.Points = append(want.Points, point{x, iv.TargetConns})
		got.Points = append(got.Points, point{x, float64(iv.Conns)})
	}
	c.Series = []series{want, got}
	return c
}
