package report

import (
	"html/template"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
)

// LiveCharts are the charts of a run in progress, for the live dashboard:
// res needs only the configuration, the series so far and the status codes
// counted so far; the socket errors come from the series.
func LiveCharts(res *generator.Result, mon []sysstat.Series) []template.HTML {
	charts := []template.HTML{rateChart(res).SVG(), errorChart(res).SVG(), latencyOverTime(res).SVG()}
	var noResponse uint64
	for _, iv := range res.Series {
		noResponse += iv.SocketErrors
	}
	status, _ := statusChart(res.StatusCodes, noResponse)
	charts = append(charts, status)
	return append(charts, resourceCharts(res, mon)...)
}

// Charts are every chart of the HTML report, in its order.
func Charts(run *summary.Run, d Details) []template.HTML {
	p := buildPage(run, d)
	return append(p.Charts, p.Percentiles, p.Status)
}
