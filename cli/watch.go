package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/dashboard"
	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/promexport"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
)

// Watch are the options that watch a run while it goes: the live
// dashboard, the monitored processes and cgroups, and the Prometheus
// remote write receiver.
type Watch struct {
	// Dashboard is the address the live dashboard listens on; "" for none.
	Dashboard string
	// Linger is how long, in seconds, the dashboard keeps serving after the
	// run.
	Linger         uint64
	MonitorPIDs    []int
	MonitorCgroups []string
	// PrometheusRW is the URL of a remote write receiver; "" for none.
	PrometheusRW string
}

// remoteWriteValue is --prometheus-rw's URL, checked before the run.
type remoteWriteValue struct{ u *string }

func (v remoteWriteValue) String() string { return *v.u }
func (v remoteWriteValue) Type() string   { return "URL" }
func (v remoteWriteValue) Set(s string) error {
	if _, err := promexport.ParseURL(s); err != nil {
		return err
	}
	*v.u = s
	return nil
}

// pidsValue collects repeated --monitor-pid flags.
type pidsValue struct{ p *[]int }

func (p pidsValue) String() string { return "" }
func (p pidsValue) Type() string   { return "PID" }
func (p pidsValue) Set(s string) error {
	pid, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || pid <= 0 {
		return fmt.Errorf("invalid PID %q: want a process ID above 0", s)
	}
	*p.p = append(*p.p, pid)
	return nil
}

func addWatchFlags(fs *pflag.FlagSet, w *Watch) {
	fs.StringVar(&w.Dashboard, "dashboard", "", "Serve a live dashboard")
	fs.Lookup("dashboard").NoOptDefVal = dashboard.DefaultAddr
	fs.Var(timeValue{&w.Linger}, "dashboard-linger", "Keep the dashboard serving after the run")
	fs.Var(pidsValue{&w.MonitorPIDs}, "monitor-pid", "Sample a process's CPU and memory")
	fs.StringArrayVar(&w.MonitorCgroups, "monitor-cgroup", nil, "Sample a cgroup v2's CPU and memory")
	fs.Var(remoteWriteValue{&w.PrometheusRW}, "prometheus-rw", "Push the run's series to a Prometheus remote write URL")
}

// joinDashboardAddr lets --dashboard take its optional address as the next
// word ("--dashboard 0.0.0.0:5665"), which pflag only takes after "=", when
// that word is a host:port rather than the URL or another flag.
func joinDashboardAddr(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			return append(out, args[i:]...)
		}
		if args[i] == "--dashboard" && i+1 < len(args) && isHostPort(args[i+1]) {
			out = append(out, "--dashboard="+args[i+1])
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

func isHostPort(s string) bool {
	if strings.HasPrefix(s, "-") || strings.Contains(s, "/") {
		return false
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	_, err = strconv.ParseUint(port, 10, 16)
	return err == nil
}

func (w *Watch) check(fs *pflag.FlagSet) error {
	if fs.Changed("dashboard-linger") && w.Dashboard == "" {
		return errors.New("--dashboard-linger needs --dashboard")
	}
	if w.Dashboard != "" && !isHostPort(w.Dashboard) {
		return fmt.Errorf("invalid dashboard address %q: want HOST:PORT, e.g. 127.0.0.1:5665", w.Dashboard)
	}
	return nil
}

// watcher samples resources, serves the dashboard and pushes the series
// during a run.
type watcher struct {
	sampler *sysstat.Sampler
	dash    *dashboard.Server
	linger  time.Duration
	series  *promexport.Collector // with the dashboard or remote write
	pusher  *promexport.Pusher
	stderr  io.Writer
}

// finalPushTimeout bounds the push of the run's figures after it.
const finalPushTimeout = 10 * time.Second

// startWatch sets up the sampling and the dashboard before the run, so
// that a bad PID, cgroup or address fails at once, and hooks them into
// cfg.
func startWatch(w *Watch, cfg *generator.Config, stderr io.Writer) (*watcher, error) {
	sampler, err := sysstat.New(w.MonitorPIDs, w.MonitorCgroups)
	if err != nil {
		return nil, err
	}
	wt := &watcher{sampler: sampler, linger: time.Duration(w.Linger) * time.Second, stderr: stderr}
	if w.Dashboard != "" || w.PrometheusRW != "" {
		if err := wt.startSeries(cfg); err != nil {
			return nil, err
		}
	}
	if w.Dashboard != "" {
		dash, err := dashboard.Listen(w.Dashboard, sampler.Series)
		if err != nil {
			return nil, err
		}
		wt.dash = dash
		fmt.Fprintf(stderr, "gowrk: dashboard at %s\n", dash.URL())
		cfg.OnInterval = chain(cfg.OnInterval, dash.Interval)
		cfg.Progress = chain(cfg.Progress, dash.Progress)
		dash.SetMetrics(wt.series)
	}
	if w.PrometheusRW != "" {
		// Started last: nothing after it can fail and leave it running.
		if wt.pusher, err = promexport.NewPusher(w.PrometheusRW, wt.series); err != nil {
			wt.close()
			return nil, err
		}
		// After the collector's, so that each push carries the bucket.
		cfg.OnInterval = chain(cfg.OnInterval, wt.pusher.Interval)
	}
	started := cfg.Started
	cfg.Started = func() {
		// The samples' clock starts with the first request, as the series'.
		sampler.Start(time.Second)
		if started != nil {
			started()
		}
	}
	return wt, nil
}

// startSeries sets up the run's Prometheus series, labelled with the
// shard of a sharded run.
func (wt *watcher) startSeries(cfg *generator.Config) error {
	var opts promexport.Options
	if cfg.Shard.Enabled() {
		opts.Shard = cfg.Shard.String()
	}
	series, err := promexport.New(cfg, opts)
	if err != nil {
		return err
	}
	wt.series = series
	cfg.OnInterval = chain(cfg.OnInterval, series.Interval)
	return nil
}

func chain[T any](a, b func(T)) func(T) {
	if a == nil {
		return b
	}
	return func(v T) { a(v); b(v) }
}

// stop ends the sampling and returns the series.
func (wt *watcher) stop() []sysstat.Series {
	wt.sampler.Stop()
	return wt.sampler.Series()
}

// finish sets the series to the run's figures and pushes them, shows the
// final report on the dashboard and keeps serving it for the linger time
// or until ctx ends.
func (wt *watcher) finish(ctx context.Context, run *summary.Run, d report.Details) error {
	if wt.series != nil {
		wt.series.Finish(run.Result)
	}
	var err error
	if wt.dash != nil {
		err = wt.dash.Finish(run, d)
	}
	if wt.pusher != nil {
		pushCtx, cancel := context.WithTimeout(ctx, finalPushTimeout)
		st := wt.pusher.Close(pushCtx)
		cancel()
		if st.Failed > 0 {
			fmt.Fprintln(wt.stderr, "gowrk: "+st.String())
		}
	}
	if wt.dash == nil {
		return nil
	}
	defer wt.dash.Close()
	if err != nil {
		return err
	}
	if wt.linger > 0 {
		t := time.NewTimer(wt.linger)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return nil
}

// close ends everything after a failed run.
func (wt *watcher) close() {
	if wt.pusher != nil {
		wt.pusher.Stop()
	}
	wt.sampler.Stop()
	if wt.dash != nil {
		wt.dash.Close()
	}
}
