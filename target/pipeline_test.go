package target

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Concurrent reads share round trips, and each still gets its own result.
func TestReadPipelineConcurrentReads(t *testing.T) {
	s, pool := testStore(t)
	ctx := context.Background()
	if _, err := Seed(ctx, pool, 300); err != nil {
		t.Fatal(err)
	}
	s.PipelineReads(2, 16)
	defer s.Close()

	const readers = 200
	var wg sync.WaitGroup
	errs := make(chan error, readers)
	for i := range readers {
		wg.Go(func() {
			before := int64(300 - i) // every reader asks for a different page
			posts, err := s.ListPosts(ctx, before, 5, nil)
			switch {
			case err != nil:
				errs <- err
			case len(posts) != 5 || posts[0].ID != before-1 || posts[4].ID != before-5:
				errs <- errors.New("wrong page")
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	reads, trips := s.PipelineStats()
	if reads != readers {
		t.Errorf("%d reads counted, want %d", reads, readers)
	}
	// 200 reads at once on 2 connections: far fewer round trips than reads.
	if trips >= readers/2 {
		t.Errorf("%d round trips for %d concurrent reads: not pipelining", trips, readers)
	}
	t.Logf("%d reads in %d round trips", reads, trips)
}

// A failing query fails, the reads around it still get answers, nothing
// hangs.
func TestReadPipelineErrors(t *testing.T) {
	s, pool := testStore(t)
	ctx := context.Background()
	if _, err := Seed(ctx, pool, 10); err != nil {
		t.Fatal(err)
	}
	s.PipelineReads(1, 16)
	defer s.Close()
	var wg sync.WaitGroup
	badErrs := make(chan error, 20)
	for i := range 40 {
		wg.Go(func() {
			if i%2 == 0 {
				badErrs <- s.read(ctx, "SELECT nope FROM posts", nil, func(rows pgx.Rows) error {
					for rows.Next() {
					}
					return rows.Err()
				})
				return
			}
			// Good reads may fail with the bad one's batch; they must
			// return either way.
			_, _ = s.ListPosts(ctx, 11, 3, nil)
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("reads hung after a failing query")
	}
	close(badErrs)
	for err := range badErrs {
		if err == nil || Unavailable(err) {
			t.Errorf("bad query: err = %v, want a (non-503) query error", err)
		}
	}
	// The pipeline still works afterwards.
	if posts, err := s.ListPosts(ctx, 11, 3, nil); err != nil || len(posts) != 3 {
		t.Fatalf("read after errors: %d posts, %v", len(posts), err)
	}
}

// With every connection taken, a queued read gives up after the acquire
// timeout with a 503-class error instead of waiting without end.
func TestReadPipelineBoundedWait(t *testing.T) {
	s, pool := testStore(t)
	ctx := context.Background()
	s.acquireTimeout = 300 * time.Millisecond
	s.PipelineReads(1, 16)
	defer s.Close()
	var held []*pgxpool.Conn
	for range pool.Config().MaxConns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	start := time.Now()
	_, err := s.ListPosts(ctx, 10, 3, nil)
	if !Unavailable(err) {
		t.Errorf("err = %v, want unavailable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %v, want about the 300ms acquire timeout", d)
	}
	for _, c := range held {
		c.Release()
	}
	if _, err := s.ListPosts(ctx, 10, 3, nil); err != nil {
		t.Fatalf("read after connections came back: %v", err)
	}
}
