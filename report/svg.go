package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Chart geometry, in SVG user units; the SVG scales to the page's width.
const (
	chartWidth   = 860
	chartHeight  = 280
	marginLeft   = 78
	marginRight  = 36
	marginTop    = 34
	marginBottom = 44
)

// lineChart is a chart of one or more series over a shared x axis.
type lineChart struct {
	ID, Title      string
	XLabel, YLabel string
	Series         []series
	// FormatX and FormatY label the ticks.
	FormatX, FormatY func(float64) string
	// LogX plots x on a log10 scale; XTicks then lists the ticks to draw.
	LogX   bool
	XTicks []float64
	// XFromZero starts the x axis at 0 rather than at the first point.
	XFromZero bool
	// Markers are labelled vertical lines at an x value.
	Markers []marker
}

type series struct {
	Name, Color string
	Dashed      bool
	// Points with a NaN Y are gaps in the line.
	Points []point
}

type point struct{ X, Y float64 }

type marker struct {
	X     float64
	Label string
	Color string
}

// SVG renders the chart. Text is escaped here; the result is trusted HTML.
func (c lineChart) SVG() template.HTML {
	xmin, xmax, ymax := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range c.Series {
		for _, p := range s.Points {
			xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
			if !math.IsNaN(p.Y) {
				ymax = math.Max(ymax, p.Y)
			}
		}
	}
	if math.IsInf(xmin, 0) {
		xmin, xmax = 0, 1
	}
	if c.XFromZero {
		xmin = 0
	}
	if c.LogX && len(c.XTicks) > 0 {
		xmin, xmax = c.XTicks[0], math.Max(xmax, c.XTicks[len(c.XTicks)-1])
	}
	if xmax <= xmin {
		xmax = xmin + 1
	}
	yTicks := niceTicks(ymax)
	ytop := yTicks[len(yTicks)-1]
	plotW := float64(chartWidth - marginLeft - marginRight)
	plotH := float64(chartHeight - marginTop - marginBottom)
	tx := func(x float64) float64 {
		if c.LogX {
			return marginLeft + plotW*(math.Log10(x)-math.Log10(xmin))/(math.Log10(xmax)-math.Log10(xmin))
		}
		return marginLeft + plotW*(x-xmin)/(xmax-xmin)
	}
	ty := func(y float64) float64 { return marginTop + plotH*(1-y/ytop) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="%s" class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(c.ID), chartWidth, chartHeight, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<text class="title" x="%d" y="20">%s</text>`, marginLeft, html.EscapeString(c.Title))
	for _, y := range yTicks {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, marginLeft, chartWidth-marginRight, ty(y), ty(y))
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%s</text>`, marginLeft-6, ty(y)+4, html.EscapeString(c.FormatY(y)))
	}
	xTicks := c.XTicks
	if !c.LogX {
		xTicks = niceTicksBetween(xmin, xmax)
	}
	for i, x := range xTicks {
		if x < xmin || x > xmax {
			continue
		}
		anchor := "middle"
		if i == len(xTicks)-1 && tx(x) > chartWidth-marginRight-20 {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%d" y2="%.1f"/>`, tx(x), tx(x), marginTop, ty(0))
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, tx(x), ty(0)+16, anchor, html.EscapeString(c.FormatX(x)))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, marginLeft, chartWidth-marginRight, ty(0), ty(0))
	fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%d" text-anchor="middle">%s</text>`, marginLeft+plotW/2, chartHeight-6, html.EscapeString(c.XLabel))
	fmt.Fprintf(&b, `<text class="label" transform="translate(14 %.1f) rotate(-90)" text-anchor="middle">%s</text>`, marginTop+plotH/2, html.EscapeString(c.YLabel))
	for _, m := range c.Markers {
		if m.X < xmin || m.X > xmax {
			continue
		}
		fmt.Fprintf(&b, `<line class="marker" x1="%.1f" x2="%.1f" y1="%d" y2="%.1f" stroke="%s"/>`, tx(m.X), tx(m.X), marginTop, ty(0), m.Color)
		// The label goes left of the line in the right half, so it stays in.
		x, anchor := tx(m.X)+4, "start"
		if tx(m.X) > marginLeft+plotW/2 {
			x, anchor = tx(m.X)-4, "end"
		}
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%d" fill="%s" text-anchor="%s">%s</text>`, x, marginTop+12, m.Color, anchor, html.EscapeString(m.Label))
	}
	for _, s := range c.Series {
		var d strings.Builder
		pen := "M"
		for _, p := range s.Points {
			if math.IsNaN(p.Y) || (c.LogX && p.X <= 0) {
				pen = "M"
				continue
			}
			fmt.Fprintf(&d, "%s%.1f %.1f ", pen, tx(p.X), ty(p.Y))
			pen = "L"
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="6 4"`
		}
		fmt.Fprintf(&b, `<path class="series" d="%s" stroke="%s"%s><title>%s</title></path>`, strings.TrimSpace(d.String()), s.Color, dash, html.EscapeString(s.Name))
	}
	// The legend, right-aligned above the plot.
	x := float64(chartWidth - marginRight)
	for i := len(c.Series) - 1; i >= 0; i-- {
		s := c.Series[i]
		x -= float64(len(s.Name))*7 + 34
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="16" y2="16" stroke="%s" stroke-width="3"/>`, x, x+18, s.Color)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="20">%s</text>`, x+22, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceTicks divides [0, max] into about five round steps and returns the
// ticks from 0 to the first tick at or above max.
func niceTicks(max float64) []float64 {
	if max <= 0 || math.IsNaN(max) || math.IsInf(max, 0) {
		return []float64{0, 1}
	}
	step := niceStep(max / 5)
	var ticks []float64
	for i := 0.0; ; i++ {
		ticks = append(ticks, i*step)
		if i*step >= max {
			return ticks
		}
	}
}

// niceTicksBetween returns round ticks within [lo, hi].
func niceTicksBetween(lo, hi float64) []float64 {
	step := niceStep((hi - lo) / 6)
	var ticks []float64
	for i := math.Ceil(lo / step); i*step <= hi+step*1e-9; i++ {
		ticks = append(ticks, i*step)
	}
	return ticks
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}
