package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/luascript"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/stats"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/units"
)

// maxRounds bounds --rounds: far more repeats than a comparison needs.
const maxRounds = 1000

// addRoundsFlags declares --rounds N: the whole run, script and all,
// N times over.
func addRoundsFlags(fs *pflag.FlagSet, rounds *uint64) {
	fs.Var(metricValue{rounds, 1, maxRounds, "rounds"}, "rounds", "Repeat the run N times and report the median round")
}

// roundsRun is what a --rounds run keeps between its rounds.
type roundsRun struct {
	// current is the round running, from 0: only the first prints the
	// report's header, so that stdout holds one report.
	current int
	figures []report.Round
	// reported is the round, from 0, whose report is printed.
	reported int
}

// addTo records the rounds in the report's details.
func (r *roundsRun) addTo(d *report.Details) {
	if len(r.figures) > 0 {
		d.Rounds, d.Round = r.figures, r.reported+1
	}
}

// roundsRefused are the options --rounds cannot repeat faithfully, each
// with the reason.
var roundsRefused = []struct {
	set func(o *Options) bool
	why string
}{
	{func(o *Options) bool { return o.Dashboard != "" }, "--dashboard: it shows one run"},
	{func(o *Options) bool { return o.PrometheusRW != "" }, "--prometheus-rw: each round would push its series over the last one's"},
	{func(o *Options) bool { return o.HdrLog != "" }, "--hdr-log: the log is written during a round, before the median round is known"},
	{func(o *Options) bool { return o.Breakpoint || len(o.StopOn) > 0 }, "--breakpoint or --stop-on: each round would stop at its own point"},
	{func(o *Options) bool { return !o.StartAt.IsZero() }, "--start-at: it is one start, not N"},
	{func(o *Options) bool { return o.Shard.Enabled() }, "--shard: the shards' rounds would not start together"},
	{func(o *Options) bool { return o.CPUProfile != "" }, "--cpuprofile: each round would overwrite the profile"},
	{func(o *Options) bool { return o.ProfileTarget != "" }, "--profile-target: each round would take the target's profile again"},
	{func(o *Options) bool { return o.Targets == "-" }, "--targets -: standard input can be read only once"},
}

func checkRounds(o *Options) error {
	for _, r := range roundsRefused {
		if r.set(o) {
			return errors.New("--rounds cannot be used with " + r.why)
		}
	}
	return nil
}

// keptRound is a finished round with what its report needs.
type keptRound struct {
	res    *generator.Result
	script *luascript.Script
	watch  *watcher
}

// runRounds runs the session once, or --rounds times: each round is the
// whole run (script loaded afresh, setup, the run), its figures on a line
// of stderr, and after the last the median and spread of the rounds. The
// report that follows, with the outputs, --fail-on and the script's
// done(), is the median round's: by requests/s in closed loop, by p99
// with -R or --stages, whose rate is fixed; of two middle rounds, the
// worse. Ctrl-C ends the current round early and starts no other.
func (s *session) runRounds() (*generator.Result, error) {
	o := s.opts
	if o.Rounds < 2 {
		return s.run()
	}
	if err := checkRounds(o); err != nil {
		return nil, err
	}
	var kept []keptRound
	for i := range int(o.Rounds) {
		if i > 0 {
			// Each round writes the outputs anew; the last one's stay.
			s.files.remove()
			s.intr.nextStage()
		}
		s.rounds.current = i
		res, err := s.run()
		if err != nil {
			for _, k := range kept {
				closeScript(k.script)
			}
			return nil, err
		}
		s.watch.stop()
		kept = append(kept, keptRound{res: res, script: s.script, watch: s.watch})
		f := roundFigures(res)
		s.rounds.figures = append(s.rounds.figures, f)
		note := ""
		if f.Interrupted {
			note = " (interrupted)"
		}
		fmt.Fprintf(s.stderr, "gowrk: round %d of %d: %.2f requests/s, p50 %s, p99 %s%s\n",
			i+1, o.Rounds, f.RequestsPerSec, units.FormatTime(float64(f.P50)), units.FormatTime(float64(f.P99)), note)
		if res.Interrupted {
			break
		}
	}
	byLatency := o.Rate > 0 || o.Stages != nil
	pick := medianRound(s.rounds.figures, byLatency)
	s.rounds.reported = pick
	for i, k := range kept {
		if i != pick {
			closeScript(k.script)
		}
	}
	s.script, s.watch = kept[pick].script, kept[pick].watch
	writeRoundsSummary(s.stderr, s.rounds.figures, pick, byLatency)
	// The later rounds printed no header; the report goes where the
	// first round's did.
	text := io.Discard
	if o.JSON != "-" {
		text = s.stdout
	}
	s.out = bufio.NewWriter(text)
	return kept[pick].res, nil
}

func closeScript(s *luascript.Script) {
	if s != nil {
		s.Close()
	}
}

// roundFigures are a round's rate and headline percentiles.
func roundFigures(res *generator.Result) report.Round {
	f := report.Round{Runtime: res.Runtime, Interrupted: res.Interrupted}
	if secs := res.Runtime.Seconds(); secs > 0 {
		f.RequestsPerSec = float64(res.Requests) / secs
	}
	if h := summary.New(res).Headline; h != nil && h.TotalCount() > 0 {
		bars, n := stats.Bars(h), h.TotalCount()
		f.P50, f.P90, f.P99 = stats.PercentileOf(bars, n, 50), stats.PercentileOf(bars, n, 90), stats.PercentileOf(bars, n, 99)
	}
	return f
}

// medianRound is the index of the median round: by p99 when byLatency
// is set, else by requests/s. With an even number of rounds it is the
// worse of the two middle ones (the slower, or the higher p99), so that
// the report never flatters.
func medianRound(rounds []report.Round, byLatency bool) int {
	order := make([]int, len(rounds))
	for i := range order {
		order[i] = i
	}
	if byLatency {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rounds[a].P99, rounds[b].P99) })
		return order[len(order)/2]
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rounds[a].RequestsPerSec, rounds[b].RequestsPerSec) })
	return order[(len(order)-1)/2]
}

// writeRoundsSummary prints, on stderr, the median of each figure over
// the rounds (the middle value, or the mean of the two middle ones), its
// range and the range relative to the median, and which round the
// report is of.
func writeRoundsSummary(stderr io.Writer, rounds []report.Round, pick int, byLatency bool) {
	by := "requests/s"
	if byLatency {
		by = "p99"
	}
	fmt.Fprintf(stderr, "gowrk: %d rounds; the report is round %d's, the median by %s\n", len(rounds), pick+1, by)
	rows := [][]string{{"", "median", "min", "max", "spread"}}
	figure := func(label string, value func(report.Round) float64, format func(float64) string) {
		vs := make([]float64, len(rounds))
		for i, r := range rounds {
			vs[i] = value(r)
		}
		slices.Sort(vs)
		n := len(vs)
		med := (vs[(n-1)/2] + vs[n/2]) / 2
		spread := "-"
		if med > 0 {
			spread = fmt.Sprintf("%.1f%%", (vs[n-1]-vs[0])/med*100)
		}
		rows = append(rows, []string{label, format(med), format(vs[0]), format(vs[n-1]), spread})
	}
	rate := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	figure("requests/s", func(r report.Round) float64 { return r.RequestsPerSec }, rate)
	figure("p50", func(r report.Round) float64 { return float64(r.P50) }, units.FormatTime)
	figure("p90", func(r report.Round) float64 { return float64(r.P90) }, units.FormatTime)
	figure("p99", func(r report.Round) float64 { return float64(r.P99) }, units.FormatTime)
	var table bytes.Buffer
	writeAligned(&table, rows, []bool{false, true, true, true, true})
	for _, line := range strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n") {
		fmt.Fprintln(stderr, "gowrk: "+strings.TrimPrefix(line, " "))
	}
}
