package report

import (
	"fmt"
	"html/template"
	"path/filepath"
	"time"

	"github.com/gowrk/gowrk/targetprofile"
	"github.com/gowrk/gowrk/units"
)

// TargetProfile is the target's CPU profile that --profile-target took
// during the run, or why there is none.
type TargetProfile struct {
	// URL is the endpoint asked.
	URL string
	// File is where the profile was saved as served; "" when it failed.
	File string
	// Start is when the profile began, from the start of the measured
	// run; Seconds how long it lasted.
	Start   time.Duration
	Seconds int
	Summary targetprofile.Summary
	// Failed says why there is no profile; "" when there is one.
	Failed string
}

type jsonCPUProfile struct {
	URL     string                `json:"url"`
	File    string                `json:"file,omitempty"`
	StartS  float64               `json:"start_s"`
	Seconds int                   `json:"seconds"`
	CPUS    *float64              `json:"cpu_s,omitempty"`
	Samples *int64                `json:"samples,omitempty"`
	Top     []jsonProfileFunction `json:"top,omitempty"`
	Error   string                `json:"error,omitempty"`
}

type jsonProfileFunction struct {
	Function string  `json:"function"`
	FlatS    float64 `json:"flat_s"`
	FlatPct  float64 `json:"flat_pct"`
	CumS     float64 `json:"cum_s"`
	CumPct   float64 `json:"cum_pct"`
}

func targetProfileJSON(tp *TargetProfile) *jsonCPUProfile {
	if tp == nil {
		return nil
	}
	j := &jsonCPUProfile{URL: tp.URL, StartS: tp.Start.Seconds(), Seconds: tp.Seconds, Error: tp.Failed}
	if tp.Failed != "" {
		return j
	}
	s := tp.Summary
	cpu, samples := s.Total.Seconds(), s.Samples
	j.File, j.CPUS, j.Samples = tp.File, &cpu, &samples
	j.Top = make([]jsonProfileFunction, 0, len(s.Top))
	for _, f := range s.Top {
		j.Top = append(j.Top, jsonProfileFunction{Function: f.Name,
			FlatS: f.Flat.Seconds(), FlatPct: 100 * s.FlatShare(f), CumS: f.Cum.Seconds(), CumPct: 100 * s.CumShare(f)})
	}
	return j
}

type targetProfileView struct {
	URL, Window, File, CPU, Failed string
	Top                            [][4]string // flat, flat%, cum%, function
}

func targetProfileHTML(tp *TargetProfile) *targetProfileView {
	if tp == nil {
		return nil
	}
	v := &targetProfileView{URL: tp.URL, Failed: tp.Failed,
		Window: fmt.Sprintf("%ds, from %s to %s of the measured run", tp.Seconds, formatSeconds(tp.Start.Seconds()),
			formatSeconds((tp.Start + time.Duration(tp.Seconds)*time.Second).Seconds()))}
	if tp.Failed != "" {
		return v
	}
	s := tp.Summary
	// The profile lies beside the report, so its base name links to it.
	v.File = filepath.Base(tp.File)
	v.CPU = fmt.Sprintf("%s of CPU in %d samples, %.2f cores on average", units.FormatTime(float64(s.Total/time.Microsecond)),
		s.Samples, s.Total.Seconds()/float64(max(tp.Seconds, 1)))
	pct := func(x float64) string { return fmt.Sprintf("%.2f%%", 100*x) }
	for _, f := range s.Top {
		v.Top = append(v.Top, [4]string{units.FormatTime(float64(f.Flat / time.Microsecond)), pct(s.FlatShare(f)), pct(s.CumShare(f)), f.Name})
	}
	return v
}

const targetProfileTemplate = `{{with .TargetProfile}}<h2>Target CPU profile</h2>
<section id="target-profile">
<p>{{.URL}}: {{.Window}}{{if .Failed}}, not captured: {{.Failed}}{{else}}; {{.CPU}}. Saved as <a href="{{.File}}">{{.File}}</a> (<code>go tool pprof -http=: {{.File}}</code>).{{end}}</p>
{{if .Top}}<table><tr><th class="num">Flat</th><th class="num">Flat%</th><th class="num">Cum%</th><th>Function</th></tr>
{{range .Top}}<tr><td class="num">{{index . 0}}</td><td class="num">{{index . 1}}</td><td class="num">{{index . 2}}</td><td>{{index . 3}}</td></tr>{{end}}</table>{{end}}
</section>{{end}}
`

// The section is its own template, run from the page's.
var _ = template.Must(page.New("target-profile").Parse(targetProfileTemplate))
