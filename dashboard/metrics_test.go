package dashboard

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/promexport"
)

// scrape reads /metrics as Prometheus does and returns the requests
// counter and the histogram's count.
func scrape(t *testing.T, base string) (requests float64, count uint64) {
	t.Helper()
	resp, err := http.Get(base + "metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("status %d, content type %q", resp.StatusCode, ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams[promexport.RequestsName].GetMetric()[0].GetCounter().GetValue(),
		fams[promexport.LatencyName].GetMetric()[0].GetHistogram().GetSampleCount()
}

func TestMetrics(t *testing.T) {
	s, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get(s.URL() + "metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without series: %d", resp.StatusCode)
	}

	res := sampleResult()
	c, err := promexport.New(&res.Config, promexport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetMetrics(c)
	lat := generator.NewLatencyHistogram()
	_ = lat.RecordValue(150)
	c.Interval(generator.IntervalData{Interval: res.Series[0], Config: &res.Config, Latency: lat, StatusCodes: map[int]uint64{200: 1000}})
	if n, count := scrape(t, s.URL()); n != 1000 || count != 1 {
		t.Errorf("during the run: %v requests, %d latency samples", n, count)
	}
	c.Finish(res)
	if n, count := scrape(t, s.URL()); n != 2001 || count != 2001 {
		t.Errorf("after the run: %v requests, %d latency samples", n, count)
	}
}
