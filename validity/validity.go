// Package validity judges whether a finished run measured what it was
// asked to: whether the connections were made, the rate was kept, the
// server served every connection, the corrected and uncorrected latencies
// agree and the generator had CPU to spare. A run can have a good-looking
// report and still describe gowrk or half the connections rather than the
// server; the verdict says so.
package validity

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
	"github.com/gowrk/gowrk/units"
)

// The verdicts, from best to worst.
const (
	// Valid: every check that could be made passed.
	Valid = "valid"
	// Suspect: a check warned; the figures may not be the server's.
	Suspect = "suspect"
	// Invalid: a check failed; the figures are not the load asked for.
	Invalid = "invalid"
)

// Status is one check's outcome.
type Status int

const (
	// NotApplicable: the check does not apply to the run or could not be
	// measured; it does not count towards the verdict.
	NotApplicable Status = iota
	Pass
	Warn
	Fail
)

var statusNames = [...]string{"n/a", "pass", "warn", "fail"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Thresholds of the checks. They are deliberately loose: each marks a run
// whose figures describe something other than the server under the load
// asked for, not ordinary noise.
const (
	// EstablishedWarn is the share of the asked connections established
	// from which a shortfall only warns: the load was nearly what was asked.
	EstablishedWarn = 0.95
	// BehindFail is the share of the due requests never sent above which
	// the rate check fails: the run measured a lower rate than asked.
	BehindFail = 0.10
	// BehindWarn is the share of due requests unsent, or of sent requests
	// late, above which the rate check warns; report.ScheduleNote uses the
	// same bar for its line.
	BehindWarn = 0.01
	// SpreadMinResponses is the fewest responses the busiest connection
	// needs before the spread is judged: below it, counts are too small to
	// compare.
	SpreadMinResponses = 10
	// UnservedFail is the share of connections without a single response,
	// while others got SpreadMinResponses or more, above which the spread
	// check fails: the server served only some of the connections.
	UnservedFail = 0.05
	// SpreadCV is the coefficient of variation (stdev/mean) of the
	// responses per connection above which the spread check warns.
	SpreadCV = 0.5
	// LowShare is the share of connections with under LowFraction of the
	// median's responses above which the spread check warns.
	LowShare    = 0.01
	LowFraction = 0.25
	// GapFloor is the least corrected-minus-uncorrected gap that counts:
	// below it a ratio says more about the timers than about the run, as a
	// request counts as late only from a millisecond on, and a busy
	// machine's scheduler and wrk's correction of a fast server's
	// microsecond latencies add a few more at p99.
	GapFloor = 5 * time.Millisecond
	// GapWarnP99 is the corrected/uncorrected ratio at p99 from which the
	// latency gap warns: requests waited as long as they were served.
	GapWarnP99 = 2.0
	// GapFailP50 is the ratio at p50 from which it fails: the typical
	// request waited at least as long as it was served, so the figures
	// describe a queue, not the server at the load asked for.
	GapFailP50 = 2.0
	// BusyWarn is the share of seconds in which the generator was busy
	// (over sysstat.SaturatedShare of its CPU budget) from which the
	// generator check warns; sysstat's Saturated (most seconds) fails it.
	BusyWarn = 0.25
)

// Figure is one measured value of a check.
type Figure struct {
	Name  string
	Value float64
}

// Check is one check with the figures it judged.
type Check struct {
	// Name is "connections", "rate", "spread", "latency gap" or "generator".
	Name   string
	Status Status
	// Detail is the figures in words, e.g. "8 of 10 established (80.0%)".
	Detail  string
	Figures []Figure
}

func (c Check) String() string { return c.Name + " " + c.Detail }

// Verdict is the run's validity.
type Verdict struct {
	// Status is Valid, Suspect or Invalid.
	Status string
	// Checks are the checks in a fixed order, applicable or not.
	Checks []Check
}

// Judge checks a run, with the generator's resource samples (nil when
// none were taken).
func Judge(run *summary.Run, monitor []sysstat.Series) Verdict {
	v := Verdict{Checks: []Check{
		connections(run.Result),
		rate(run.Result),
		spread(run.Result),
		latencyGap(run),
		saturation(run.Result, monitor),
	}}
	worst := NotApplicable
	for _, c := range v.Checks {
		worst = max(worst, c.Status)
	}
	switch worst {
	case Fail:
		v.Status = Invalid
	case Warn:
		v.Status = Suspect
	default:
		v.Status = Valid
	}
	return v
}

// Problems are the checks that warned or failed.
func (v Verdict) Problems() []Check {
	var out []Check
	for _, c := range v.Checks {
		if c.Status >= Warn {
			out = append(out, c)
		}
	}
	return out
}

// Summary is the verdict on one line, with what went wrong: "invalid:
// connections 8 of 10 established (80.0%)".
func (v Verdict) Summary() string {
	var parts []string
	for _, c := range v.Problems() {
		parts = append(parts, c.String())
	}
	if len(parts) == 0 {
		return v.Status
	}
	return v.Status + ": " + strings.Join(parts, "; ")
}

// Text is the verdict as gowrk prints it on stderr: its summary line, then
// a line per check. Quiet keeps only the summary line, and only when the
// verdict is not Valid.
func (v Verdict) Text(quiet bool) string {
	if quiet {
		if v.Status == Valid {
			return ""
		}
		return "gowrk: validity: " + v.Summary() + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gowrk: validity: %s\n", v.Status)
	width := 0
	for _, c := range v.Checks {
		width = max(width, len(c.Name))
	}
	for _, c := range v.Checks {
		fmt.Fprintf(&b, "  %-4s  %-*s  %s\n", c.Status, width, c.Name, c.Detail)
	}
	return b.String()
}

// merged reports whether res was merged from interval logs, which carry
// no per-connection data: a run's own result names the engine it used.
func merged(res *generator.Result) bool { return res.Engine == generator.EngineAuto }

func connections(res *generator.Result) Check {
	c := Check{Name: "connections"}
	if merged(res) {
		c.Detail = "not measured (merged result)"
		return c
	}
	asked, what := res.Config.Connections, ""
	if stages := res.Config.ConnStages; len(stages) > 0 {
		most := stagedMost(stages, res.Runtime)
		// A shard's scaled stages round either way; rounding down never
		// asks for a connection the shard would not open.
		n := math.Ceil(most - 1e-9)
		if res.Config.Shard.Enabled() {
			n = math.Floor(most + 1e-9)
		}
		asked, what = min(asked, int(n)), " the stages asked for"
	}
	c.Figures = []Figure{{"established", float64(res.Established)}, {"asked", float64(asked)}}
	if asked <= 0 {
		c.Detail = "the stages asked for none"
		return c
	}
	share := float64(res.Established) / float64(asked)
	c.Detail = fmt.Sprintf("%d of %d%s established (%s)", res.Established, asked, what, percent(share))
	switch {
	case res.Established >= asked:
		c.Status = Pass
	case share >= EstablishedWarn:
		c.Status = Warn
	default:
		c.Status = Fail
	}
	return c
}

// stagedMost is the most connections the stages called for during the
// first runtime of the run: a run cut short never reached the later ones.
func stagedMost(stages []pace.Stage, runtime time.Duration) float64 {
	most := pace.StageValue(stages, runtime)
	var end time.Duration
	for _, s := range stages {
		end += s.Duration
		if end > runtime {
			break
		}
		most = max(most, s.Target)
	}
	return most
}

func rate(res *generator.Result) Check {
	c := Check{Name: "rate"}
	secs := res.Runtime.Seconds()
	switch {
	case !res.Config.Pacer.Enabled():
		c.Detail = "closed loop: no rate asked for"
		return c
	case res.Due == 0 || secs <= 0:
		c.Detail = "no request was due"
		return c
	}
	sentShare := min(float64(res.Sent)/float64(res.Due), 1)
	unsentShare := float64(res.Unsent()) / float64(res.Due)
	lateShare := float64(res.Late) / math.Max(float64(res.Sent), 1)
	due, sent, answered := float64(res.Due)/secs, float64(res.Sent)/secs, float64(res.Requests)/secs
	c.Figures = []Figure{
		{"due_per_sec", due}, {"sent_per_sec", sent}, {"responses_per_sec", answered},
		{"sent_share", sentShare}, {"late_share", lateShare}, {"unsent", float64(res.Unsent())},
	}
	c.Detail = fmt.Sprintf("sent %s of the %s requests/sec due (%s), %s responses/sec",
		units.FormatMetric(sent), units.FormatMetric(due), percent(sentShare), units.FormatMetric(answered))
	if lateShare > BehindWarn {
		c.Detail += fmt.Sprintf("; %s sent late", percent(lateShare))
	}
	switch {
	case unsentShare > BehindFail:
		c.Status = Fail
	case unsentShare > BehindWarn || lateShare > BehindWarn:
		c.Status = Warn
	default:
		c.Status = Pass
	}
	return capBreakpoint(res, c)
}

// capBreakpoint turns a failure into a warning in a breakpoint search,
// which by design ends past what the server can take.
func capBreakpoint(res *generator.Result, c Check) Check {
	if res.Breakpoint != nil && c.Status == Fail {
		c.Status = Warn
		c.Detail += " (a breakpoint search: a warning at most)"
	}
	return c
}

func spread(res *generator.Result) Check {
	c := Check{Name: "spread"}
	counts := res.ConnRequests
	switch {
	case merged(res):
		c.Detail = "not measured (merged result)"
		return c
	case len(res.Config.ConnStages) > 0:
		c.Detail = "connection stages make the connections' counts differ by design"
		return c
	case len(counts) < 2:
		c.Detail = "one connection"
		return c
	}
	sorted := slices.Clone(counts)
	slices.Sort(sorted)
	n := len(sorted)
	lo, hi := sorted[0], sorted[n-1]
	median := float64(sorted[n/2])
	if n%2 == 0 {
		median = (float64(sorted[n/2-1]) + median) / 2
	}
	var sum, squares float64
	unserved, low := 0, 0
	for _, v := range sorted {
		f := float64(v)
		sum += f
		squares += f * f
		if v == 0 {
			unserved++
		}
		if f < LowFraction*median {
			low++
		}
	}
	mean := sum / float64(n)
	cv := 0.0
	if mean > 0 {
		cv = math.Sqrt(math.Max(squares/float64(n)-mean*mean, 0)) / mean
	}
	c.Figures = []Figure{
		{"connections", float64(n)}, {"min", float64(lo)}, {"median", median}, {"max", float64(hi)},
		{"mean", mean}, {"cv", cv}, {"unserved", float64(unserved)}, {"low", float64(low)},
	}
	c.Detail = fmt.Sprintf("responses per connection: min %s, median %s, max %s (cv %.2f)",
		count(float64(lo)), count(median), count(float64(hi)), cv)
	if hi < SpreadMinResponses {
		c.Detail += ": too few to judge"
		return c
	}
	if unserved > 0 {
		c.Detail += fmt.Sprintf("; %d of %d connections got no response", unserved, n)
	} else if low > 0 {
		c.Detail += fmt.Sprintf("; %d of %d got under a quarter of the median", low, n)
	}
	switch {
	case float64(unserved) > UnservedFail*float64(n):
		c.Status = Fail
	case unserved > 0 || cv > SpreadCV || float64(low) > LowShare*float64(n):
		c.Status = Warn
	default:
		c.Status = Pass
	}
	return c
}

func latencyGap(run *summary.Run) Check {
	c := Check{Name: "latency gap"}
	res := run.Result
	if res.Latency == nil || run.Headline == nil || res.Latency.TotalCount() == 0 {
		c.Detail = "no responses"
		return c
	}
	how := "corrected"
	if res.Corrected == nil {
		how = "corrected as wrk does"
	}
	cp50, up50 := stats.Percentile(run.Headline, 50), stats.Percentile(res.Latency, 50)
	cp99, up99 := stats.Percentile(run.Headline, 99), stats.Percentile(res.Latency, 99)
	r50, r99 := ratio(cp50, up50), ratio(cp99, up99)
	c.Figures = []Figure{
		{"p50_corrected_us", float64(cp50)}, {"p50_uncorrected_us", float64(up50)}, {"p50_ratio", r50},
		{"p99_corrected_us", float64(cp99)}, {"p99_uncorrected_us", float64(up99)}, {"p99_ratio", r99},
	}
	c.Detail = fmt.Sprintf("%s vs uncorrected: p50 %s vs %s (%.1fx), p99 %s vs %s (%.1fx)", how,
		units.FormatTime(float64(cp50)), units.FormatTime(float64(up50)), r50,
		units.FormatTime(float64(cp99)), units.FormatTime(float64(up99)), r99)
	floor := GapFloor.Microseconds()
	switch {
	case cp50-up50 >= floor && r50 >= GapFailP50:
		c.Status = Fail
	case cp99-up99 >= floor && r99 >= GapWarnP99:
		c.Status = Warn
	default:
		c.Status = Pass
	}
	return capBreakpoint(res, c)
}

func ratio(corrected, uncorrected int64) float64 {
	return float64(corrected) / math.Max(float64(uncorrected), 1)
}

func saturation(res *generator.Result, monitor []sysstat.Series) Check {
	c := Check{Name: "generator"}
	sat, ok := sysstat.GeneratorSaturation(monitor)
	switch {
	case !ok && merged(res):
		c.Detail = "not measured (merged result)"
		return c
	case !ok && !sysstat.Supported():
		c.Detail = "not measured on this system (Linux only)"
		return c
	case !ok:
		c.Detail = "not measured"
		return c
	}
	c.Figures = []Figure{
		{"cores", sat.Cores}, {"mean_cores", sat.Mean}, {"mean_wait_cores", sat.MeanWait},
		{"busy_samples", float64(sat.Busy)}, {"samples", float64(sat.Samples)},
	}
	c.Detail = strings.TrimPrefix(sat.String(), "it ")
	switch {
	case sat.Samples < sysstat.MinSamples:
		c.Detail = fmt.Sprintf("run too short to tell (%d of the %d seconds needed)", sat.Samples, sysstat.MinSamples)
	case sat.Saturated():
		c.Status = Fail
		c.Detail += ": the generator may be the limit, not the server"
	case float64(sat.Busy) >= BusyWarn*float64(sat.Samples):
		c.Status = Warn
	default:
		c.Status = Pass
	}
	return c
}

// percent formats a share as a percentage with one decimal, "80.0%".
func percent(share float64) string { return fmt.Sprintf("%.1f%%", share*100) }

// count formats a number of responses: exact below 10000, "12.34k" above.
func count(n float64) string {
	if n < 10000 {
		return fmt.Sprintf("%.0f", n)
	}
	return units.FormatMetric(n)
}
