package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/compare"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/units"
)

const compareUsage = "usage: gowrk compare [--json F] [--fail-on C] [--strict] <baseline.json> <run.json>..."

// seriesInterval, when set, replaces the generator's one-second series
// buckets: tests shorten it so that a run of two seconds has enough
// intervals to compare.
var seriesInterval time.Duration

// compareMetric is a figure compare judges, read from each full series
// interval of a report.
type compareMetric struct {
	name, label string
	latency     bool // µs; else requests/s
	value       func(compareInterval) float64
}

var compareMetrics = []compareMetric{
	{"rps", "requests/s", false, func(iv compareInterval) float64 { return iv.RequestsPerSec }},
	{"p50", "p50", true, func(iv compareInterval) float64 { return float64(iv.P50US) }},
	{"p90", "p90", true, func(iv compareInterval) float64 { return float64(iv.P90US) }},
	{"p99", "p99", true, func(iv compareInterval) float64 { return float64(iv.P99US) }},
}

func compareMetricNames() []string {
	names := make([]string, len(compareMetrics))
	for i, m := range compareMetrics {
		names[i] = m.name
	}
	return names
}

// compareConditionsValue is compare's --fail-on ("p99>+10%,rps<-5%").
type compareConditionsValue struct{ c *[]compare.Condition }

func (v compareConditionsValue) String() string { return "" }
func (v compareConditionsValue) Type() string   { return "CONDITIONS" }
func (v compareConditionsValue) Set(s string) error {
	conds, err := compare.ParseConditions(s, compareMetricNames())
	if err != nil {
		return err
	}
	*v.c = conds
	return nil
}

// compareInput is what compare reads of a gowrk JSON report.
type compareInput struct {
	path          string
	SchemaVersion int    `json:"schema_version"`
	Tool          string `json:"tool"`
	Workload      string `json:"workload"`
	Config        struct {
		SeriesIntervalS float64 `json:"series_interval_s"`
	} `json:"config"`
	Series *[]compareInterval `json:"series"`
	// Rounds are the figures of each round of a --rounds run.
	Rounds []compareInterval `json:"rounds"`
	// full are the intervals of the nominal length: the last one of a run
	// is usually a sliver whose few responses say little.
	full []compareInterval
}

type compareInterval struct {
	LengthS        float64 `json:"length_s"`
	Requests       uint64  `json:"requests"`
	RequestsPerSec float64 `json:"requests_per_sec"`
	P50US          int64   `json:"p50_us"`
	P90US          int64   `json:"p90_us"`
	P99US          int64   `json:"p99_us"`
}

// compareMain is "gowrk compare A.json B.json...": each later run judged
// against the baseline A, metric by metric, from the figures of their
// series intervals (see package compare for the statistics). A change
// counts only when it is significant at the 95% level; --fail-on exits 2
// when a significant change breaks a condition, never for one the data
// cannot tell from noise. Runs of different workloads are compared with a
// line on stderr; --strict makes that a failure.
func compareMain(args []string, stdout, stderr io.Writer) int {
	var jsonOut string
	var failOn []compare.Condition
	fs := pflag.NewFlagSet("gowrk compare", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	fs.StringVar(&jsonOut, "json", "", "Write the comparison as JSON")
	fs.Var(compareConditionsValue{&failOn}, "fail-on", "Exit 2 when a significant change breaks a condition")
	strict := fs.Bool("strict", false, "Fail when the runs' workloads differ")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		fmt.Fprintln(stdout, compareUsage)
		return exitOK
	case err != nil:
		return fail(stderr, flagError(err))
	}
	paths := fs.Args()
	if len(paths) < 2 {
		fmt.Fprintln(stderr, compareUsage)
		return exitFailed
	}
	runs := make([]*compareInput, len(paths))
	for i, p := range paths {
		if runs[i], err = readCompareInput(p); err != nil {
			return fail(stderr, err)
		}
	}
	base := runs[0]
	doc := compareDoc{Tool: "gowrk", Kind: "compare", Version: Version, Confidence: 1 - compare.Alpha, Baseline: compareRunJSONOf(base)}
	for _, r := range runs[1:] {
		c, err := compareRuns(base, r, failOn)
		if err != nil {
			return fail(stderr, err)
		}
		doc.Comparisons = append(doc.Comparisons, c)
	}
	// Said once the input is known to be good, so that bad input stays
	// one line.
	warned := false
	for _, r := range runs[1:] {
		if w := workloadWarning(base, r); w != "" {
			fmt.Fprintln(stderr, "gowrk: compare: "+w)
			warned = true
		}
	}
	if *strict && warned {
		return exitFailed
	}
	return writeComparison(doc, jsonOut, stdout, stderr)
}

// readCompareInput reads a gowrk JSON report and keeps its full
// intervals, refusing reports too short to judge.
func readCompareInput(path string) (*compareInput, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	in := &compareInput{path: path}
	notReport := fmt.Errorf("%s: not a gowrk JSON report (gowrk --json, schema_version %d)", path, report.SchemaVersion)
	if err := json.Unmarshal(data, in); err != nil {
		return nil, notReport
	}
	step := in.Config.SeriesIntervalS
	if in.Tool != "gowrk" || in.SchemaVersion != report.SchemaVersion || in.Series == nil || !(step > 0) {
		return nil, notReport
	}
	for _, iv := range *in.Series {
		if iv.LengthS >= step/2 {
			in.full = append(in.full, iv)
		}
	}
	if n := len(in.full); n < compare.MinSamples && len(in.Rounds) < compare.MinSamples {
		return nil, fmt.Errorf("%s: %d full intervals of %s, too few to judge: compare needs at least %d (a run of %s or longer, or --rounds %d)",
			path, n, seconds(step), compare.MinSamples, seconds(step*compare.MinSamples), compare.MinSamples)
	}
	return in, nil
}

// seconds writes a length in seconds as "1s" or "100ms".
func seconds(s float64) string {
	return time.Duration(math.Round(s * 1e9)).String()
}

// workloadWarning says why r may not have run the baseline's workload,
// or "" when both name the same one.
func workloadWarning(base, r *compareInput) string {
	switch {
	case base.Workload == "" || r.Workload == "":
		missing := base.path
		if r.Workload == "" {
			missing = r.path
		}
		return fmt.Sprintf("%s has no workload ID: cannot tell whether %s and %s ran the same workload", missing, base.path, r.path)
	case base.Workload != r.Workload:
		return fmt.Sprintf("%s and %s ran different workloads (%s and %s)", base.path, r.path, base.Workload, r.Workload)
	}
	return ""
}

// samples are a metric's values over the full intervals; latencies only
// of the intervals that had responses, as the others hold no latency.
func (in *compareInput) samples(m compareMetric, byRounds bool) []float64 {
	var out []float64
	if byRounds {
		for _, r := range in.Rounds {
			out = append(out, m.value(r))
		}
		return out
	}
	for _, iv := range in.full {
		if m.latency && iv.Requests == 0 {
			continue
		}
		out = append(out, m.value(iv))
	}
	return out
}

// compareRuns judges r against base on every metric and checks the
// conditions.
func compareRuns(base, r *compareInput, failOn []compare.Condition) (comparisonJSON, error) {
	if base.Config.SeriesIntervalS != r.Config.SeriesIntervalS {
		return comparisonJSON{}, fmt.Errorf("%s has intervals of %s, %s of %s: their figures are not comparable",
			base.path, seconds(base.Config.SeriesIntervalS), r.path, seconds(r.Config.SeriesIntervalS))
	}
	out := comparisonJSON{compareRunJSON: compareRunJSONOf(r), Samples: "intervals"}
	// Rounds hold the noise between runs (the machine's load changes),
	// which the seconds of one run do not: with enough on both sides,
	// they are the samples.
	byRounds := len(base.Rounds) >= compare.MinSamples && len(r.Rounds) >= compare.MinSamples
	if byRounds {
		out.Samples, out.RoundsA, out.RoundsB = "rounds", len(base.Rounds), len(r.Rounds)
	}
	if base.Workload != "" && r.Workload != "" {
		same := base.Workload == r.Workload
		out.SameWorkload = &same
	}
	results := map[string]compare.Comparison{}
	for _, m := range compareMetrics {
		a, b := base.samples(m, byRounds), r.samples(m, byRounds)
		c, err := compare.Samples(a, b)
		if errors.Is(err, compare.ErrTooFew) {
			short, n := base.path, len(a)
			if len(b) < len(a) {
				short, n = r.path, len(b)
			}
			return comparisonJSON{}, fmt.Errorf("%s: %d intervals with responses, too few to judge %s: compare needs at least %d", short, n, m.name, compare.MinSamples)
		}
		if err != nil {
			return comparisonJSON{}, fmt.Errorf("%s: %s: %w", r.path, m.name, err)
		}
		results[m.name] = c
		out.Metrics = append(out.Metrics, metricResult(m, c))
	}
	for _, cond := range failOn {
		c := results[cond.Metric]
		v := cond.Measured(c)
		out.Thresholds = append(out.Thresholds, compareThresholdJSON{
			Condition: cond.String(), Broken: cond.Broken(c), Value: v, Significant: c.Significant(),
			Display: fmt.Sprintf("%s (%s: %s %s)", cond, r.path, cond.Metric, formatChange(cond, v)),
		})
	}
	return out, nil
}

func metricResult(m compareMetric, c compare.Comparison) compareMetricJSON {
	unit := "requests/s"
	if m.latency {
		unit = "us"
	}
	return compareMetricJSON{
		Metric: m.name, Unit: unit, A: c.MedianA, B: c.MedianB, IntervalsA: c.NA, IntervalsB: c.NB,
		ChangePct: 100 * c.Change, CILowPct: 100 * c.ChangeLow, CIHighPct: 100 * c.ChangeHigh,
		Shift: c.Shift, ShiftLow: c.ShiftLow, ShiftHigh: c.ShiftHigh,
		P: c.P, Exact: c.Exact, Significant: c.Significant(), Verdict: verdict(c),
	}
}

func verdict(c compare.Comparison) string {
	switch {
	case !c.Significant():
		return "no significant difference"
	case c.Shift > 0:
		return "significantly higher"
	}
	return "significantly lower"
}

// compareDoc is compare's --json document (docs/compare-schema.json).
type compareDoc struct {
	Tool        string           `json:"tool"`
	Kind        string           `json:"kind"`
	Version     string           `json:"version"`
	Confidence  float64          `json:"confidence"`
	Baseline    compareRunJSON   `json:"baseline"`
	Comparisons []comparisonJSON `json:"comparisons"`
}

type compareRunJSON struct {
	File            string  `json:"file"`
	Workload        string  `json:"workload,omitempty"`
	Intervals       int     `json:"intervals"`
	SeriesIntervalS float64 `json:"series_interval_s"`
}

func compareRunJSONOf(in *compareInput) compareRunJSON {
	return compareRunJSON{File: in.path, Workload: in.Workload, Intervals: len(in.full), SeriesIntervalS: in.Config.SeriesIntervalS}
}

type comparisonJSON struct {
	compareRunJSON
	// SameWorkload is null when a report has no workload ID.
	SameWorkload *bool `json:"same_workload"`
	// Samples are what the statistics compare: "intervals" of one run a
	// side, or "rounds" (RoundsA of the baseline's, RoundsB of this one's).
	Samples          string                 `json:"samples"`
	RoundsA, RoundsB int                    `json:"-"`
	Metrics          []compareMetricJSON    `json:"metrics"`
	Thresholds       []compareThresholdJSON `json:"thresholds,omitempty"`
}

type compareMetricJSON struct {
	Metric      string  `json:"metric"`
	Unit        string  `json:"unit"`
	A           float64 `json:"a"`
	B           float64 `json:"b"`
	IntervalsA  int     `json:"intervals_a"`
	IntervalsB  int     `json:"intervals_b"`
	ChangePct   float64 `json:"change_pct"`
	CILowPct    float64 `json:"ci_low_pct"`
	CIHighPct   float64 `json:"ci_high_pct"`
	Shift       float64 `json:"shift"`
	ShiftLow    float64 `json:"shift_low"`
	ShiftHigh   float64 `json:"shift_high"`
	P           float64 `json:"p_value"`
	Exact       bool    `json:"exact"`
	Significant bool    `json:"significant"`
	Verdict     string  `json:"verdict"`
}

type compareThresholdJSON struct {
	Condition   string  `json:"condition"`
	Broken      bool    `json:"broken"`
	Value       float64 `json:"value"`
	Significant bool    `json:"significant"`
	Display     string  `json:"display"`
}

// formatChange writes a condition's measured change in its unit.
func formatChange(c compare.Condition, v float64) string {
	switch {
	case c.Relative:
		return fmt.Sprintf("%+.1f%%", v)
	case c.Metric == "rps":
		return fmt.Sprintf("%+.2f requests/s", v)
	case v < 0:
		return "-" + units.FormatTime(-v)
	}
	return "+" + units.FormatTime(v)
}

// writeComparison prints the table (unless --json -), writes the JSON
// and returns the exit status: 2 when a condition broke.
func writeComparison(doc compareDoc, jsonOut string, stdout, stderr io.Writer) int {
	var errs []error
	if jsonOut != "-" {
		out := bufio.NewWriter(stdout)
		writeCompareText(out, doc)
		if err := out.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("cannot write the comparison: %w", err))
		}
	}
	if jsonOut != "" {
		if err := writeCompareJSON(doc, jsonOut, stdout); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fail(stderr, err)
	}
	code := exitOK
	for _, c := range doc.Comparisons {
		for _, t := range c.Thresholds {
			if t.Broken {
				fmt.Fprintln(stderr, "gowrk: threshold broken: "+t.Display)
				code = exitBroken
			}
		}
	}
	return code
}

func writeCompareJSON(doc compareDoc, path string, stdout io.Writer) error {
	encode := func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(doc)
	}
	if path == "-" {
		if err := encode(stdout); err != nil {
			return fmt.Errorf("cannot write the JSON comparison: %w", err)
		}
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = encode(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeCompareText prints a table per comparison: the medians of the
// intervals' figures, the estimated change with its 95% interval, the
// p-value and the verdict.
func writeCompareText(w io.Writer, doc compareDoc) {
	for i, c := range doc.Comparisons {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if c.Samples == "rounds" {
			fmt.Fprintf(w, "%s against %s (%d and %d rounds)\n", c.File, doc.Baseline.File, c.RoundsB, c.RoundsA)
		} else {
			fmt.Fprintf(w, "%s against %s (%d and %d intervals of %s)\n", c.File, doc.Baseline.File, c.Intervals, doc.Baseline.Intervals, seconds(c.SeriesIntervalS))
		}
		rows := [][]string{{"Metric", "A", "B", "Change", "95% CI", "p", "Verdict"}}
		for _, m := range c.Metrics {
			rows = append(rows, []string{
				m.metricLabel(), m.format(m.A), m.format(m.B), fmt.Sprintf("%+.1f%%", m.ChangePct),
				fmt.Sprintf("[%+.1f%%, %+.1f%%]", m.CILowPct, m.CIHighPct), formatP(m.P), m.Verdict,
			})
		}
		writeAligned(w, rows, []bool{false, true, true, true, true, true, false})
	}
	fmt.Fprintln(w, "  A, B: medians of the intervals (or rounds); change: Hodges-Lehmann estimate of B/A; p: Mann-Whitney U")
	for _, c := range doc.Comparisons {
		if c.Samples != "rounds" {
			fmt.Fprintf(w, "  one run a side: the seconds show the noise within each run, not between runs; runs made with --rounds %d or more compare their rounds\n", compare.MinSamples)
			break
		}
	}
}

func (m compareMetricJSON) metricLabel() string {
	for _, cm := range compareMetrics {
		if cm.name == m.Metric {
			return cm.label
		}
	}
	return m.Metric
}

func (m compareMetricJSON) format(v float64) string {
	if m.Unit == "us" {
		return units.FormatTime(v)
	}
	return fmt.Sprintf("%.2f", v)
}

func formatP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", p)
}

// writeAligned prints rows indented by two spaces, each column as wide
// as its widest cell, right-aligned where right says so.
func writeAligned(w io.Writer, rows [][]string, right []bool) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(" ")
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-len(cell))
			b.WriteString("  ")
			switch {
			case right[i]:
				b.WriteString(pad + cell)
			case i == len(row)-1:
				b.WriteString(cell)
			default:
				b.WriteString(cell + pad)
			}
		}
		fmt.Fprintln(w, b.String())
	}
}
