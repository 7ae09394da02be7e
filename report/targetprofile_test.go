package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/targetprofile"
)

func sampleTargetProfile() *TargetProfile {
	return &TargetProfile{
		URL: "http://127.0.0.1:8080/debug/pprof/", File: "out/run.target.pprof", Start: time.Second, Seconds: 8,
		Summary: targetprofile.Summary{Total: 4 * time.Second, Samples: 400, Top: []targetprofile.Function{
			{Name: "main.hash", Flat: 3 * time.Second, Cum: 3 * time.Second},
			{Name: "main.(*server).<handle>", Flat: 500 * time.Millisecond, Cum: 4 * time.Second},
		}},
	}
}

func TestTargetProfileHTML(t *testing.T) {
	var out bytes.Buffer
	if err := HTML(&out, summary.New(closedLoopResult()), Details{TargetProfile: sampleTargetProfile()}); err != nil {
		t.Fatal(err)
	}
	page := out.String()
	for _, want := range []string{
		`<section id="target-profile">`,
		"http://127.0.0.1:8080/debug/pprof/: 8s, from 1s to 9s of the measured run; 4.00s of CPU in 400 samples, 0.50 cores on average",
		`<a href="run.target.pprof">run.target.pprof</a>`,
		`<td class="num">3.00s</td><td class="num">75.00%</td><td class="num">75.00%</td><td>main.hash</td>`,
		`<td class="num">12.50%</td><td class="num">100.00%</td><td>main.(*server).&lt;handle&gt;</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	failed := &TargetProfile{URL: "http://h/debug/pprof/profile", Start: time.Second, Seconds: 8, Failed: "http://h/debug/pprof/profile?seconds=8 answered 404 Not Found"}
	out.Reset()
	if err := HTML(&out, summary.New(closedLoopResult()), Details{TargetProfile: failed}); err != nil {
		t.Fatal(err)
	}
	if page := out.String(); !strings.Contains(page, "8s, from 1s to 9s of the measured run, not captured: http://h/debug/pprof/profile?seconds=8 answered 404 Not Found") || strings.Contains(page, "<th>Function</th>") {
		t.Error("a failed profile's section does not say why, or lists functions")
	}
	out.Reset()
	if err := HTML(&out, summary.New(closedLoopResult()), Details{}); err != nil || strings.Contains(out.String(), "target-profile") {
		t.Errorf("a section without a profile: %v", err)
	}
}

func TestTargetProfileJSON(t *testing.T) {
	schema := loadSchema(t)
	for name, tp := range map[string]*TargetProfile{
		"taken":  sampleTargetProfile(),
		"failed": {URL: "http://h/debug/pprof/", Start: time.Second, Seconds: 8, Failed: "connection refused"},
	} {
		var out bytes.Buffer
		if err := JSON(&out, summary.New(closedLoopResult()), Details{TargetProfile: tp}); err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(out.Bytes()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		var doc struct {
			TargetProfile map[string]any `json:"target_profile"`
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		enc := json.NewEncoder(&got)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc.TargetProfile); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"taken":  `{"cpu_s":4,"file":"out/run.target.pprof","samples":400,"seconds":8,"start_s":1,"top":[{"cum_pct":75,"cum_s":3,"flat_pct":75,"flat_s":3,"function":"main.hash"},{"cum_pct":100,"cum_s":4,"flat_pct":12.5,"flat_s":0.5,"function":"main.(*server).<handle>"}],"url":"http://127.0.0.1:8080/debug/pprof/"}`,
			"failed": `{"error":"connection refused","seconds":8,"start_s":1,"url":"http://h/debug/pprof/"}`,
		}[name]
		if strings.TrimSpace(got.String()) != want {
			t.Errorf("%s: target_profile\n%s\nwant\n%s", name, got.String(), want)
		}
	}
}
