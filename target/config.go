// Package target is the HTTP API under load test: a small posts service on
// Fiber and PostgreSQL (pgx), built to stay correct and fast under overload.
package target

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"
)

// WriteMode selects how POST /api/posts reaches the database.
type WriteMode string

const (
	// WriteDirect runs one INSERT (one commit) per request.
	WriteDirect WriteMode = "direct"
	// WriteBatch groups concurrent requests into one multi-row INSERT (one
	// commit); each request is answered after that commit.
	WriteBatch WriteMode = "batch"
)

// Config is the service configuration.
type Config struct {
	DatabaseURL string
	Listen      string
	// PoolSize is the maximum number of PostgreSQL connections.
	PoolSize int
	// AcquireTimeout bounds the wait for a pooled connection; past it the
	// request fails with 503 instead of queueing without end.
	AcquireTimeout time.Duration
	// QueryTimeout bounds one statement once a connection is held.
	QueryTimeout time.Duration
	WriteMode    WriteMode
	// BatchWait is how long the oldest pending POST may wait for others to
	// join its batch. 0 takes only what is already queued, which under load
	// is plenty: posts queue up while the previous batch commits. On 2 cores
	// at 64 connections, 0 gave ~37k req/s, 500us ~32k and 1ms ~24k, since
	// the wait only adds latency. BatchMax caps the rows in one batch;
	// BatchWorkers is the number of batches in flight at once.
	BatchWait    time.Duration
	BatchMax     int
	BatchWorkers int
	// ReadPipeline is the most reads sent together in one pipeline on one
	// connection; 1 turns pipelining off (one query per round trip).
	ReadPipeline int
	// ReadWorkers is the number of connections pipelined reads use at once;
	// 0 means DefaultReadWorkers, capped at PoolSize.
	ReadWorkers int
	// Pprof exposes /debug/pprof/ and /debug/pool.
	Pprof bool
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration
}

// DefaultPoolSize sizes the pool for the machine. Reads are CPU work and go
// through a few pipelined connections (DefaultReadWorkers); the pool is
// sized for writes in direct mode, which mostly wait on the WAL flush and
// share it (PostgreSQL's own group commit) only when enough of them are in
// flight: measured on 2 cores, 8 to 16 connections, and 4 or 32 did worse.
// The cap keeps big machines far from max_connections.
func DefaultPoolSize() int { return min(8*runtime.GOMAXPROCS(0), 64) }

// DefaultReadWorkers is one pipelined read connection per core, at least
// two so one pipeline can be read while the next runs; more connections
// only make each pipeline shorter (measured: 2 beat 4 and 8 on 2 cores).
func DefaultReadWorkers() int { return max(2, runtime.GOMAXPROCS(0)) }

// DefaultConfig is the configuration before flags and environment.
func DefaultConfig() Config {
	return Config{
		Listen:          "127.0.0.1:3000",
		PoolSize:        DefaultPoolSize(),
		AcquireTimeout:  time.Second,
		QueryTimeout:    5 * time.Second,
		WriteMode:       WriteBatch,
		BatchWait:       0,
		BatchMax:        256,
		BatchWorkers:    2,
		ReadPipeline:    32,
		ShutdownTimeout: 30 * time.Second,
	}
}

// ParseConfig reads flags from args, each falling back to its environment
// variable (looked up with getenv), then to DefaultConfig.
func ParseConfig(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("target", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var mode string
	envs := map[string]string{}
	def := func(name, env string) string { envs[name] = env; return " (env " + env + ")" }
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL URL"+def("database-url", "DATABASE_URL"))
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "listen address"+def("listen", "TARGET_LISTEN"))
	fs.IntVar(&cfg.PoolSize, "pool-size", cfg.PoolSize, "max PostgreSQL connections"+def("pool-size", "TARGET_POOL_SIZE"))
	fs.DurationVar(&cfg.AcquireTimeout, "acquire-timeout", cfg.AcquireTimeout, "max wait for a pooled connection before 503"+def("acquire-timeout", "TARGET_ACQUIRE_TIMEOUT"))
	fs.DurationVar(&cfg.QueryTimeout, "query-timeout", cfg.QueryTimeout, "max time of one statement"+def("query-timeout", "TARGET_QUERY_TIMEOUT"))
	fs.StringVar(&mode, "write-mode", string(cfg.WriteMode), "direct or batch"+def("write-mode", "TARGET_WRITE_MODE"))
	fs.DurationVar(&cfg.BatchWait, "batch-wait", cfg.BatchWait, "batch mode: max wait of the oldest pending POST"+def("batch-wait", "TARGET_BATCH_WAIT"))
	fs.IntVar(&cfg.BatchMax, "batch-max", cfg.BatchMax, "batch mode: max rows per batch"+def("batch-max", "TARGET_BATCH_MAX"))
	fs.IntVar(&cfg.BatchWorkers, "batch-workers", cfg.BatchWorkers, "batch mode: batches in flight at once"+def("batch-workers", "TARGET_BATCH_WORKERS"))
	fs.IntVar(&cfg.ReadPipeline, "read-pipeline", cfg.ReadPipeline, "most reads pipelined together on one connection; 1: off"+def("read-pipeline", "TARGET_READ_PIPELINE"))
	fs.IntVar(&cfg.ReadWorkers, "read-workers", cfg.ReadWorkers, "connections used by pipelined reads; 0: auto"+def("read-workers", "TARGET_READ_WORKERS"))
	fs.BoolVar(&cfg.Pprof, "pprof", false, "serve /debug/pprof/ and /debug/pool"+def("pprof", "TARGET_PPROF"))
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "max graceful shutdown time"+def("shutdown-timeout", "TARGET_SHUTDOWN_TIMEOUT"))

	// Environment first, so flags given on the command line win.
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		env := envs[f.Name]
		if v := getenv(env); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.WriteMode = WriteMode(strings.ToLower(mode))
	return cfg, cfg.Validate()
}

// readWorkers resolves ReadWorkers' automatic value.
func (c Config) readWorkers() int {
	if c.ReadWorkers > 0 {
		return c.ReadWorkers
	}
	return min(DefaultReadWorkers(), c.PoolSize)
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.DatabaseURL == "":
		return errors.New("database URL is required (--database-url or DATABASE_URL)")
	case c.Listen == "":
		return errors.New("listen address is empty")
	case c.PoolSize < 1:
		return fmt.Errorf("pool size %d: must be at least 1", c.PoolSize)
	case c.AcquireTimeout <= 0 || c.QueryTimeout <= 0 || c.ShutdownTimeout <= 0:
		return errors.New("timeouts must be positive")
	case c.WriteMode != WriteDirect && c.WriteMode != WriteBatch:
		return fmt.Errorf("write mode %q: want direct or batch", c.WriteMode)
	case c.BatchWait < 0:
		return errors.New("batch wait must not be negative")
	case c.BatchMax < 1 || c.BatchWorkers < 1:
		return errors.New("batch max and batch workers must be at least 1")
	case c.ReadPipeline < 1 || c.ReadWorkers < 0:
		return errors.New("read pipeline must be at least 1 and read workers not negative")
	case c.ReadWorkers > c.PoolSize:
		return fmt.Errorf("read workers (%d) exceed the pool size (%d)", c.ReadWorkers, c.PoolSize)
	case c.WriteMode == WriteBatch && c.BatchWorkers > c.PoolSize:
		return fmt.Errorf("batch workers (%d) exceed the pool size (%d)", c.BatchWorkers, c.PoolSize)
	}
	return nil
}
