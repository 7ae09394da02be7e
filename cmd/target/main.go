// Command target runs the posts API under load test.
//
//	target [flags]                  serve (see -h for flags and env)
//	target seed -n N [--database-url URL]
//	                                migrate, then insert N generated posts
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gowrk/gowrk/target"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr, log)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	case err != nil:
		log.Error(err.Error())
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, log *slog.Logger) error {
	if len(args) > 0 && args[0] == "seed" {
		return seed(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "serve" {
		args = args[1:]
	}
	cfg, err := target.ParseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	svc, err := target.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	return svc.Serve(ctx)
}

func seed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("target seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 10000, "number of posts to insert")
	url := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := target.DefaultConfig()
	cfg.DatabaseURL = *url
	if err := cfg.Validate(); err != nil {
		return err
	}
	pool, err := target.OpenPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := target.Migrate(ctx, pool); err != nil {
		return err
	}
	start := time.Now()
	got, err := target.Seed(ctx, pool, *n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d posts in %s\n", got, time.Since(start).Round(time.Millisecond))
	return nil
}
