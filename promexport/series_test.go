package promexport

import (
	"sort"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/generator"
)

// flat is fams' series by name and labels, e.g.
// `gowrk_errors_total{class="read",shard="1/2"}`.
func flat(fams []Family) map[string]float64 {
	out := map[string]float64{}
	for _, f := range fams {
		for _, s := range f.Series {
			out[seriesKey(s.Name, s.Labels)] = s.Value
		}
	}
	return out
}

func seriesKey(name string, labels []Label) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l.Name + `="` + l.Value + `"`
	}
	return name + "{" + strings.Join(parts, ",") + "}"
}

func TestFamilies(t *testing.T) {
	s := State{
		Requests:    10,
		Errors:      generator.Errors{Connect: 1, Read: 2, Write: 3, Timeout: 4, Status: 5, Reset: 6},
		StatusCodes: map[int]uint64{503: 5, 200: 5},
	}
	s.Latency.Add(latencies(900, 1100))
	shard := []Label{{"shard", "1/2"}}
	fams := s.Families(shard)
	var names []string
	for _, f := range fams {
		names = append(names, f.Name+":"+f.Type)
		for _, series := range f.Series {
			sorted := sort.SliceIsSorted(series.Labels, func(i, j int) bool { return series.Labels[i].Name < series.Labels[j].Name })
			if !strings.HasPrefix(series.Name, f.Name) || !sorted {
				t.Errorf("series %+v in family %s", series, f.Name)
			}
		}
	}
	if got := strings.Join(names, " "); got != "gowrk_requests_total:counter gowrk_errors_total:counter gowrk_responses_total:counter gowrk_latency_seconds:histogram" {
		t.Errorf("families %s", got)
	}
	got := flat(fams)
	for key, v := range map[string]float64{
		`gowrk_requests_total{shard="1/2"}`:                     10,
		`gowrk_errors_total{class="connect",shard="1/2"}`:       1,
		`gowrk_errors_total{class="read",shard="1/2"}`:          2,
		`gowrk_errors_total{class="write",shard="1/2"}`:         3,
		`gowrk_errors_total{class="timeout",shard="1/2"}`:       4,
		`gowrk_errors_total{class="status",shard="1/2"}`:        5,
		`gowrk_errors_total{class="reset",shard="1/2"}`:         6,
		`gowrk_responses_total{shard="1/2",status="200"}`:       5,
		`gowrk_responses_total{shard="1/2",status="503"}`:       5,
		`gowrk_latency_seconds_bucket{le="0.001",shard="1/2"}`:  1,
		`gowrk_latency_seconds_bucket{le="0.0025",shard="1/2"}`: 2,
		`gowrk_latency_seconds_bucket{le="+Inf",shard="1/2"}`:   2,
		`gowrk_latency_seconds_count{shard="1/2"}`:              2,
		`gowrk_latency_seconds_sum{shard="1/2"}`:                0.002,
	} {
		if got[key] != v {
			t.Errorf("%s = %v, want %v", key, got[key], v)
		}
	}
	if r := fams[2].Series; r[0].Labels[1].Value != "200" || r[1].Labels[1].Value != "503" {
		t.Errorf("status codes out of order: %+v", r)
	}

	s.OpenLoop, s.Target = true, 250
	s.Endpoints = []Endpoint{{Name: `GET /a"b`, Requests: 3, Errors: 1, StatusCodes: map[int]uint64{200: 2, 404: 1}}}
	s.Endpoints[0].Latency.Add(latencies(100))
	fams = s.Families(nil)
	if len(fams) != 9 || fams[4].Name != TargetName || fams[4].Type != "gauge" || !strings.Contains(fams[3].Help, "scheduled send time") {
		t.Fatalf("open-loop families %+v", fams)
	}
	got = flat(fams)
	for key, v := range map[string]float64{
		`gowrk_target_requests_per_second{}`:                                     250,
		`gowrk_endpoint_requests_total{endpoint="GET /a"b"}`:                     3,
		`gowrk_endpoint_errors_total{endpoint="GET /a"b"}`:                       1,
		`gowrk_endpoint_responses_total{endpoint="GET /a"b",status="404"}`:       1,
		`gowrk_endpoint_latency_seconds_bucket{endpoint="GET /a"b",le="0.0001"}`: 1,
		`gowrk_endpoint_latency_seconds_count{endpoint="GET /a"b"}`:              1,
	} {
		if got[key] != v {
			t.Errorf("%s = %v, want %v", key, got[key], v)
		}
	}
}
