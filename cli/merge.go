package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/hdrlog"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/units"
)

const mergeUsage = "usage: gowrk merge [-L] [-U] [--json F] [--report F] [--hdr-out F] [--percentiles L] [--fail-on C] <file.hlog>..."

// mergeMain is "gowrk merge [options] file.hlog...": it merges the interval
// logs of runs made at the same time into one report.
func mergeMain(args []string, stdout, stderr io.Writer) int {
	var o Outputs
	fs := pflag.NewFlagSet("gowrk merge", pflag.ContinueOnError)
	fs.SetOutput(discard{})
	addOutputFlags(fs, &o)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		fmt.Fprintln(stdout, mergeUsage)
		return exitOK
	case err != nil:
		return fail(stderr, flagError(err))
	}
	paths := fs.Args()
	if len(paths) == 0 {
		fmt.Fprintln(stderr, mergeUsage)
		return exitFailed
	}
	logs := make([]*hdrlog.Log, len(paths))
	for i, p := range paths {
		l, err := hdrlog.Open(p)
		if err != nil {
			return fail(stderr, err)
		}
		logs[i] = l
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
		textErr = writeText(out, run, &o, nil)
	}
	return finish(run, &o, outFiles, nil, d, textErr, stdout, stderr)
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
