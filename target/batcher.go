package target

import (
	"context"
	"sync"
	"time"
)

// PostWriter stores one new post and returns it as stored.
type PostWriter interface {
	CreatePost(ctx context.Context, p NewPost) (Post, error)
}

// batchInserter stores many posts in one transaction (Store.InsertPosts).
type batchInserter interface {
	InsertPosts(ctx context.Context, posts []NewPost, out []Post) error
}

// Batcher is a group-commit PostWriter: concurrent CreatePost calls are
// gathered and written by one multi-row INSERT in one transaction, so many
// requests share one WAL flush. A call returns only after its batch
// committed, and a failed batch fails every call in it.
type Batcher struct {
	ins     batchInserter
	in      chan *pendingPost
	maxRows int
	maxWait time.Duration
	// timeout bounds one batch write, so a hung database cannot hold a
	// worker (and its callers) forever.
	timeout time.Duration
	pool    sync.Pool

	mu     sync.RWMutex // guards closed against sends on a closed channel
	closed bool
	wg     sync.WaitGroup
}

type pendingPost struct {
	post     NewPost
	enqueued time.Time
	result   Post
	err      error
	done     chan struct{}
}

// BatcherConfig tunes a Batcher.
type BatcherConfig struct {
	// MaxWait is how long the oldest pending post may wait for company
	// before its batch is written.
	MaxWait time.Duration
	// MaxRows caps one batch.
	MaxRows int
	// Workers is the number of batches written at once; while one commits,
	// the next gathers.
	Workers int
	// Timeout bounds one batch write.
	Timeout time.Duration
}

// NewBatcher starts the workers; Close stops them.
func NewBatcher(ins batchInserter, cfg BatcherConfig) *Batcher {
	if cfg.MaxRows < 1 {
		cfg.MaxRows = 1
	}
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	b := &Batcher{
		ins:     ins,
		in:      make(chan *pendingPost, cfg.MaxRows*cfg.Workers),
		maxRows: cfg.MaxRows,
		maxWait: cfg.MaxWait,
		timeout: cfg.Timeout,
	}
	b.pool.New = func() any { return &pendingPost{done: make(chan struct{}, 1)} }
	b.wg.Add(cfg.Workers)
	for range cfg.Workers {
		go b.work()
	}
	return b
}

// CreatePost queues p and waits for its batch to commit. It deliberately
// ignores ctx cancellation once queued: the caller must learn whether the
// row was stored, or a committed row could be reported as failed.
func (b *Batcher) CreatePost(_ context.Context, p NewPost) (Post, error) {
	pp := b.pool.Get().(*pendingPost)
	pp.post, pp.enqueued = p, time.Now()
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		b.pool.Put(pp)
		return Post{}, errBatcherClosed
	}
	b.in <- pp
	b.mu.RUnlock()
	<-pp.done
	res, err := pp.result, pp.err
	*pp = pendingPost{done: pp.done}
	b.pool.Put(pp)
	return res, err
}

// Close stops accepting posts, writes those already queued and waits for
// the workers to finish.
func (b *Batcher) Close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.in)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

func (b *Batcher) work() {
	defer b.wg.Done()
	batch := make([]*pendingPost, 0, b.maxRows)
	posts := make([]NewPost, 0, b.maxRows)
	out := make([]Post, b.maxRows)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		first, ok := <-b.in
		if !ok {
			return
		}
		batch = b.gather(append(batch[:0], first), timer)
		posts = posts[:0]
		for _, pp := range batch {
			posts = append(posts, pp.post)
		}
		ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
		err := b.ins.InsertPosts(ctx, posts, out[:len(posts)])
		cancel()
		for i, pp := range batch {
			pp.result, pp.err = out[i], err
			out[i] = Post{}
			pp.done <- struct{}{}
		}
		clear(batch)
	}
}

// gather adds queued posts to batch until it is full or its oldest post has
// waited maxWait. The wait counts from the oldest post's arrival, not from
// now: under load, posts queued while a worker was busy are already old and
// go out at once with whatever else is queued.
func (b *Batcher) gather(batch []*pendingPost, timer *time.Timer) []*pendingPost {
	deadline := batch[0].enqueued.Add(b.maxWait)
	for len(batch) < b.maxRows {
		select {
		case pp, ok := <-b.in:
			if !ok {
				return batch
			}
			batch = append(batch, pp)
			continue
		default:
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return batch
		}
		timer.Reset(wait)
		select {
		case pp, ok := <-b.in:
			timer.Stop()
			if !ok {
				return batch
			}
			batch = append(batch, pp)
		case <-timer.C:
			return batch
		}
	}
	return batch
}
