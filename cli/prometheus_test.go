package cli

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testnginx"
	"github.com/gowrk/gowrk/internal/testprom"
	"github.com/gowrk/gowrk/internal/testserver"
)

// A run pushed to a real Prometheus: what Prometheus holds at the end is
// the JSON report's figures exactly, and pushes arrived during the run.
func TestPrometheusRemoteWrite(t *testing.T) {
	prom := testprom.Start(t)
	srv := testnginx.Start(t, `location /missing { return 404; }`)
	targets := writeFile(t, "targets.txt", "GET "+srv.URL+"/\n\nGET "+srv.URL+"/missing\n")
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	start := time.Now()
	code, _, stderr := runMain("-q", "-c", "4", "-t", "2", "-d", "3", "-R", "1k", "--targets", targets,
		"--json", jsonPath, "--prometheus-rw", prom.URL+testprom.WritePath)
	if code != 0 || withoutVerdict(stderr) != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	t.Logf("run and final push: %s", time.Since(start).Round(time.Millisecond))
	var doc struct {
		Requests    uint64
		Errors      map[string]any
		StatusCodes map[string]uint64 `json:"status_codes"`
		Latency     struct {
			Corrected struct{ Count uint64 }
		}
		Endpoints []struct {
			Name     string
			Requests uint64
		}
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.StatusCodes["200"] == 0 || doc.StatusCodes["404"] == 0 || len(doc.Endpoints) != 2 {
		t.Fatalf("want 200s and 404s from two endpoints: %s", data)
	}

	want := func(expr string, v float64) {
		t.Helper()
		if got := prom.Value(t, expr); got != v {
			t.Errorf("%s = %v, JSON report %v", expr, got, v)
		}
	}
	want("gowrk_requests_total", float64(doc.Requests))
	want("gowrk_latency_seconds_count", float64(doc.Latency.Corrected.Count))
	want(`gowrk_latency_seconds_bucket{le="+Inf"}`, float64(doc.Latency.Corrected.Count))
	statuses := prom.Query(t, "gowrk_responses_total")
	if len(statuses) != len(doc.StatusCodes) {
		t.Errorf("status series %v, JSON report %v", statuses, doc.StatusCodes)
	}
	for _, s := range statuses {
		if n, ok := doc.StatusCodes[s.Metric["status"]]; !ok || float64(n) != s.Value {
			t.Errorf("gowrk_responses_total%v = %v, JSON report %v", s.Metric, s.Value, doc.StatusCodes)
		}
	}
	classes := prom.Query(t, "gowrk_errors_total")
	if len(classes) != 7 {
		t.Errorf("error series %v", classes)
	}
	for _, s := range classes {
		n, ok := doc.Errors[s.Metric["class"]].(float64)
		if !ok || n != s.Value {
			t.Errorf("gowrk_errors_total%v = %v, JSON report %v", s.Metric, s.Value, doc.Errors[s.Metric["class"]])
		}
	}
	for _, e := range doc.Endpoints {
		want(`gowrk_endpoint_requests_total{endpoint="`+e.Name+`"}`, float64(e.Requests))
	}
	if rate := prom.Value(t, "gowrk_target_requests_per_second"); math.Abs(rate-1000) > 1 {
		t.Errorf("target rate %v, want 1000", rate)
	}

	// Pushes during the run: samples before the final one, with fewer
	// requests.
	samples := prom.Value(t, "count_over_time(gowrk_requests_total[5m])")
	least := prom.Value(t, "min_over_time(gowrk_requests_total[5m])")
	t.Logf("%v samples of gowrk_requests_total", samples)
	if samples < 3 || least <= 0 || least >= float64(doc.Requests) {
		t.Errorf("%v samples of gowrk_requests_total, the least %v (final %d): want live pushes before the final one", samples, least, doc.Requests)
	}
}

// A receiver that is not there: the run goes on, and one line after it
// counts the failed pushes; the exit status is the run's.
func TestPrometheusPushFailures(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	start := time.Now()
	code, stdout, stderr := runMain("-q", "-c", "2", "-t", "1", "-d", "2", "--prometheus-rw", "http://127.0.0.1:1/api/v1/write", srv.URL)
	m := regexp.MustCompile(`^gowrk: prometheus remote write: (\d+) of (\d+) pushes failed: .*connection refused\n$`).FindStringSubmatch(withoutVerdict(stderr))
	if code != 0 || m == nil || m[1] != m[2] || !strings.Contains(stdout, "Requests/sec:") {
		t.Errorf("exit %d, stderr %q; want 0 and one line counting every push failed", code, stderr)
	}
	if d := time.Since(start); d > 2*time.Second+finalPushTimeout {
		t.Errorf("the run took %s", d)
	}
}

// The dashboard's /metrics: the live figures during the run, the JSON
// report's after it.
func TestDashboardMetrics(t *testing.T) {
	srv := testserver.Start(t, false, func(n int64, _ *fasthttp.Request) testserver.Reply {
		if n%3 == 0 {
			return testserver.Status(500)
		}
		return testserver.OK
	})
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	base, stderr, done := startDashboardRun(t, "-t1", "-c2", "-d2s", "-q", "--dashboard-linger", "2s", "--json", jsonPath, srv.URL)
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if path == "metrics" && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
			t.Errorf("content type %q", resp.Header.Get("Content-Type"))
		}
		return resp.StatusCode, string(body)
	}
	scrape := func() map[string]*dto.MetricFamily {
		_, body := get("metrics")
		p := expfmt.NewTextParser(model.LegacyValidation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%v in\n%s", err, body)
		}
		return fams
	}
	live := 0.0
	for deadline := time.Now().Add(5 * time.Second); live == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		live = scrape()["gowrk_requests_total"].GetMetric()[0].GetCounter().GetValue()
	}
	if live == 0 {
		t.Fatal("no requests on /metrics during the run")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _ := get("report"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the run did not end")
		}
	}
	fams := scrape()
	var doc struct {
		Requests    uint64
		StatusCodes map[string]uint64 `json:"status_codes"`
		Errors      struct{ Status uint64 }
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if got := fams["gowrk_requests_total"].GetMetric()[0].GetCounter().GetValue(); got != float64(doc.Requests) || got < live {
		t.Errorf("final requests %v, JSON report %d, live %v", got, doc.Requests, live)
	}
	for _, m := range fams["gowrk_responses_total"].GetMetric() {
		status := m.GetLabel()[0].GetValue()
		if m.GetCounter().GetValue() != float64(doc.StatusCodes[status]) {
			t.Errorf("status %s: %v, JSON report %v", status, m.GetCounter().GetValue(), doc.StatusCodes)
		}
	}
	if len(fams["gowrk_responses_total"].GetMetric()) != 2 || doc.Errors.Status == 0 {
		t.Errorf("statuses %v, status errors %d", fams["gowrk_responses_total"], doc.Errors.Status)
	}
	for _, m := range fams["gowrk_errors_total"].GetMetric() {
		if m.GetLabel()[0].GetValue() == "status" && m.GetCounter().GetValue() != float64(doc.Errors.Status) {
			t.Errorf("status errors %v, JSON report %d", m.GetCounter().GetValue(), doc.Errors.Status)
		}
	}
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

// A shard's series say which shard they are; a whole run's carry no label.
func TestSeriesShardLabel(t *testing.T) {
	for shard, want := range map[generator.Shard]string{{Index: 1, Count: 3}: "2/3", {}: ""} {
		var wt watcher
		cfg := generator.Config{Shard: shard}
		if err := wt.startSeries(&cfg); err != nil {
			t.Fatal(err)
		}
		if cfg.OnInterval == nil {
			t.Fatal("the series are not fed")
		}
		var got string
		for _, l := range wt.series.Families()[0].Series[0].Labels {
			if l.Name == "shard" {
				got = l.Value
			}
		}
		if got != want {
			t.Errorf("shard %+v: label %q, want %q", shard, got, want)
		}
	}
}
