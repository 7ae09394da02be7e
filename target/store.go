package target

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Post is a stored post.
type Post struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// NewPost is a post to store.
type NewPost struct {
	Title string
	Body  string
}

// ErrNotFound means no row matched.
var ErrNotFound = errors.New("not found")

// Store runs the service's queries on a pgx pool. Statements are
// parameterised only; pgx prepares and caches each one per connection.
type Store struct {
	pool           *pgxpool.Pool
	acquireTimeout time.Duration
	queryTimeout   time.Duration
	reads          *readPipeline // nil: each read on its own connection
}

// NewStore wraps pool; acquireTimeout bounds waiting for a connection and
// queryTimeout bounds each statement.
func NewStore(pool *pgxpool.Pool, acquireTimeout, queryTimeout time.Duration) *Store {
	return &Store{pool: pool, acquireTimeout: acquireTimeout, queryTimeout: queryTimeout}
}

// Pool is the underlying pool (for its statistics).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// acquire takes a connection, failing with ErrUnavailable after the
// acquire timeout so overload turns into 503s rather than a growing queue.
func (s *Store) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, s.acquireTimeout)
	defer cancel()
	c, err := s.pool.Acquire(actx)
	if err != nil {
		return nil, &unavailableError{op: "acquire connection", err: err}
	}
	return c, nil
}

const listSQL = `SELECT id, title, body, created_at FROM posts WHERE id < $1 ORDER BY id DESC LIMIT $2`

// ListPosts appends to dst up to limit posts with id < before, newest first.
func (s *Store) ListPosts(ctx context.Context, before int64, limit int, dst []Post) ([]Post, error) {
	err := s.read(ctx, listSQL, []any{before, limit}, func(rows pgx.Rows) error {
		for rows.Next() {
			var p Post
			if err := rows.Scan(&p.ID, &p.Title, &p.Body, &p.CreatedAt); err != nil {
				return err
			}
			dst = append(dst, p)
		}
		return rows.Err()
	})
	if err != nil {
		return dst, fmt.Errorf("list posts: %w", err)
	}
	return dst, nil
}

// GetPost returns one post or ErrNotFound.
func (s *Store) GetPost(ctx context.Context, id int64) (Post, error) {
	p := Post{ID: id}
	found := false
	err := s.read(ctx, `SELECT title, body, created_at FROM posts WHERE id = $1`, []any{id}, func(rows pgx.Rows) error {
		for rows.Next() {
			if err := rows.Scan(&p.Title, &p.Body, &p.CreatedAt); err != nil {
				return err
			}
			found = true
		}
		return rows.Err()
	})
	if err != nil {
		return Post{}, fmt.Errorf("get post: %w", err)
	}
	if !found {
		return Post{}, ErrNotFound
	}
	return p, nil
}

// read runs a query and hands its rows to scan: through the read pipeline
// when enabled, else on a connection of its own.
func (s *Store) read(ctx context.Context, sql string, args []any, scan func(pgx.Rows) error) error {
	if s.reads != nil {
		return s.reads.query(sql, args, scan)
	}
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	qctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
	defer cancel()
	rows, err := conn.Query(qctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return scan(rows)
}

// PipelineReads sends concurrent reads through workers connections in
// pipelines of up to maxBatch queries (see readPipeline). Call before use;
// Close stops it.
func (s *Store) PipelineReads(workers, maxBatch int) {
	s.reads = newReadPipeline(s, workers, maxBatch)
}

// Close stops the read pipeline, if any, after answering queued reads. It
// does not close the pool.
func (s *Store) Close() {
	if s.reads != nil {
		s.reads.close()
	}
}

// CreatePost inserts one post in its own transaction (write mode direct).
func (s *Store) CreatePost(ctx context.Context, np NewPost) (Post, error) {
	conn, err := s.acquire(ctx)
	if err != nil {
		return Post{}, err
	}
	defer conn.Release()
	qctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
	defer cancel()
	p := Post{Title: np.Title, Body: np.Body}
	err = conn.QueryRow(qctx, `INSERT INTO posts (title, body) VALUES ($1, $2) RETURNING id, created_at`, np.Title, np.Body).
		Scan(&p.ID, &p.CreatedAt)
	if err != nil {
		return Post{}, fmt.Errorf("insert post: %w", err)
	}
	return p, nil
}

// insertManySQL inserts a whole batch with one statement. The arrays keep it
// a single prepared statement whatever the batch size; ORDER BY n makes the
// rows go in, and draw their ids, in input order.
const insertManySQL = `INSERT INTO posts (title, body)
SELECT t, b FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(t, b, n) ORDER BY n
RETURNING id, created_at`

// InsertPosts stores posts in one transaction (one WAL flush for the lot)
// and fills out[i] with the stored posts[i]. It returns only after COMMIT;
// on any error before it, the transaction is rolled back and nothing stays.
func (s *Store) InsertPosts(ctx context.Context, posts []NewPost, out []Post) error {
	if len(out) < len(posts) {
		return errors.New("insert posts: output slice too short")
	}
	titles := make([]string, len(posts))
	bodies := make([]string, len(posts))
	for i, p := range posts {
		titles[i], bodies[i] = p.Title, p.Body
	}
	conn, err := s.acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	qctx, cancel := context.WithTimeout(ctx, s.queryTimeout)
	defer cancel()
	tx, err := conn.Begin(qctx)
	if err != nil {
		return fmt.Errorf("insert posts: %w", err)
	}
	defer tx.Rollback(qctx) //nolint:errcheck // a no-op after Commit
	rows, err := tx.Query(qctx, insertManySQL, titles, bodies)
	if err != nil {
		return fmt.Errorf("insert posts: %w", err)
	}
	n := 0
	for rows.Next() {
		if n == len(posts) {
			rows.Close()
			return errors.New("insert posts: more rows returned than sent")
		}
		if err := rows.Scan(&out[n].ID, &out[n].CreatedAt); err != nil {
			rows.Close()
			return fmt.Errorf("insert posts: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert posts: %w", err)
	}
	if n != len(posts) {
		return fmt.Errorf("insert posts: %d rows returned for %d sent", n, len(posts))
	}
	// Ids are drawn in input order; sorting by id keeps each caller paired
	// with its own row even if RETURNING ever came back in another order.
	if !slices.IsSortedFunc(out[:n], byID) {
		slices.SortFunc(out[:n], byID)
	}
	if err := tx.Commit(qctx); err != nil {
		return fmt.Errorf("insert posts: commit: %w", err)
	}
	for i := range posts {
		out[i].Title, out[i].Body = posts[i].Title, posts[i].Body
	}
	return nil
}

func byID(a, b Post) int { return cmp.Compare(a.ID, b.ID) }
