package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/jsonschema"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/threshold"
)

func loadSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s, err := jsonschema.LoadStrict("../docs/json-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJSONValidatesAgainstSchema(t *testing.T) {
	schema := loadSchema(t)
	conds, _ := threshold.Parse("p99>200ms,errors>0.1%")
	empty := closedLoopResult()
	empty.Latency, empty.RequestRate = generator.NewLatencyHistogram(), generator.NewLatencyHistogram()
	empty.Requests, empty.Series, empty.StatusCodes = 0, nil, map[int]uint64{}
	startAt := closedLoopResult()
	startAt.Config.StartAt = startAt.Start.Add(-3 * time.Millisecond)
	startAt.StartOffset = 3 * time.Millisecond
	cases := map[string]struct {
		res *generator.Result
		d   Details
	}{
		"closed-loop":   {closedLoopResult(), Details{Version: "1.0"}},
		"start-at":      {startAt, Details{}},
		"constant-rate": {openLoopResult(false), Details{Percentiles: []float64{99.9, 50}}},
		"breakpoint":    {openLoopResult(true), Details{}},
		"empty":         {empty, Details{Thresholds: threshold.Evaluate(conds, summary.New(empty).Observation(), true)}},
		"merged":        {openLoopResult(false), Details{Sources: []summary.Source{{File: "a.hlog", URL: "http://x/", Start: time.Now(), Runtime: time.Second, Requests: 5}}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := JSON(&out, summary.New(tc.res), tc.d); err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(out.Bytes()); err != nil {
				t.Errorf("%v\n%s", err, out.String())
			}
			var doc map[string]any
			_ = json.Unmarshal(out.Bytes(), &doc)
			if name == "start-at" && (doc["start_offset_s"] != 0.003 || doc["start_at"] == nil) {
				t.Errorf("start_at %v, start_offset_s %v, want 0.003", doc["start_at"], doc["start_offset_s"])
			}
			if name == "closed-loop" && (doc["start_offset_s"] != nil || doc["start_at"] != nil) {
				t.Errorf("start_at %v, start_offset_s %v without --start-at", doc["start_at"], doc["start_offset_s"])
			}
			if doc["mode"] != name && name != "empty" && name != "start-at" {
				t.Errorf("mode %v, want %s", doc["mode"], name)
			}
		})
	}
}

func TestJSONContent(t *testing.T) {
	var out bytes.Buffer
	if err := JSON(&out, summary.New(openLoopResult(false)), Details{Percentiles: []float64{99, 50}}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Latency struct {
			Correction string
			Corrected  struct {
				Percentiles []struct{ Percentile float64 }
			}
			Uncorrected struct {
				MaxUS int64 `json:"max_us"`
			}
		}
		StatusCodes map[string]uint64 `json:"status_codes"`
		Schedule    struct{ Late uint64 }
		Errors      struct{ Total uint64 }
		Series      []struct {
			P99US  int64   `json:"p99_us"`
			Target float64 `json:"target_per_sec"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Latency.Correction != "schedule" || len(doc.Latency.Corrected.Percentiles) != 2 || doc.Latency.Corrected.Percentiles[0].Percentile != 50 {
		t.Errorf("latency %+v", doc.Latency)
	}
	if doc.Latency.Uncorrected.MaxUS != 499 || doc.StatusCodes["503"] != 40 || doc.Schedule.Late != 900 || doc.Errors.Total != 50 {
		t.Errorf("document %+v", doc)
	}
	if len(doc.Series) != 5 || doc.Series[2].P99US != 890_000 || doc.Series[0].Target != 1000 {
		t.Errorf("series %+v", doc.Series)
	}
}
