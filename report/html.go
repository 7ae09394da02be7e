package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/units"
)

// Colors of the charts' series.
const (
	colorRate      = "#2563eb"
	colorTarget    = "#64748b"
	colorErrors    = "#dc2626"
	colorP50       = "#16a34a"
	colorP90       = "#ca8a04"
	colorP99       = "#dc2626"
	colorCorrected = "#7c3aed"
	colorMeasured  = "#0891b2"
)

// HTML writes a self-contained report page: no scripts, no external
// resources (a content security policy forbids them), charts as inline SVG.
func HTML(w io.Writer, run *summary.Run, d Details) error {
	return page.Execute(w, buildPage(run, d))
}

type pageData struct {
	Title, Subtitle string
	Footer          string
	Summary         []row
	Latency         latencyTable
	Validity        *validityView
	Outcomes        [][3]string // successes' and failures' latency
	Schedule        []row
	Breakpoint      *breakpointView
	Thresholds      []thresholdView
	Charts          []template.HTML
	Percentiles     template.HTML
	Status          template.HTML
	StatusRows      []row
	Sources         []row
	Resources       []row
	Endpoints       []endpointView
	EndpointChart   template.HTML
	Reasons         []reasonView
	Connect         [][7]string
	TargetProfile   *targetProfileView
}

type row struct{ Name, Value string }

type latencyTable struct {
	Corrected string // the column title of the headline latency
	Rows      [][3]string
}

type breakpointView struct {
	Found         bool
	Rate, Through string
	At            string
	Reasons       []string
	TargetCPU     []string
}

type thresholdView struct {
	Condition, Measured string
	Broken              bool
}

func buildPage(run *summary.Run, d Details) pageData {
	res := run.Result
	cfg := &res.Config
	headline := run.Headline
	secs := res.Runtime.Seconds()
	target := "?"
	if cfg.URL != nil {
		target = cfg.URL.String()
	}
	p := pageData{
		Title: "gowrk: " + target,
		Subtitle: fmt.Sprintf("%s · started %s · %d threads and %d connections",
			Mode(res, d), res.Start.UTC().Format("2006-01-02 15:04:05 UTC"), cfg.Threads, cfg.Connections),
		Footer: strings.TrimSpace("gowrk " + d.Version),
	}
	// perSecond formats n per second of the run.
	perSecond := func(n float64, format func(float64) string) string {
		return format(n / max(secs, 1e-9))
	}
	p.Summary = []row{
		{"Duration", units.FormatTime(float64(res.Runtime / time.Microsecond))},
		{"Requests", fmt.Sprint(res.Requests)},
		{"Requests/sec", perSecond(float64(res.Requests), units.FormatMetric)},
		{"Transfer", units.FormatBinary(float64(res.Bytes)) + "B read, " + perSecond(float64(res.Bytes), units.FormatBinary) + "B/s"},
		{"Errors", errorSummary(res)},
	}
	switch {
	case len(cfg.Pacer.Stages()) > 0:
		p.Summary = append(p.Summary, row{"Target rate", "stages " + stagesText(cfg.Pacer.Stages()) + " requests/sec"})
	case res.Config.Pacer.Ramping():
		p.Summary = append(p.Summary, row{"Target rate", fmt.Sprintf("%s to %s requests/sec over %s", units.FormatMetric(cfg.Pacer.From), units.FormatMetric(cfg.Pacer.To), cfg.Pacer.Over)})
	case res.Config.Pacer.Enabled():
		p.Summary = append(p.Summary, row{"Target rate", units.FormatMetric(cfg.Pacer.To) + " requests/sec"})
	}
	if len(cfg.ConnStages) > 0 {
		p.Summary = append(p.Summary, row{"Connections", "stages " + stagesText(cfg.ConnStages)})
	}
	if res.Interrupted {
		p.Summary = append(p.Summary, row{"Interrupted", "yes (stopped before its duration)"})
	}
	p.Latency = latencyRows(res, headline, d.percentiles())
	p.Validity = validityHTML(d.Validity)
	if cfg.Pacer.Enabled() {
		p.Schedule = []row{
			{"Sent", fmt.Sprintf("%d (%s/sec)", res.Sent, perSecond(float64(res.Sent), units.FormatMetric))},
			{"Due by the schedule", fmt.Sprint(res.Due)},
			{"Sent late", fmt.Sprintf("%d (%s)", res.Late, share(res.Late, res.Sent))},
			{"Never sent", fmt.Sprint(res.Unsent())},
			{"Furthest behind", units.FormatTime(float64(res.MaxBehind / time.Microsecond))},
		}
	}
	if bp := res.Breakpoint; bp != nil {
		p.Breakpoint = &breakpointView{Found: bp.Found, Rate: units.FormatMetric(bp.Rate), Through: units.FormatMetric(bp.Throughput),
			At: units.FormatTime(float64(bp.At / time.Microsecond)), Reasons: bp.Reasons}
		for _, t := range TargetCPUAtBreakpoint(res, d.Monitor) {
			p.Breakpoint.TargetCPU = append(p.Breakpoint.TargetCPU, fmt.Sprintf("%s: CPU %.2f cores", t.Name, t.CPUCores))
		}
	}
	for _, o := range d.Thresholds {
		p.Thresholds = append(p.Thresholds, thresholdView{Condition: o.Condition.String(), Measured: o.String(), Broken: o.Holds})
	}
	p.Charts = []template.HTML{
		rateChart(res).SVG(),
		errorChart(res).SVG(),
		latencyOverTime(res).SVG(),
	}
	if len(cfg.ConnStages) > 0 {
		p.Charts = append(p.Charts, connectionsChart(res).SVG())
	}
	p.Charts = append(p.Charts, resourceCharts(res, d.Monitor)...)
	p.Endpoints, p.EndpointChart = endpointsView(res)
	p.Reasons = reasonsView(res)
	p.Resources = resourceRows(d.Monitor)
	p.Percentiles = percentileChart(res, headline).SVG()
	p.Status, p.StatusRows = statusChart(res.StatusCodes, res.Errors.Socket())
	for _, c := range connectPhases(res.Connect) {
		p.Connect = append(p.Connect, [7]string{upper(c.Name), fmt.Sprint(c.Count), units.FormatTime(c.MeanUS),
			units.FormatTime(float64(c.P50US)), units.FormatTime(float64(c.P90US)), units.FormatTime(float64(c.P99US)), units.FormatTime(float64(c.MaxUS))})
	}
	p.TargetProfile = targetProfileHTML(d.TargetProfile)
	p.Outcomes = outcomeRows(run)
	for _, s := range d.Sources {
		p.Sources = append(p.Sources, row{s.File, fmt.Sprintf("%s · started %s · %s · %d requests", s.URL,
			s.Start.UTC().Format("15:04:05.000"), units.FormatTime(float64(s.Runtime/time.Microsecond)), s.Requests)})
	}
	return p
}

func errorSummary(res *generator.Result) string {
	e := res.Errors
	total := e.Socket() + e.Responses()
	if total == 0 {
		return "none"
	}
	s := fmt.Sprintf("%d (%s): connect %d, read %d, write %d, timeout %d, status >399 %d",
		total, share(total, res.Requests+e.Socket()), e.Connect, e.Read, e.Write, e.Timeout, e.Status)
	if e.Check > 0 {
		s += fmt.Sprintf(", failed checks %d (body %d)", e.Check, e.CheckBody)
	}
	return s
}

// outcomeRows are the latency of the successful and of the failed
// responses side by side, when some failed.
func outcomeRows(run *summary.Run) [][3]string {
	success, failure := run.Outcomes()
	if failure == nil || failure.TotalCount() == 0 {
		return nil
	}
	ft := func(v int64) string { return units.FormatTime(float64(v)) }
	rows := [][3]string{{"Count", fmt.Sprint(success.TotalCount()), fmt.Sprint(failure.TotalCount())}}
	for _, q := range []float64{50, 90, 99} {
		rows = append(rows, [3]string{fmt.Sprintf("p%g", q), ft(success.ValueAtQuantile(q)), ft(failure.ValueAtQuantile(q))})
	}
	return append(rows, [3]string{"Max", ft(success.Max()), ft(failure.Max())})
}

func share(n, of uint64) string {
	if of == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.2f%%", float64(n)/float64(of)*100)
}

func latencyRows(res *generator.Result, headline *hdrhistogram.Histogram, percentiles []float64) latencyTable {
	t := latencyTable{Corrected: "Corrected (from scheduled send)"}
	if res.Corrected == nil {
		t.Corrected = "Corrected (as wrk)"
	}
	hs, ms := stats.Summarize(headline), stats.Summarize(res.Latency)
	ft := func(v float64) string { return units.FormatTime(v) }
	t.Rows = [][3]string{
		{"Mean", ft(hs.Mean), ft(ms.Mean)},
		{"Stdev", ft(hs.Stdev), ft(ms.Stdev)},
	}
	hb, mb := stats.Bars(headline), stats.Bars(res.Latency)
	sorted := append([]float64(nil), percentiles...)
	sort.Float64s(sorted)
	for _, q := range sorted {
		t.Rows = append(t.Rows, [3]string{
			"p" + strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", q), "0"), "."),
			ft(float64(stats.PercentileOf(hb, hs.Count, q))), ft(float64(stats.PercentileOf(mb, ms.Count, q))),
		})
	}
	t.Rows = append(t.Rows, [3]string{"Max", ft(float64(headline.Max())), ft(float64(res.Latency.Max()))})
	return t
}

func formatSeconds(s float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", s), ".0") + "s" }

// charted is the series as charts show it: without a last bucket much
// shorter than the others (the moment the run stopped), whose rates would
// be noise.
func charted(res *generator.Result) []generator.Interval {
	ivs := res.Series
	if n := len(ivs); n > 1 && ivs[n-1].Length < ivs[0].Length/2 {
		ivs = ivs[:n-1]
	}
	return ivs
}

func rateChart(res *generator.Result) lineChart {
	c := lineChart{ID: "chart-rate", Title: "Requests per second", XLabel: "time", YLabel: "requests/sec",
		FormatX: formatSeconds, FormatY: units.FormatMetric, XFromZero: true}
	got := series{Name: "responses/sec", Color: colorRate}
	want := series{Name: "target/sec", Color: colorTarget, Dashed: true}
	for _, iv := range charted(res) {
		x := (iv.Start + iv.Length).Seconds()
		got.Points = append(got.Points, point{x, iv.Rate()})
		want.Points = append(want.Points, point{x, iv.Target})
	}
	if res.Config.Pacer.Enabled() {
		c.Series = append(c.Series, want)
	}
	c.Series = append(c.Series, got)
	if bp := res.Breakpoint; bp != nil && bp.Found {
		c.Markers = append(c.Markers, marker{X: bp.At.Seconds(), Label: "breakpoint " + units.FormatMetric(bp.Rate) + "/s", Color: colorErrors})
	}
	return c
}

func errorChart(res *generator.Result) lineChart {
	c := lineChart{ID: "chart-errors", Title: "Errors per second", XLabel: "time", YLabel: "errors/sec",
		FormatX: formatSeconds, FormatY: units.FormatMetric, XFromZero: true}
	s := series{Name: "errors/sec", Color: colorErrors}
	for _, iv := range charted(res) {
		rate := 0.0
		if iv.Length > 0 {
			rate = float64(iv.Errors) / iv.Length.Seconds()
		}
		s.Points = append(s.Points, point{(iv.Start + iv.Length).Seconds(), rate})
	}
	c.Series = []series{s}
	return c
}

func latencyOverTime(res *generator.Result) lineChart {
	title := "Latency over time"
	if res.Corrected != nil {
		title += " (corrected)"
	}
	c := lineChart{ID: "chart-latency", Title: title, XLabel: "time", YLabel: "latency",
		FormatX: formatSeconds, FormatY: units.FormatTime, XFromZero: true}
	p50 := series{Name: "p50", Color: colorP50}
	p90 := series{Name: "p90", Color: colorP90}
	p99 := series{Name: "p99", Color: colorP99}
	for _, iv := range charted(res) {
		x := (iv.Start + iv.Length).Seconds()
		if iv.Max == 0 && iv.P99 == 0 {
			// No response completed in the bucket: a gap, not a zero latency.
			p50.Points = append(p50.Points, point{x, math.NaN()})
			p90.Points = append(p90.Points, point{x, math.NaN()})
			p99.Points = append(p99.Points, point{x, math.NaN()})
			continue
		}
		p50.Points = append(p50.Points, point{x, float64(iv.P50)})
		p90.Points = append(p90.Points, point{x, float64(iv.P90)})
		p99.Points = append(p99.Points, point{x, float64(iv.P99)})
	}
	c.Series = []series{p50, p90, p99}
	return c
}

// percentileChart is HdrHistogram's classic plot: latency by percentile,
// the percentile axis stretched as 1/(1-p) on a log scale.
func percentileChart(res *generator.Result, headline *hdrhistogram.Histogram) lineChart {
	c := lineChart{ID: "chart-percentiles", Title: "Latency by percentile", XLabel: "percentile", YLabel: "latency",
		FormatY: units.FormatTime, LogX: true, XTicks: []float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6},
		FormatX: func(x float64) string {
			p := 100 * (1 - 1/x)
			return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", p), "0"), ".") + "%"
		}}
	curve := func(h *hdrhistogram.Histogram, name, color string) series {
		s := series{Name: name, Color: color}
		if h.TotalCount() == 0 {
			return s
		}
		for _, b := range h.CumulativeDistributionWithTicks(spectrumTicks) {
			if b.Quantile >= 100 {
				continue
			}
			s.Points = append(s.Points, point{1 / (1 - b.Quantile/100), float64(b.ValueAt)})
		}
		return s
	}
	name := "corrected"
	if res.Corrected == nil {
		name = "corrected (as wrk)"
	}
	c.Series = []series{curve(headline, name, colorCorrected), curve(res.Latency, "uncorrected", colorMeasured)}
	return c
}

// statusChart draws a bar per status code and lists them.
func statusChart(codes map[int]uint64, noResponse uint64) (template.HTML, []row) {
	type bar struct {
		label string
		n     uint64
		color string
	}
	var bars []bar
	keys := make([]int, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var total uint64
	for _, k := range keys {
		color := "#94a3b8"
		switch {
		case k >= 200 && k < 300:
			color = "#16a34a"
		case k >= 300 && k < 400:
			color = "#2563eb"
		case k >= 400 && k < 500:
			color = "#ea580c"
		case k >= 500:
			color = "#dc2626"
		}
		bars = append(bars, bar{fmt.Sprint(k), codes[k], color})
		total += codes[k]
	}
	if noResponse > 0 {
		bars = append(bars, bar{"no response", noResponse, "#475569"})
		total += noResponse
	}
	var rows []row
	var most uint64
	for _, b := range bars {
		most = max(most, b.n)
		rows = append(rows, row{b.label, fmt.Sprintf("%d (%s)", b.n, share(b.n, total))})
	}
	const barH, gap, labelW, width = 24, 8, 110, chartWidth
	height := len(bars)*(barH+gap) + 40
	var s strings.Builder
	fmt.Fprintf(&s, `<svg id="chart-status" class="chart" viewBox="0 0 %d %d" role="img" aria-label="Responses by status code" xmlns="http://www.w3.org/2000/svg">`, width, height)
	s.WriteString(`<text class="title" x="70" y="20">Responses by status code</text>`)
	if len(bars) == 0 {
		s.WriteString(`<text class="tick" x="70" y="48">no responses</text>`)
	}
	for i, b := range bars {
		y := 34 + i*(barH+gap)
		w := float64(width-labelW-220) * float64(b.n) / float64(most)
		fmt.Fprintf(&s, `<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-8, y+barH/2+4, html.EscapeString(b.label))
		fmt.Fprintf(&s, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, labelW, y, math.Max(w, 1), barH, b.color)
		fmt.Fprintf(&s, `<text class="tick" x="%.1f" y="%d">%d (%s)</text>`, float64(labelW)+math.Max(w, 1)+8, y+barH/2+4, b.n, share(b.n, total))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()), rows
}

// ChartStyle styles the SVG charts this package draws, for every page that
// shows them: the HTML report and the live dashboard.
const ChartStyle = `svg.chart { width: 100%; height: auto; display: block; margin: 8px 0 16px; background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; }
svg .title { font-size: 14px; font-weight: 600; fill: #0f172a; }
svg .tick { font-size: 11px; fill: #475569; }
svg .label { font-size: 12px; fill: #334155; }
svg .grid { stroke: #e2e8f0; stroke-width: 1; }
svg .axis { stroke: #94a3b8; stroke-width: 1; }
svg .series { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg .marker { stroke-width: 1.5; stroke-dasharray: 4 3; }
`

var page = template.Must(template.New("page").Funcs(template.FuncMap{"chartStyle": func() template.CSS { return ChartStyle }}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #0f172a; background: #f8fafc; margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 16px; margin: 28px 0 8px; }
.sub { color: #475569; margin: 0 0 16px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
section, .card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 12px 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #f1f5f9; font-variant-numeric: tabular-nums; }
th { color: #475569; font-weight: 600; }
td.num, th.num { text-align: right; }
.broken { color: #b91c1c; font-weight: 600; }
.ok { color: #15803d; font-weight: 600; }
.bp { border-left: 4px solid #dc2626; }
{{chartStyle}}
{{template "validity-style"}}
@media (max-width: 700px) { .grid2 { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p class="sub">{{.Subtitle}}</p>
{{template "validity" .}}
{{with .Breakpoint}}<section class="card bp" id="breakpoint">
<h2>Breakpoint</h2>
{{if .Found}}<p>Highest rate sustained: <b>{{.Rate}} requests/sec</b> ({{.Through}} responses/sec), stopped at {{.At}}:</p>
<ul>{{range .Reasons}}<li>{{.}}</li>{{end}}</ul>
{{else}}<p>No stop condition held: the target sustained <b>{{.Rate}} requests/sec</b> ({{.Through}} responses/sec) to the end of the ramp.</p>{{end}}
{{if .TargetCPU}}<p>Target at the breakpoint:</p><ul>{{range .TargetCPU}}<li>{{.}}</li>{{end}}</ul>{{end}}
</section>{{end}}
{{if .Thresholds}}<section class="card" id="thresholds">
<h2>Thresholds</h2>
<table>{{range .Thresholds}}<tr><td>{{.Condition}}</td><td>{{.Measured}}</td><td class="{{if .Broken}}broken{{else}}ok{{end}}">{{if .Broken}}broken{{else}}met{{end}}</td></tr>{{end}}</table>
</section>{{end}}
<div class="grid2">
<section id="summary"><h2>Summary</h2>
<table>{{range .Summary}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>{{end}}</table>
{{if .Resources}}<h2>Resources</h2>
<table id="resources">{{range .Resources}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>{{end}}</table>{{end}}
{{if .Schedule}}<h2>Schedule</h2>
<table>{{range .Schedule}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>{{end}}</table>{{end}}
</section>
<section id="latency"><h2>Latency</h2>
<table><tr><th></th><th class="num">{{.Latency.Corrected}}</th><th class="num">Uncorrected</th></tr>
{{range .Latency.Rows}}<tr><th>{{index . 0}}</th><td class="num">{{index . 1}}</td><td class="num">{{index . 2}}</td></tr>{{end}}</table>
{{if .Outcomes}}<h3>Successes and failures</h3>
<table id="outcomes"><tr><th></th><th class="num">Successes</th><th class="num">Failures</th></tr>
{{range .Outcomes}}<tr><th>{{index . 0}}</th><td class="num">{{index . 1}}</td><td class="num">{{index . 2}}</td></tr>{{end}}</table>{{end}}
</section>
</div>
<h2>Over time</h2>
{{range .Charts}}{{.}}
{{end}}
<h2>Latency distribution</h2>
{{.Percentiles}}
<h2>Status codes</h2>
{{.Status}}
<section><table>{{range .StatusRows}}<tr><th>{{.Name}}</th><td class="num">{{.Value}}</td></tr>{{end}}</table></section>
{{template "target-profile" .}}{{if .Reasons}}<h2>Error reasons</h2>
<section id="reasons"><table><tr><th>Class</th><th>Reason</th><th class="num">Count</th></tr>
{{range .Reasons}}<tr><td>{{.Class}}</td><td>{{.Reason}}</td><td class="num">{{.Count}}</td></tr>{{end}}</table></section>{{end}}
{{if .Endpoints}}<h2>Endpoints</h2>
<section id="endpoints"><table><tr><th>Endpoint</th><th class="num">Requests</th><th class="num">Errors</th><th class="num">Req/sec</th><th>Statuses</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">Max</th><th class="num">OK p99</th><th class="num">Fail p99</th></tr>
{{range .Endpoints}}<tr><th>{{.Name}}</th><td class="num">{{.Requests}}</td><td class="num">{{.Errors}}</td><td class="num">{{.Rate}}</td><td>{{.Statuses}}</td><td class="num">{{.P50}}</td><td class="num">{{.P90}}</td><td class="num">{{.P99}}</td><td class="num">{{.Max}}</td><td class="num">{{.OKP99}}</td><td class="num">{{.FailP99}}</td></tr>{{end}}</table></section>
{{.EndpointChart}}{{end}}
{{if .Connect}}<h2>Connection timing</h2>
<section id="connect"><table><tr><th>Phase</th><th class="num">Count</th><th class="num">Mean</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">Max</th></tr>
{{range .Connect}}<tr><th>{{index . 0}}</th><td class="num">{{index . 1}}</td><td class="num">{{index . 2}}</td><td class="num">{{index . 3}}</td><td class="num">{{index . 4}}</td><td class="num">{{index . 5}}</td><td class="num">{{index . 6}}</td></tr>{{end}}</table></section>{{end}}
{{if .Sources}}<h2>Merged runs</h2>
<section id="sources"><table>{{range .Sources}}<tr><th>{{.Name}}</th><td>{{.Value}}</td></tr>{{end}}</table></section>{{end}}
<p class="sub">{{.Footer}}</p>
</main>
</body>
</html>
`))
