package target

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Service is the running API: pool, writer, app and listener.
type Service struct {
	cfg     Config
	log     *slog.Logger
	pool    *pgxpool.Pool
	store   *Store
	batcher *Batcher // nil in direct mode
	app     *fiber.App
	conns   *connTracker
	ln      net.Listener
}

// OpenPool connects a pool sized and bounded by cfg.
func OpenPool(ctx context.Context, cfg Config) (*pgxpool.Pool, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		// The error text may contain the password; say only what failed.
		return nil, errors.New("database URL: cannot parse")
	}
	pcfg.MaxConns = int32(cfg.PoolSize)
	// A connect attempt is part of an acquire, so it gets the same bound.
	pcfg.ConnConfig.ConnectTimeout = cfg.AcquireTimeout
	if pcfg.ConnConfig.RuntimeParams == nil {
		pcfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	if _, ok := pcfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		pcfg.ConnConfig.RuntimeParams["application_name"] = "target"
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("database pool: %w", err)
	}
	return pool, nil
}

// New connects to the database, migrates it and listens on cfg.Listen;
// Serve then runs the API.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pool, err := OpenPool(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	s := &Service{cfg: cfg, log: log, pool: pool}
	store := NewStore(pool, cfg.AcquireTimeout, cfg.QueryTimeout)
	if cfg.ReadPipeline > 1 {
		store.PipelineReads(cfg.readWorkers(), cfg.ReadPipeline)
	}
	s.store = store
	var writer PostWriter = store
	if cfg.WriteMode == WriteBatch {
		s.batcher = NewBatcher(store, BatcherConfig{
			MaxWait: cfg.BatchWait,
			MaxRows: cfg.BatchMax,
			Workers: cfg.BatchWorkers,
			Timeout: cfg.AcquireTimeout + cfg.QueryTimeout,
		})
		writer = s.batcher
	}
	s.app = NewApp(store, writer, log, cfg.Pprof)
	s.conns = newConnTracker()
	srv := s.app.Server()
	srv.ConnState = s.conns.connState
	srv.Handler = s.conns.handler(srv.Handler)
	s.ln, err = net.Listen("tcp", cfg.Listen)
	if err != nil {
		s.closeBackends()
		return nil, fmt.Errorf("listen: %w", err)
	}
	return s, nil
}

// Addr is the address the service listens on.
func (s *Service) Addr() net.Addr { return s.ln.Addr() }

// Serve answers requests until ctx is done, then shuts down gracefully:
// stop accepting, close idle connections and those still sending a
// request, let requests in the handlers finish (up to ShutdownTimeout),
// flush pending writes, close the pool.
func (s *Service) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(s.ln) }()
	s.log.Info("listening", "addr", s.ln.Addr().String(), "write_mode", s.cfg.WriteMode,
		"pool_size", s.cfg.PoolSize, "read_pipeline", s.cfg.ReadPipeline, "read_workers", s.cfg.readWorkers(), "pprof", s.cfg.Pprof)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
		// The listener failed on its own; still release everything.
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	s.conns.stop()
	shutdownErr := s.shutdown(sctx)
	// Closing the listener too covers a shutdown that ran before Listener
	// registered it (then fasthttp would keep serving).
	_ = s.ln.Close()
	if serveErr == nil {
		if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
			serveErr = err
		}
	}
	s.closeBackends()
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	if serveErr != nil {
		return fmt.Errorf("serve: %w", serveErr)
	}
	s.log.Info("stopped")
	return nil
}

// shutdown runs fasthttp's graceful shutdown while cutting, every few
// milliseconds, the connections whose last request has just finished.
func (s *Service) shutdown(ctx context.Context) error {
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				s.conns.stop()
			}
		}
	}()
	return s.app.ShutdownWithContext(ctx)
}

func (s *Service) closeBackends() {
	if s.batcher != nil {
		s.batcher.Close()
	}
	s.store.Close()
	s.pool.Close()
}
