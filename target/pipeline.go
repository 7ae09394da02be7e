package target

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// readPipeline runs concurrent read queries through a few connections in
// PostgreSQL pipeline mode: whatever reads are queued when a worker is free
// go out in one write on one connection, the server runs them back to back and
// answers in one stream. Each request still runs its own query, issued
// after the request arrived (so it sees every write committed before it),
// but the per-query round trip, syscalls and process wake-ups are shared.
// Under load this roughly halves the database CPU per read; alone, a read
// goes out at once, as a plain query.
type readPipeline struct {
	store    *Store
	in       chan *pendingRead
	maxBatch int
	pool     sync.Pool

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	wg     sync.WaitGroup

	// Counters for /debug/pool: reads per round trip shows how much the
	// pipelining saves.
	reads, roundTrips atomic.Int64
}

type pendingRead struct {
	sql      string
	args     []any
	scan     func(pgx.Rows) error
	enqueued time.Time
	ran      bool
	err      error
	done     chan struct{}
}

func newReadPipeline(store *Store, workers, maxBatch int) *readPipeline {
	p := &readPipeline{
		store:    store,
		in:       make(chan *pendingRead, workers*maxBatch),
		maxBatch: maxBatch,
	}
	p.pool.New = func() any { return &pendingRead{done: make(chan struct{}, 1)} }
	p.wg.Add(workers)
	for range workers {
		go p.work()
	}
	return p
}

// query runs sql with args and hands the rows to scan, which must read
// them before returning (they are gone afterwards).
func (p *readPipeline) query(sql string, args []any, scan func(pgx.Rows) error) error {
	pr := p.pool.Get().(*pendingRead)
	pr.sql, pr.args, pr.scan, pr.enqueued = sql, args, scan, time.Now()
	p.mu.RLock()
	if p.closed {
		p.mu.RUnlock()
		p.pool.Put(pr)
		return errBatcherClosed
	}
	p.in <- pr
	p.mu.RUnlock()
	<-pr.done
	err := pr.err
	*pr = pendingRead{done: pr.done}
	p.pool.Put(pr)
	return err
}

// close stops the workers after the queued reads are answered.
func (p *readPipeline) close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.in)
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *readPipeline) work() {
	defer p.wg.Done()
	batch := make([]*pendingRead, 0, p.maxBatch)
	for first := range p.in {
		batch = append(batch[:0], first)
	gather:
		for len(batch) < p.maxBatch {
			select {
			case pr, ok := <-p.in:
				if !ok {
					break gather
				}
				batch = append(batch, pr)
			default:
				break gather
			}
		}
		p.run(batch)
		for _, pr := range batch {
			pr.done <- struct{}{}
		}
		clear(batch)
	}
}

// run executes batch on one connection and sets each read's error.
func (p *readPipeline) run(batch []*pendingRead) {
	s := p.store
	// A read that already waited out the acquire timeout in the queue is
	// failed rather than run late: overload becomes 503s, not a backlog.
	now := time.Now()
	live := batch[:0:0]
	for _, pr := range batch {
		if now.Sub(pr.enqueued) > s.acquireTimeout {
			pr.err = &unavailableError{op: "queue", err: errors.New("read waited too long for a connection")}
			continue
		}
		live = append(live, pr)
	}
	if len(live) == 0 {
		return
	}
	conn, err := s.acquire(context.Background())
	if err != nil {
		for _, pr := range live {
			pr.err = err
		}
		return
	}
	defer conn.Release()
	ctx, cancel := context.WithTimeout(context.Background(), s.queryTimeout)
	defer cancel()
	p.reads.Add(int64(len(live)))
	p.roundTrips.Add(1)

	if len(live) == 1 {
		pr := live[0]
		rows, err := conn.Query(ctx, pr.sql, pr.args...)
		if err == nil {
			err = pr.scan(rows)
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
		}
		pr.err = err
		return
	}

	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(live))}
	for _, pr := range live {
		b.Queue(pr.sql, pr.args...).Query(func(rows pgx.Rows) error {
			pr.ran = true
			pr.err = pr.scan(rows)
			return pr.err
		})
	}
	err = conn.SendBatch(ctx, b).Close()
	for _, pr := range live {
		switch {
		case !pr.ran && err != nil:
			pr.err = err
		case !pr.ran:
			pr.err = errors.New("pipelined read was not run")
		}
	}
}
