// Package cli is the gowrk command: it parses wrk's flags into a
// generator.Config, runs it and prints the report. cmd/gowrk only calls Main.
package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/hdrlog"
	"github.com/gowrk/gowrk/luascript"
	"github.com/gowrk/gowrk/progress"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
	"github.com/gowrk/gowrk/threshold"
	"github.com/gowrk/gowrk/validity"
)

// Version is gowrk's version, printed by -v.
var Version = "0.1.0"

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // bad input or a failed run
	exitBroken = 2 // a --fail-on threshold was broken
)

// Main runs gowrk with args (without the program name) and returns the exit
// status: 0 on success, 1 on bad input or a failed run, 2 when a --fail-on
// threshold is broken. "gowrk merge" merges interval logs; "gowrk
// compare" judges runs against a baseline.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "merge" {
		return mergeMain(args[1:], stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "compare" {
		return compareMain(args[1:], stdout, stderr)
	}
	opts, err := Parse(args)
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(stderr, usage)
		return exitFailed
	case err != nil:
		return fail(stderr, err)
	case opts.Help:
		fmt.Fprint(stdout, usage)
		return exitOK
	case opts.Version:
		fmt.Fprintf(stdout, "gowrk %s [%s] Copyright (C) 2026 the gowrk authors\n", Version, runtime.Version())
		return exitOK
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// -t bounds the cores used, as wrk's threads do.
		runtime.GOMAXPROCS(min(int(opts.Threads), runtime.NumCPU()))
	}
	s := &session{opts: opts, stdout: stdout, stderr: stderr}
	// Ctrl-C interrupts a script that loops at load time or in setup(), and
	// ends the run early.
	s.intr = catchInterrupts()
	defer s.intr.stop()
	res, err := s.runRounds()
	if err != nil {
		return s.fail(err)
	}
	return s.report(res)
}

// session is one run of the command, from the parsed options to the exit
// status, with what it set up along the way: what a failure must undo.
type session struct {
	opts           *Options
	stdout, stderr io.Writer
	cfg            generator.Config
	intr           *interrupts
	script         *luascript.Script
	files          *files
	hlog           *hdrlog.Writer
	out            *bufio.Writer // the text report; a failed write sticks in it
	watch          *watcher
	profiler       *targetProfiler // --profile-target
	rounds         roundsRun       // --rounds
}

// fail undoes what the session set up (the dashboard, the output files,
// which a failed run does not fill) and prints err's one line.
func (s *session) fail(err error) int {
	if s.watch != nil {
		s.watch.close()
	}
	if s.files != nil {
		s.files.remove()
	}
	s.profiler.abort()
	if errors.Is(err, errUsage) {
		fmt.Fprint(s.stderr, usage)
		return exitFailed
	}
	return fail(s.stderr, err)
}

// run sets the run up, every check that can fail before it first, and
// runs it.
func (s *session) run() (*generator.Result, error) {
	o := s.opts
	s.cfg = o.Config()
	cfg := &s.cfg
	if seriesInterval > 0 {
		cfg.SeriesInterval = seriesInterval
	}
	all, err := useTargets(o, cfg, s.stderr)
	if err != nil {
		return nil, err
	}
	if err := s.loadScript(); err != nil {
		return nil, err
	}
	if cfg.Workload, err = workloadID(o, all); err != nil {
		return nil, err
	}
	if s.files, err = createFiles(&o.Outputs); err != nil {
		return nil, err
	}
	text := io.Discard
	if o.JSON != "-" {
		text = s.stdout
	}
	if s.rounds.current > 0 {
		text = io.Discard // the first round printed the header
	}
	s.out = bufio.NewWriter(text)
	cfg.Started = func() {
		if s.script != nil {
			// The threads are set up; the run's own end bounds the hooks now.
			s.script.SetContext(s.intr.context())
		}
		_ = report.Header(s.out, o.RawURL, cfg)
		_ = s.out.Flush()
	}
	if s.hlog = s.files.hlogWriter(s.stdout); s.hlog != nil {
		cfg.OnInterval = s.hlog.Interval
	}
	var line *progress.Line
	if !o.Quiet && progress.IsTerminal(s.stderr) {
		line = progress.New(s.stderr)
		cfg.Progress = line.Update
	}
	if s.watch, err = startWatch(&o.Watch, cfg, s.stderr); err != nil {
		return nil, err
	}
	if s.profiler, err = startTargetProfile(o, cfg, s.stderr); err != nil {
		return nil, err
	}
	stopProfile, err := startCPUProfile(o.CPUProfile)
	if err != nil {
		return nil, err
	}
	res, err := generator.Run(s.intr.context(), *cfg)
	s.intr.runOver()
	if perr := stopProfile(); perr != nil && err == nil {
		err = perr
	}
	if line != nil {
		line.Clear()
	}
	return res, err
}

// loadScript loads -s's script, if any, into the configuration.
func (s *session) loadScript() error {
	o := s.opts
	if o.Script == "" {
		return nil
	}
	scriptOut := s.stdout
	if o.JSON == "-" {
		// Stdout carries only the JSON document.
		scriptOut = s.stderr
	}
	script, err := luascript.Load(luascript.Options{
		Path: o.Script, URL: o.URL, Args: o.ScriptArgs, Headers: o.Headers, Method: o.Method, Body: o.Body, Stdout: scriptOut,
		Context: s.intr.context(), ByEndpoint: s.cfg.ByEndpoint,
		// A script's stages outside the run end even when nobody is
		// there to press Ctrl-C.
		StageTime: stageTime(s.cfg.Duration),
	})
	if err != nil {
		return err
	}
	s.script, s.cfg.Script = script, script
	return nil
}

// report prints and writes what the run measured, runs the script's
// done(), and returns the exit status.
func (s *session) report(res *generator.Result) int {
	o, stderr := s.opts, s.stderr
	monitor := s.watch.stop()
	run := summary.New(res)
	textErr := writeText(s.out, run, &o.Outputs, monitor)
	if s.script != nil {
		// A Ctrl-C that ended the run must not cut done() short: the next
		// one interrupts it, and the one after that exits.
		s.script.SetContext(s.intr.nextStage())
		err := s.script.DoneRun(run)
		s.intr.runOver()
		if err != nil {
			return s.fail(err)
		}
	}
	if note, ok := report.ScheduleNote(res); ok && !o.Quiet {
		fmt.Fprintln(stderr, "gowrk: "+note)
	}
	if n := res.Errors.OverCap; n > 0 {
		fmt.Fprintf(stderr, "gowrk: %d responses had a body over the %d bytes response() may see (--max-body) and were counted as read errors\n", n, res.Config.MaxBody)
	}
	if n := res.Unfollowed; n > 0 {
		fmt.Fprintf(stderr, "gowrk: %d redirects were not followed (another origin, past --follow %d, no usable Location, or the server closed the connection); their 3xx is the response\n", n, res.Config.Follow)
	}
	if n := res.Config.Requests; n > 0 && !res.Completed {
		fmt.Fprintf(stderr, "gowrk: the run ended before -n %d requests were done: %d responses, %d errors\n", n, res.Requests, res.Errors.Socket())
	}
	if note, ok := report.SaturationNote(monitor); ok && !o.Quiet {
		fmt.Fprintln(stderr, "gowrk: "+note)
	}
	verdict := validity.Judge(run, monitor)
	d := report.Details{Version: Version, Monitor: monitor, Validity: &verdict}
	s.rounds.addTo(&d)
	d.TargetProfile = s.profiler.finish()
	code := finish(run, &o.Outputs, s.files, s.hlog, d, textErr, o.Quiet, s.stdout, stderr)
	d.Percentiles = o.Percentiles
	// The dashboard lingers as its own stage: Ctrl-C ends it.
	if err := s.watch.finish(s.intr.nextStage(), run, d); err != nil {
		fmt.Fprintln(stderr, "gowrk: dashboard: "+err.Error())
	}
	return code
}

// writeText prints the text report on out and flushes it.
func writeText(out *bufio.Writer, run *summary.Run, o *Outputs, monitor []sysstat.Series) error {
	err := report.TextReporter(run, report.TextOptions{Latency: o.Latency, Uncorrected: o.Uncorrected})(out)
	if err == nil {
		err = report.MonitorBreakpointText(out, run.Result, monitor)
	}
	if err == nil && o.ByEndpoint {
		err = report.EndpointsText(out, run)
	}
	if err == nil && o.ErrorReasons {
		err = report.ReasonsText(out, run)
	}
	if err == nil && o.ConnectTimes {
		err = report.ConnectText(out, run.Result)
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("cannot write the report: %w", err)
	}
	return nil
}

// minStageTime is the least time a script's top level, its setup() and
// init() together, or its done(), may take: short runs still leave room
// for a script that reads a large file. Tests shorten it.
var minStageTime = 10 * time.Second

// stageTime is how long each of a script's stages outside the run may
// take: as long as the run itself, and at least minStageTime.
func stageTime(run time.Duration) time.Duration { return max(run, minStageTime) }

// exitInterrupted is the status of a second Ctrl-C, the shell's 128+SIGINT.
const exitInterrupted = 130

// exit ends the process; tests replace it.
var exit = os.Exit

// interrupts handles Ctrl-C. The first one cancels the current stage's
// context: script loading and the run (which then ends early with a full
// report, as in wrk), or the script's done(). Should the stage not end
// promptly, the next Ctrl-C exits at once with status 130; so does any
// Ctrl-C between stages (while the report is written).
type interrupts struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	over   bool
	sigs   chan os.Signal
	done   chan struct{}
}

func catchInterrupts() *interrupts {
	i := &interrupts{sigs: make(chan os.Signal, 1), done: make(chan struct{})}
	i.ctx, i.cancel = context.WithCancel(context.Background())
	signal.Notify(i.sigs, os.Interrupt)
	go i.watch()
	return i
}

func (i *interrupts) watch() {
	for {
		select {
		case <-i.sigs:
		case <-i.done:
			return
		}
		i.mu.Lock()
		exitNow := i.over || i.ctx.Err() != nil
		i.cancel()
		i.mu.Unlock()
		if exitNow {
			exit(exitInterrupted)
			return
		}
	}
}

// context is the current stage's context.
func (i *interrupts) context() context.Context {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.ctx
}

// runOver marks the end of a stage: Ctrl-C now exits at once.
func (i *interrupts) runOver() {
	i.mu.Lock()
	i.over = true
	i.mu.Unlock()
}

// nextStage starts a stage that the next Ctrl-C cancels, and returns its
// context.
func (i *interrupts) nextStage() context.Context {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.cancel()
	i.ctx, i.cancel = context.WithCancel(context.Background())
	i.over = false
	return i.ctx
}

// stop restores the default handling of Ctrl-C.
func (i *interrupts) stop() {
	signal.Stop(i.sigs)
	close(i.done)
	i.cancel()
}

// finish writes the output files, prints the validity verdict (quiet: only
// a problem's line) and checks the thresholds: the common end of a run and
// a merge. A text report that could not be written (textErr) fails the run
// once the files are written.
func finish(run *summary.Run, o *Outputs, outFiles *files, hlog *hdrlog.Writer, d report.Details, textErr error, quiet bool, stdout, stderr io.Writer) int {
	d.Percentiles = o.Percentiles
	if len(o.FailOn) > 0 {
		obs := run.Observation()
		if d.Validity != nil {
			obs.Verdict = d.Validity.Status
		}
		d.Thresholds = threshold.Evaluate(o.FailOn, obs, true)
	}
	if err := errors.Join(textErr, outFiles.write(stdout, run, d, hlog)); err != nil {
		return fail(stderr, err)
	}
	if d.Validity != nil {
		fmt.Fprint(stderr, d.Validity.Text(quiet))
	}
	broken := false
	for _, t := range d.Thresholds {
		if t.Holds {
			fmt.Fprintln(stderr, "gowrk: threshold broken: "+t.String())
			broken = true
		}
	}
	if broken {
		return exitBroken
	}
	return exitOK
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, err)
	return exitFailed
}

const usage = `Usage: gowrk <options> <url>
  Options:
    -c, --connections <N>  Connections to keep open
    -d, --duration    <T>  Duration of test
    -t, --threads     <N>  Number of threads to use

    -s, --script      <S>  Load Lua script file
    -H, --header      <H>  Add header to request
    -L  --latency          Print latency statistics
    -T  --timeout     <T>  Socket/request timeout
    -v, --version          Print version details

  Open-loop (wrk2) and breakpoint modes:
    -R, --rate        <N>  Constant rate: total requests/sec
    -U, --u_latency        Also print the uncorrected latency (implies -L)
        --breakpoint <A:B> Ramp from A to B requests/sec over the duration
                           until a stop condition holds
        --steps       <N>  Ramp in N steps instead of linearly
        --stop-on     <C>  Stop conditions (default "p99>500ms,errors>1%")
        --window      <T>  Sliding window of the stop conditions (5s)

  Requests:
    -m, --method      <M>  Request method (GET)
    -b, --body        <B>  Request body
        --body-file   <F>  Request body from file F, byte for byte
    -n, --requests    <N>  Stop after exactly N requests got a response or
                           an error (-d then bounds the run only if given)
        --follow      <N>  Follow up to N redirects to the same origin on
                           the connection (the chain is one request; the
                           responses are kept up to --max-body)
        --warmup      <T>  Run T first at the same load, left out of every
                           statistic and output
        --expect-status <L>
                           Statuses that pass (2xx,404,500-504); others are
                           failed checks instead of status errors
        --expect-body <R>  Each body must match regexp R, or with @F equal
                           file F: failed checks (bodies up to --max-body)

  Workloads:
        --targets     <F>  Send the requests of a vegeta targets file
                           ("-": stdin); the URL is then optional
        --targets-order <O>
                           sequence (default) or random
        --stages      <S>  Ramp the rate: DURATION:RATE,... (30s:1k,2m:10k)
        --conn-stages <S>  Ramp the connections: DURATION:N,... (-c: the most)

  Output:
        --json        <F>  Write results as JSON to F ("-": stdout only)
        --percentiles <L>  Percentiles for JSON and HTML (50,75,90,99,...)
        --hdr-out     <F>  Write the latency distribution (.hgrm)
        --hdr-log     <F>  Write an HdrHistogram interval log (.hlog; "-":
                           to stdout, each line marked, for gowrk merge -)
        --report      <F>  Write a self-contained HTML report
        --fail-on     <C>  Exit 2 when a condition holds ("p99>200ms,errors>0.1%")
                           "invalid" (or "suspect"): the run's validity verdict
        --rounds      <N>  Repeat the whole run N times: each round's figures
                           and their median and spread on stderr, then the
                           median round's report and outputs
        --by-endpoint      Results per endpoint (method and path), also
                           after the text report
        --error-reasons    Print the top reasons of each error class
    -q, --quiet            No live progress on stderr; the validity verdict
                           only when not valid, in one line
        --max-body    <N>  Body bytes a response() hook sees; a larger
                           body is a read error (default 1048576)
        --connect-times    Print DNS, TCP and TLS connection times
        --cpuprofile  <F>  Write a Go CPU profile of gowrk itself (pprof)
        --profile-target <U>
                           Take the target's Go CPU profile from pprof URL U
                           (http://HOST:PORT/debug/pprof/) over the steady
                           part of the run; saved beside --report or --json
                           as NAME.target.pprof (else gowrk-target.pprof), its
                           top functions in the HTML and JSON reports

  Protocols and connections:
        --http2            HTTP/2: ALPN h2 over https, h2c over http
        --http3            HTTP/3 over QUIC (https URLs)
        --streams     <N>  Concurrent streams per HTTP/2 or HTTP/3 connection (1)
        --verify           Verify the server's certificate
        --cacert      <F>  CA certificates (PEM) for --verify
        --cert <F> --key <F>
                           Present a client certificate (PEM)
        --sni         <S>  TLS server name to send
        --tls-min <V> --tls-max <V>
                           TLS versions (1.0, 1.1, 1.2, 1.3)
        --no-tls-resume    Full TLS handshake on every reconnect
        --unix-socket <P>  Connect to unix socket P (the URL gives Host)
        --proxy       <U>  HTTP proxy, http://[user:pass@]host:port
        --source-addrs <L> Connect from these local addresses, spread
                           evenly: IPs, ranges, CIDR (127.0.0.2-127.0.0.5)
        --engine      <E>  auto (default), loop (event loops: plain text,
                           Linux) or goroutine (a goroutine per connection)
        --start-at    <T>  Make the first connections at T, after setup:
                           RFC 3339 (2026-12-03T10:00:00Z) or +30s
        --shard     <I/N>  Run part I (from 1) of N of the workload: its
                           share of -c, -R, stages and targets

  Watching a run:
        --dashboard  [A]   Serve a live dashboard on A (127.0.0.1:5665)
        --dashboard-linger <T>
                           Keep serving it for T after the run
        --monitor-pid <P>  Sample process P's CPU and memory (repeatable)
        --monitor-cgroup <D>
                           Sample cgroup v2 directory D (repeatable)
        --prometheus-rw <U>
                           Push the series to a Prometheus remote write
                           URL every second and once more after the run

  gowrk merge [-L] [-U] [--json F] [--report F] [--hdr-out F] [--fail-on C]
              [--strict] [--max-skew T] <file.hlog | ->...
    merges the interval logs of runs made at the same time ("-": the logs
    in stdin); refuses incomplete shards, --strict also runs that started
    more than --max-skew (10ms) apart or ran different workloads

  gowrk compare [--json F] [--fail-on C] [--strict] <baseline.json> <run.json>...
    judges each run's JSON report (--json) against the baseline's, from
    their series intervals: the change in requests/s, p50, p90 and p99 with
    a 95% confidence interval, or "no significant difference"; --fail-on
    ("p99>+10%,rps<-5%,p50>+2ms") exits 2 only for significant changes;
    --strict refuses runs of different workloads

  Numeric arguments may include a SI unit (1k, 1M, 1G)
  Time arguments may include a time unit (2s, 2m, 2h)
`
