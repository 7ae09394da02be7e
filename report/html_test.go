package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/threshold"
)

// chartIDs are the charts every report has.
var chartIDs = []string{"chart-rate", "chart-errors", "chart-latency", "chart-percentiles", "chart-status"}

func TestHTMLIsSelfContained(t *testing.T) {
	conds, _ := threshold.Parse("p99>200ms")
	res := openLoopResult(true)
	var out bytes.Buffer
	if err := HTML(&out, summary.New(res), Details{Thresholds: threshold.Evaluate(conds, summary.New(res).Observation(), true)}); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, id := range chartIDs {
		if !strings.Contains(page, `<svg id="`+id+`" class="chart"`) {
			t.Errorf("no %s chart", id)
		}
	}
	// Nothing is fetched: no scripts, no links, no URLs but the SVG namespace
	// and the tested target's, which is only text.
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, u := range regexp.MustCompile(`https?://[^"<\s]+`).FindAllString(page, -1) {
		if u != "http://www.w3.org/2000/svg" && !strings.HasPrefix(u, "http://127.0.0.1:8080/api") {
			t.Errorf("page refers to %s", u)
		}
	}
	for _, want := range []string{"Highest rate sustained: <b>1.10k requests/sec</b>", "p99&gt;200ms", "broken", "breakpoint 1.10k/s", "Sent late"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// A run without a single response still renders.
func TestHTMLWithoutData(t *testing.T) {
	res := closedLoopResult()
	res.Latency, res.RequestRate = generator.NewLatencyHistogram(), generator.NewLatencyHistogram()
	res.Requests, res.Series, res.StatusCodes = 0, nil, map[int]uint64{}
	var out bytes.Buffer
	if err := HTML(&out, summary.New(res), Details{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "NaN") || strings.Contains(out.String(), "Inf") {
		t.Errorf("page prints NaN or Inf")
	}
}
