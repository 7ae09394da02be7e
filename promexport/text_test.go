package promexport

import (
	"bytes"
	"math"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// parseText reads the text format as Prometheus does.
func parseText(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, text)
	}
	return fams
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestWriteTextParses(t *testing.T) {
	s := State{OpenLoop: true, Requests: 1234567890123, Target: 12.5, StatusCodes: map[int]uint64{200: 3}}
	s.Latency.Add(latencies(90, 2000, 99_000_000))
	s.Endpoints = []Endpoint{{Name: "GET /a\"b\\c\nd", Requests: 3}}
	var b bytes.Buffer
	if err := WriteText(&b, s.Families([]Label{{"shard", "1/2"}})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "gowrk_requests_total{shard=\"1/2\"} 1234567890123\n") {
		t.Errorf("a counter not written in full:\n%s", b.String())
	}
	fams := parseText(t, b.String())
	if f := fams[RequestsName]; f.GetType() != dto.MetricType_COUNTER || f.Metric[0].GetCounter().GetValue() != 1234567890123 || labelsOf(f.Metric[0])["shard"] != "1/2" {
		t.Errorf("requests %v", f)
	}
	if f := fams[TargetName]; f.GetType() != dto.MetricType_GAUGE || f.Metric[0].GetGauge().GetValue() != 12.5 {
		t.Errorf("target %v", f)
	}
	if f := fams[ErrorsName]; len(f.GetMetric()) != 7 {
		t.Errorf("errors %v", f)
	}
	f := fams[LatencyName]
	if f.GetType() != dto.MetricType_HISTOGRAM || !strings.Contains(f.GetHelp(), "corrected") {
		t.Fatalf("latency %v", f)
	}
	h := f.Metric[0].GetHistogram()
	if h.GetSampleCount() != 3 || len(h.GetBucket()) != len(bounds)+1 {
		t.Errorf("histogram %v", h)
	}
	for _, bk := range h.GetBucket() {
		want := uint64(2)
		switch {
		case bk.GetUpperBound() < 0.0001:
			t.Errorf("bucket %v", bk)
		case bk.GetUpperBound() < 0.0025:
			want = 1
		case math.IsInf(bk.GetUpperBound(), 1):
			want = 3
		}
		if bk.GetCumulativeCount() != want {
			t.Errorf("le=%v: %d, want %d", bk.GetUpperBound(), bk.GetCumulativeCount(), want)
		}
	}
	if math.Abs(h.GetSampleSum()-99.00209) > 0.1 {
		t.Errorf("sum %v", h.GetSampleSum())
	}
	ep := fams[EndpointRequestsName]
	if got := labelsOf(ep.GetMetric()[0])["endpoint"]; got != "GET /a\"b\\c\nd" {
		t.Errorf("endpoint label %q", got)
	}
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 3: "3", 1e14: "100000000000000", 1e20: "1e+20", 0.25: "0.25", math.Inf(1): "+Inf", -1.5: "-1.5"} {
		if got := formatValue(v); got != want {
			t.Errorf("formatValue(%v) = %q, want %q", v, got, want)
		}
	}
	if got := formatValue(math.NaN()); got != "NaN" {
		t.Errorf("NaN: %q", got)
	}
}
