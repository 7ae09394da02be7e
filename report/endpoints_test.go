package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/summary"
)

// workloadResult is a staged, per-endpoint run with errors of two classes.
func workloadResult() *generator.Result {
	res := openLoopResult(false)
	res.Config.Pacer = pace.Staged([]pace.Stage{{Duration: 2 * time.Second, Target: 500}, {Duration: 2 * time.Second, Target: 2000}})
	res.Runtime = 4 * time.Second
	list, insert := generator.NewLatencyHistogram(), generator.NewLatencyHistogram()
	for i := int64(1); i <= 100; i++ {
		_ = list.RecordValue(i * 100)
		_ = insert.RecordValue(i * 1000)
	}
	res.Endpoints = []generator.EndpointResult{
		{Name: "GET /posts", Requests: 100, StatusCodes: map[int]uint64{200: 100}, Latency: list},
		{Name: "POST /posts", Requests: 100, Errors: 3, StatusCodes: map[int]uint64{201: 97, 503: 3}, Latency: insert},
	}
	res.ErrorReasons = []generator.ErrorReason{
		{Class: generator.ClassRead, Reason: "connection reset by peer", Count: 7},
		{Class: generator.ClassStatus, Reason: "HTTP 503", Count: 3},
	}
	return res
}

// Latencies are HdrHistogram's, so 99ms reads as the top of its bucket.
func TestEndpointsAndReasonsText(t *testing.T) {
	run := summary.New(workloadResult())
	var out bytes.Buffer
	if err := EndpointsText(&out, run); err != nil {
		t.Fatal(err)
	}
	want := "  Endpoint      Requests   Errors    Req/Sec       p50       p90       p99       Max\n" +
		"  GET /posts         100        0      25.00    5.00ms    9.01ms    9.90ms   10.01ms\n" +
		"  POST /posts        100        3      25.00   50.01ms   90.05ms   99.01ms  100.03ms\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
	out.Reset()
	if err := ReasonsText(&out, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "    read     connection reset by peer") || !strings.Contains(out.String(), "HTTP 503") {
		t.Errorf("reasons:\n%s", out.String())
	}
	// Nothing to print, nothing printed.
	out.Reset()
	empty := summary.New(closedLoopResult())
	if EndpointsText(&out, empty) != nil || ReasonsText(&out, empty) != nil || out.Len() != 0 {
		t.Errorf("printed %q for a run without endpoints or errors", out.String())
	}
}

func TestEndpointsJSON(t *testing.T) {
	schema := loadSchema(t)
	var out bytes.Buffer
	if err := JSON(&out, summary.New(workloadResult()), Details{}); err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(out.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var doc struct {
		Mode   string
		Config struct {
			Stages []struct {
				DurationS float64 `json:"duration_s"`
				Target    float64
			}
		}
		Errors struct {
			Reasons []struct{ Class, Reason string }
		}
		Endpoints []struct {
			Name  string
			P99US int64 `json:"p99_us"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Mode != "stages" || len(doc.Config.Stages) != 2 || doc.Config.Stages[1].Target != 2000 {
		t.Errorf("mode %s, stages %+v", doc.Mode, doc.Config.Stages)
	}
	if len(doc.Endpoints) != 2 || doc.Endpoints[1].Name != "POST /posts" || doc.Endpoints[1].P99US != 99007 {
		t.Errorf("endpoints %+v", doc.Endpoints)
	}
	if len(doc.Errors.Reasons) != 2 || doc.Errors.Reasons[0].Class != "read" {
		t.Errorf("reasons %+v", doc.Errors.Reasons)
	}
}

func TestEndpointsHTML(t *testing.T) {
	res := workloadResult()
	res.Config.Pacer = pace.Pacer{}
	res.Corrected = nil
	res.Config.ConnStages = []pace.Stage{{Duration: time.Second, Target: 10}}
	var out bytes.Buffer
	if err := HTML(&out, summary.New(res), Details{}); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{`<svg id="chart-endpoints"`, `<svg id="chart-connections"`, "<th>POST /posts</th>", "201: 97, 503: 3", "connection reset by peer", "stages 1s:10"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
