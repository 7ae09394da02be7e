package target

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
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

// acquire takes a connection, failing with an unavailable error (a 503)
// after the acquire timeout, so overload turns into 503s rather than a
// growing queue.
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
	err := s.EachPost(ctx, before, limit, func(id int64, title, body []byte, createdAt time.Time) {
		dst = append(dst, Post{ID: id, Title: string(title), Body: string(body), CreatedAt: createdAt})
	})
	return dst, err
}

// EachPost calls fn for up to limit posts with id < before, newest first.
// title and body alias the driver's read buffer and are valid only during
// the call: the hot path encodes them without copying them into strings.
func (s *Store) EachPost(ctx context.Context, before int64, limit int, fn func(id int64, title, body []byte, createdAt time.Time)) error {
	err := s.read(ctx, listSQL, []any{before, limit}, func(rows pgx.Rows) error {
		for rows.Next() {
			id, title, body, createdAt, err := rawPost(rows)
			if err != nil {
				return err
			}
			fn(id, title, body, createdAt)
		}
		return rows.Err()
	})
	if err != nil {
		return fmt.Errorf("list posts: %w", err)
	}
	return nil
}

// pgEpoch is where PostgreSQL's binary timestamps count from, 2000-01-01
// UTC, in Unix seconds.
const pgEpoch = 946684800

// rawPost decodes a (id, title, body, created_at) row from its wire bytes.
// pgx asks for int8 and timestamptz in binary, and text is the same bytes
// in either format; anything unexpected takes the general Scan path.
func rawPost(rows pgx.Rows) (id int64, title, body []byte, createdAt time.Time, err error) {
	fds, vals := rows.FieldDescriptions(), rows.RawValues()
	if len(vals) == 4 && len(fds) == 4 &&
		fds[0].Format == pgx.BinaryFormatCode && len(vals[0]) == 8 &&
		fds[3].Format == pgx.BinaryFormatCode && len(vals[3]) == 8 &&
		vals[1] != nil && vals[2] != nil {
		us := int64(binary.BigEndian.Uint64(vals[3]))
		if us != math.MaxInt64 && us != math.MinInt64 { // not ±infinity
			id = int64(binary.BigEndian.Uint64(vals[0]))
			// time.Unix normalises the negative remainder of pre-2000 times.
			return id, vals[1], vals[2], time.Unix(pgEpoch+us/1e6, us%1e6*1e3).UTC(), nil
		}
	}
	var t, b string
	if err := rows.Scan(&id, &t, &b, &createdAt); err != nil {
		return 0, nil, nil, time.Time{}, err
	}
	return id, []byte(t), []byte(b), createdAt, nil
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

// PipelineStats reports the reads run through the pipeline and the round
// trips they took (zero when pipelining is off).
func (s *Store) PipelineStats() (reads, roundTrips int64) {
	if s.reads == nil {
		return 0, 0
	}
	return s.reads.reads.Load(), s.reads.roundTrips.Load()
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

// InsertPosts stores posts with one statement and fills out[i] with the
// stored posts[i]. A single statement is its own transaction: all rows or
// none, one WAL flush, one round trip. It returns only after the commit:
// the result is complete only at ReadyForQuery, which follows it, and a
// failed commit is reported then.
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
	rows, err := conn.Query(qctx, insertManySQL, titles, bodies)
	if err != nil {
		return fmt.Errorf("insert posts: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		// Scanning two fixed-type columns cannot fail short of a schema
		// change, and the statement commits regardless once sent.
		if n < len(posts) {
			if err := rows.Scan(&out[n].ID, &out[n].CreatedAt); err != nil {
				return fmt.Errorf("insert posts: %w", err)
			}
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
	for i := range posts {
		out[i].Title, out[i].Body = posts[i].Title, posts[i].Body
	}
	return nil
}

func byID(a, b Post) int { return cmp.Compare(a.ID, b.ID) }
