// Command localpg starts and stops a throwaway local PostgreSQL for shell
// scripts (demo, benchmarks), using the same helper as the tests.
//
//	localpg start --dir DIR [--port N] [--max-connections N]
//	    initialises DIR if needed, starts PostgreSQL, prints DATABASE_URL=...
//	    and leaves the server running (a running one is reused).
//	localpg stop --dir DIR
//	    stops it; DIR is kept (remove it to start afresh).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gowrk/gowrk/internal/localpg"
)

const usage = `usage:
  localpg start --dir DIR [--port N] [--max-connections N]
  localpg stop --dir DIR
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "localpg:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd := args[0]
	fs := flag.NewFlagSet("localpg "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	dir := fs.String("dir", "", "directory holding the cluster (required)")
	port := fs.Int("port", 0, "TCP port on 127.0.0.1 (0: a free one)")
	maxConns := fs.Int("max-connections", 0, "max_connections (0: 200)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *dir == "" {
		fmt.Fprint(stderr, usage)
		return errors.New("--dir is required")
	}
	switch cmd {
	case "start":
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		s, err := localpg.Start(ctx, localpg.Options{Dir: *dir, Port: *port, MaxConnections: *maxConns})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "DATABASE_URL=%s\n", s.URL())
		return nil
	case "stop":
		return localpg.StopDir(*dir, localpg.Options{})
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
