package report

import (
	"html/template"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
)

// LiveCharts are the over-time charts of a run in progress, for the live
// dashboard: res needs only the configuration and the series so far.
func LiveCharts(res *generator.Result, mon []sysstat.Series) []template.HTML {
	charts := []template.HTML{rateChart(res).SVG(), errorChart(res).SVG(), latencyOverTime(res).SVG()}
	return append(charts, resourceCharts(res, mon)...)
}

// Charts are every chart of the HTML report, in its order.
func Charts(run *summary.Run, d Details) []template.HTML {
	p := buildPage(run, d)
	return append(p.Charts, p.Percentiles, p.Status)
}
