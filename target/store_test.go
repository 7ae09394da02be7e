package target

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func testStore(t *testing.T) (*Store, *pgxpool.Pool) {
	t.Helper()
	cfg := testConfig(testDB(t))
	ctx := context.Background()
	pool, err := OpenPool(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	// Twice: the migration must be idempotent.
	for range 2 {
		if err := Migrate(ctx, pool); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	return NewStore(pool, time.Second, 5*time.Second), pool
}

func TestStoreInsertPostsPairsRows(t *testing.T) {
	s, _ := testStore(t)
	ctx := context.Background()
	in := make([]NewPost, 300)
	for i := range in {
		in[i] = NewPost{Title: fmt.Sprintf("title %d", i), Body: fmt.Sprintf("body %d", i)}
	}
	out := make([]Post, len(in))
	if err := s.InsertPosts(ctx, in, out); err != nil {
		t.Fatal(err)
	}
	for i, p := range out {
		got, err := s.GetPost(ctx, p.ID)
		if err != nil {
			t.Fatalf("GetPost(%d): %v", p.ID, err)
		}
		// The id handed to caller i must be the row holding caller i's data.
		if got.Title != in[i].Title || got.Body != in[i].Body || p.Title != in[i].Title {
			t.Fatalf("caller %d got id %d, which holds %+v", i, p.ID, got)
		}
		if !got.CreatedAt.Equal(p.CreatedAt) {
			t.Fatalf("created_at %v returned, %v stored", p.CreatedAt, got.CreatedAt)
		}
	}
}

// A failing batch leaves nothing behind.
func TestStoreInsertPostsAtomic(t *testing.T) {
	s, pool := testStore(t)
	ctx := context.Background()
	in := []NewPost{{Title: "ok", Body: "ok"}, {Title: "bad \x00", Body: "NUL is not valid text"}}
	if err := s.InsertPosts(ctx, in, make([]Post, 2)); err == nil {
		t.Fatal("insert with a NUL byte succeeded")
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM posts").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows after a failed batch: %d (%v), want 0", n, err)
	}
}

func TestStoreListAndGet(t *testing.T) {
	s, pool := testStore(t)
	ctx := context.Background()
	if n, err := Seed(ctx, pool, 50); err != nil || n != 50 {
		t.Fatalf("Seed: %d, %v", n, err)
	}
	posts, err := s.ListPosts(ctx, math.MaxInt64, 20, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 20 || posts[0].ID != 50 || posts[19].ID != 31 {
		t.Fatalf("first page: %d posts, ids %d..%d", len(posts), posts[0].ID, posts[len(posts)-1].ID)
	}
	posts, err = s.ListPosts(ctx, 5, 20, posts[:0])
	if err != nil || len(posts) != 4 || posts[0].ID != 4 || posts[3].ID != 1 {
		t.Fatalf("page before 5: %+v %v", posts, err)
	}
	if _, err := s.GetPost(ctx, 51); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetPost(51): %v, want ErrNotFound", err)
	}
	p, err := s.CreatePost(ctx, NewPost{Title: "direct", Body: "write"})
	if err != nil || p.ID != 51 || p.CreatedAt.IsZero() {
		t.Fatalf("CreatePost: %+v %v", p, err)
	}
}

// The raw row decoding (binary int8 and timestamptz) must agree with pgx's
// own Scan, including before 2000 where PostgreSQL's timestamps are
// negative.
func TestRawDecodingMatchesScan(t *testing.T) {
	s, pool := testStore(t)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO posts (title, body, created_at) VALUES
		('a', 'old', '1969-07-20 20:17:40.123456+00'),
		('b', 'y2k', '1999-12-31 23:59:59.999999+00'),
		('c', 'epoch', '2000-01-01 00:00:00+00'),
		('d', 'now', now())`)
	if err != nil {
		t.Fatal(err)
	}
	posts, err := s.ListPosts(ctx, math.MaxInt64, 10, nil)
	if err != nil || len(posts) != 4 {
		t.Fatalf("ListPosts: %d posts, %v", len(posts), err)
	}
	for _, p := range posts {
		var title, body string
		var ts time.Time
		if err := pool.QueryRow(ctx, "SELECT title, body, created_at FROM posts WHERE id = $1", p.ID).Scan(&title, &body, &ts); err != nil {
			t.Fatal(err)
		}
		if p.Title != title || p.Body != body || !p.CreatedAt.Equal(ts) {
			t.Errorf("id %d: raw %q %q %v, scanned %q %q %v", p.ID, p.Title, p.Body, p.CreatedAt, title, body, ts)
		}
	}
}
