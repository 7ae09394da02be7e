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

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/luascript"
	"github.com/gowrk/gowrk/report"
)

// Version is gowrk's version, printed by -v.
var Version = "0.1.0"

// Main runs gowrk with args (without the program name) and returns the exit
// status: 0 on success, 1 on bad input or a failed run.
func Main(args []string, stdout, stderr io.Writer) int {
	opts, err := Parse(args)
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(stderr, usage)
		return 1
	case err != nil:
		fmt.Fprintln(stderr, err)
		return 1
	case opts.Help:
		fmt.Fprint(stdout, usage)
		return 0
	case opts.Version:
		fmt.Fprintf(stdout, "gowrk %s [%s] Copyright (C) 2026 the gowrk authors\n", Version, runtime.Version())
		return 0
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// -t bounds the cores used, as wrk's threads do.
		runtime.GOMAXPROCS(min(int(opts.Threads), runtime.NumCPU()))
	}
	cfg := opts.Config()
	var script *luascript.Script
	if opts.Script != "" {
		var err error
		script, err = luascript.Load(luascript.Options{
			Path: opts.Script, URL: opts.URL, Args: opts.ScriptArgs, Headers: opts.Headers, Stdout: stdout,
		})
		if err != nil {
			return fail(stderr, err)
		}
		cfg.Script = script
	}

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	report.Header(out, opts.RawURL, &cfg)
	out.Flush()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	res, err := generator.Run(ctx, cfg)
	stop()
	if err != nil {
		return fail(stderr, err)
	}
	report.Text(out, res, report.TextOptions{Latency: opts.Latency})
	if script != nil {
		out.Flush()
		if err := script.Done(res); err != nil {
			return fail(stderr, err)
		}
	}
	return 0
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, err)
	return 1
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

  Numeric arguments may include a SI unit (1k, 1M, 1G)
  Time arguments may include a time unit (2s, 2m, 2h)
`
