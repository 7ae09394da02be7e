package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/hdrlog"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/units"
	"github.com/gowrk/gowrk/validity"
)

const mergeUsage = "usage: gowrk merge [-L] [-U] [--json F] [--report F] [--hdr-out F] [--percentiles L] [--fail-on C] [--strict] [--max-skew T] <file.hlog | ->..."

// defaultMaxSkew is how far apart generators may start before merge says
// their windows differ: what --start-at achieves between machines whose
// clocks agree.
const defaultMaxSkew = 10 * time.Millisecond

// mergeMain is "gowrk merge [options] file.hlog...": it merges the interval
// logs of runs made at the same time into one report. "-" reads the logs
// carried in stdin (--hdr-log - in a container's log). Shards of one
// workload must all be there, each once; runs that started further apart
// than --max-skew, or ran different workloads, are merged with a line on
// stderr, and --strict makes that a failure.
func mergeMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var o Outputs
	fs := pflag.NewFlagSet("gowrk merge", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	addOutputFlags(fs, &o)
	strict := fs.Bool("strict", false, "Fail when the runs' starts or workloads differ")
	maxSkew := fs.Duration("max-skew", defaultMaxSkew, "Start skew allowed between runs")
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		fmt.Fprintln(stdout, mergeUsage)
		return exitOK
	case err != nil:
		return fail(stderr, flagError(err))
	case *maxSkew < 0:
		return fail(stderr, errors.New("invalid argument for --max-skew: want a duration of 0 or more, e.g. 10ms"))
	}
	paths := fs.Args()
	if len(paths) == 0 {
		fmt.Fprintln(stderr, mergeUsage)
		return exitFailed
	}
	logs, err := openLogs(paths, stdin)
	if err != nil {
		return fail(stderr, err)
	}
	if err := hdrlog.CheckShards(logs); err != nil {
		return fail(stderr, err)
	}
	var warnings []string
	if a, b, differ := hdrlog.Workloads(logs); differ {
		warnings = append(warnings, fmt.Sprintf("%s and %s ran different workloads", a.Path, b.Path))
	}
	if skew := hdrlog.StartSkew(logs); skew > *maxSkew {
		warnings = append(warnings, fmt.Sprintf("the runs started %s apart, more than --max-skew %s: their windows differ (use --start-at)", skew, *maxSkew))
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "gowrk: merge: "+w)
	}
	if *strict && len(warnings) > 0 {
		return exitFailed
	}
	res, err := hdrlog.Merge(logs)
	if err != nil {
		return fail(stderr, err)
	}
	if o.Uncorrected && res.Corrected == nil {
		return fail(stderr, errors.New("--u_latency needs open-loop runs"))
	}
	outFiles, err := createFiles(&o)
	if err != nil {
		return fail(stderr, err)
	}
	d := report.Details{Version: Version}
	for _, l := range logs {
		d.Sources = append(d.Sources, l.Source())
	}
	run := summary.New(res)
	var textErr error
	if o.JSON != "-" {
		out := bufio.NewWriter(stdout)
		mergeHeader(out, d.Sources, res.Config.Threads, res.Config.Connections, res.Runtime.Seconds())
		if len(logs) > 1 {
			fmt.Fprintf(out, "  started within %s of each other\n", units.FormatTime(float64(hdrlog.StartSkew(logs).Microseconds())))
		}
		textErr = writeText(out, run, &o, nil)
	}
	verdict := validity.Judge(run, nil)
	d.Validity = &verdict
	return finish(run, &o, outFiles, nil, d, textErr, false, stdout, stderr)
}

// openLogs reads the logs: files, "-" for the logs in stdin, or files that
// hold logs among other output (a saved container log).
func openLogs(paths []string, stdin io.Reader) ([]*hdrlog.Log, error) {
	var logs []*hdrlog.Log
	for _, p := range paths {
		var found []*hdrlog.Log
		var err error
		switch {
		case p == "-":
			found, err = hdrlog.ReadStream(stdin, "stdin")
		case hdrlog.IsStream(p):
			found, err = hdrlog.ReadStreamFile(p)
		default:
			var l *hdrlog.Log
			l, err = hdrlog.Open(p)
			found = []*hdrlog.Log{l}
		}
		if err != nil {
			return nil, err
		}
		logs = append(logs, found...)
	}
	return logs, nil
}

// mergeHeader stands for wrk's "Running..." lines: which runs were merged.
func mergeHeader(w io.Writer, sources []summary.Source, threads, conns int, seconds float64) {
	urls := map[string]bool{}
	var names []string
	for _, s := range sources {
		if !urls[s.URL] {
			urls[s.URL] = true
			names = append(names, s.URL)
		}
	}
	fmt.Fprintf(w, "Merged %d runs (%s) @ %s\n", len(sources), units.FormatTime(seconds*1e6), strings.Join(names, ", "))
	fmt.Fprintf(w, "  %d threads and %d connections\n", threads, conns)
}
