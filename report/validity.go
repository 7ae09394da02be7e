package report

import (
	"html/template"

	"github.com/gowrk/gowrk/validity"
)

type jsonValidity struct {
	Verdict string              `json:"verdict"`
	Checks  []jsonValidityCheck `json:"checks"`
}

type jsonValidityCheck struct {
	Name    string             `json:"name"`
	Status  string             `json:"status"`
	Detail  string             `json:"detail"`
	Figures map[string]float64 `json:"figures"`
}

func validityJSON(v *validity.Verdict) *jsonValidity {
	if v == nil {
		return nil
	}
	out := &jsonValidity{Verdict: v.Status, Checks: make([]jsonValidityCheck, 0, len(v.Checks))}
	for _, c := range v.Checks {
		figures := make(map[string]float64, len(c.Figures))
		for _, f := range c.Figures {
			figures[f.Name] = f.Value
		}
		out.Checks = append(out.Checks, jsonValidityCheck{Name: c.Name, Status: c.Status.String(), Detail: c.Detail, Figures: figures})
	}
	return out
}

type validityView struct {
	Verdict string
	Checks  []validityCheckView
}

type validityCheckView struct {
	Name, Status, Detail string
	// Class is the status cell's style class.
	Class string
}

var statusClasses = map[validity.Status]string{validity.Pass: "ok", validity.Warn: "warn", validity.Fail: "broken", validity.NotApplicable: "na"}

func validityHTML(v *validity.Verdict) *validityView {
	if v == nil {
		return nil
	}
	out := &validityView{Verdict: v.Status}
	for _, c := range v.Checks {
		out.Checks = append(out.Checks, validityCheckView{Name: c.Name, Status: c.Status.String(), Detail: c.Detail, Class: statusClasses[c.Status]})
	}
	return out
}

// The verdict colours the section's edge (validityStyle) and each
// check's status cell.
const validityTemplate = `{{with .Validity}}<section class="card validity {{.Verdict}}" id="validity">
<h2>Validity: {{.Verdict}}</h2>
<table>{{range .Checks}}<tr><th>{{.Name}}</th><td class="{{.Class}}">{{.Status}}</td><td>{{.Detail}}</td></tr>{{end}}</table>
</section>{{end}}`

// validityStyle is the section's part of the page's style sheet.
const validityStyle = `.validity { border-left: 4px solid #16a34a; margin-bottom: 16px; }
.validity.suspect { border-left-color: #ca8a04; }
.validity.invalid { border-left-color: #dc2626; }
.warn { color: #a16207; font-weight: 600; }
.na { color: #64748b; }
`

// The section and its style are their own templates, run from the page's.
var (
	_ = template.Must(page.New("validity").Parse(validityTemplate))
	_ = template.Must(page.New("validity-style").Parse(validityStyle))
)
