package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/targetprofile"
)

// profileTop is how many functions the reports list.
const profileTop = 15

// defaultProfileFile is where the target's profile goes without --report
// or --json to put it beside.
const defaultProfileFile = "gowrk-target.pprof"

// profileTargetValue is --profile-target's pprof URL, checked at once.
type profileTargetValue struct{ u *string }

func (v profileTargetValue) String() string { return *v.u }
func (v profileTargetValue) Type() string   { return "URL" }
func (v profileTargetValue) Set(s string) error {
	if _, err := targetprofile.ParseURL(s); err != nil {
		return err
	}
	*v.u = s
	return nil
}

func addProfileTargetFlag(fs *pflag.FlagSet, u *string) {
	fs.Var(profileTargetValue{u}, "profile-target", "Take the target's Go CPU profile (pprof URL) during the run")
}

// profilePath is where the target's profile is saved: beside the HTML
// report (run.html: run.target.pprof), else beside the JSON report, else
// in the working directory.
func profilePath(o *Outputs) string {
	beside := o.Report
	if beside == "" && o.JSON != "-" {
		beside = o.JSON
	}
	if beside == "" {
		return defaultProfileFile
	}
	return strings.TrimSuffix(beside, filepath.Ext(beside)) + ".target.pprof"
}

// profileSpan is the part of the run whose load is steady: the measured
// run after any warm-up, or with stages their longest stage that holds
// the level of the one before (the plateau of a ramp up, hold, ramp
// down), when a profile fits in it.
func profileSpan(cfg *generator.Config) (start, length time.Duration) {
	start, length = cfg.Warmup, cfg.Duration
	stages := cfg.Pacer.Stages()
	if len(stages) == 0 {
		stages = cfg.ConnStages
	}
	var at, bestAt, best time.Duration
	level := 0.0
	for _, s := range stages {
		if s.Target == level && s.Target > 0 && s.Duration > best {
			bestAt, best = at, s.Duration
		}
		at += s.Duration
		level = s.Target
	}
	if _, err := targetprofile.Plan(bestAt, best); err == nil {
		return bestAt, best
	}
	return start, length
}

// targetProfiler takes the target's CPU profile during a run
// (--profile-target) and saves it beside the reports.
type targetProfiler struct {
	rawURL   string
	endpoint *url.URL
	window   targetprofile.Window
	warmup   time.Duration
	file     *os.File
	started  time.Time
	capture  *targetprofile.Capture
	stderr   io.Writer
}

// startTargetProfile plans the profile's window and creates its file
// before the run, so that a run too short or a bad path fails at once,
// and starts the profile's clock with the run's first request.
func startTargetProfile(o *Options, cfg *generator.Config, stderr io.Writer) (*targetProfiler, error) {
	if o.ProfileTarget == "" {
		return nil, nil
	}
	endpoint, err := targetprofile.ParseURL(o.ProfileTarget)
	if err != nil {
		return nil, err
	}
	window, err := targetprofile.Plan(profileSpan(cfg))
	if errors.Is(err, targetprofile.ErrTooShort) {
		return nil, fmt.Errorf("--profile-target needs a longer run: a %s run leaves no whole second of steady load to profile: run 2s at least", cfg.Duration)
	}
	f, err := os.Create(profilePath(&o.Outputs))
	if err != nil {
		return nil, err
	}
	p := &targetProfiler{rawURL: o.ProfileTarget, endpoint: endpoint, window: window, warmup: cfg.Warmup, file: f, stderr: stderr}
	started := cfg.Started
	cfg.Started = func() {
		p.started = time.Now()
		p.capture = targetprofile.Start(http.DefaultClient, endpoint, window)
		if started != nil {
			started()
		}
	}
	return p, nil
}

// finish saves the profile once the run is over and returns it for the
// reports. A run that ended before the profile's window did (Ctrl-C, a
// breakpoint, -n) does not wait for it. A profile that failed is a line
// on stderr and leaves the exit status alone: the run's own results
// stand.
func (p *targetProfiler) finish() *report.TargetProfile {
	if p == nil {
		return nil
	}
	tp := &report.TargetProfile{URL: p.rawURL, Start: p.window.Start - p.warmup, Seconds: p.window.Seconds}
	failed := func(why string) *report.TargetProfile {
		p.abort()
		fmt.Fprintln(p.stderr, "gowrk: target profile not captured: "+why)
		tp.Failed = why
		return tp
	}
	if p.capture == nil {
		return failed("the run did not start")
	}
	select {
	case <-p.capture.Done():
	default:
		if time.Since(p.started) < p.window.End() {
			return failed(fmt.Sprintf("the run ended before the profile's window (%s to %s of the measured run) did", tp.Start, tp.Start+time.Duration(tp.Seconds)*time.Second))
		}
	}
	data, prof, err := p.capture.Result()
	if err != nil {
		return failed(err.Error())
	}
	summary, err := targetprofile.Summarize(prof, profileTop)
	if err != nil {
		return failed(err.Error())
	}
	name := p.file.Name()
	_, err = p.file.Write(data)
	if cerr := p.file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return failed(err.Error())
	}
	tp.File, tp.Summary = name, summary
	fmt.Fprintf(p.stderr, "gowrk: target CPU profile (%ds) written to %s\n", tp.Seconds, name)
	return tp
}

// abort gives the profile up and removes its file: after a failed run,
// or a failed profile.
func (p *targetProfiler) abort() {
	if p == nil {
		return
	}
	if p.capture != nil {
		p.capture.Cancel()
	}
	p.file.Close()
	os.Remove(p.file.Name())
}
