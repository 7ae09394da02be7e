package target

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeInserter records batches and can fail or stall them.
type fakeInserter struct {
	mu      sync.Mutex
	batches [][]NewPost
	nextID  int64
	fail    error
	gate    chan struct{} // when set, each batch waits for it to close
}

func (f *fakeInserter) InsertPosts(ctx context.Context, posts []NewPost, out []Post) error {
	f.mu.Lock()
	f.batches = append(f.batches, append([]NewPost(nil), posts...))
	f.mu.Unlock()
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	for i, p := range posts {
		f.nextID++
		out[i] = Post{ID: f.nextID, Title: p.Title, Body: p.Body}
	}
	return nil
}

func (f *fakeInserter) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []int
	for _, b := range f.batches {
		s = append(s, len(b))
	}
	return s
}

// submitAll runs n concurrent CreatePost calls and returns their results.
func submitAll(b *Batcher, n int) ([]Post, []error) {
	posts := make([]Post, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			posts[i], errs[i] = b.CreatePost(context.Background(), NewPost{Title: "t" + strconv.Itoa(i), Body: "b" + strconv.Itoa(i)})
		})
	}
	wg.Wait()
	return posts, errs
}

func TestBatcherGroupsConcurrentPosts(t *testing.T) {
	ins := &fakeInserter{}
	b := NewBatcher(ins, BatcherConfig{MaxWait: 50 * time.Millisecond, MaxRows: 40, Workers: 1})
	defer b.Close()
	posts, errs := submitAll(b, 100)
	seen := map[int64]bool{}
	for i, p := range posts {
		if errs[i] != nil {
			t.Fatalf("post %d: %v", i, errs[i])
		}
		// Each caller gets its own row back.
		if p.Title != "t"+strconv.Itoa(i) || p.Body != "b"+strconv.Itoa(i) || seen[p.ID] {
			t.Fatalf("post %d got %+v", i, p)
		}
		seen[p.ID] = true
	}
	sizes := ins.sizes()
	total := 0
	for _, s := range sizes {
		if s > 40 {
			t.Errorf("batch of %d rows, max is 40", s)
		}
		total += s
	}
	if total != 100 {
		t.Errorf("%d rows written, want 100", total)
	}
	// 100 posts arriving together within a 50 ms window: a handful of
	// batches, not one per post.
	if len(sizes) > 10 {
		t.Errorf("%d batches for 100 concurrent posts: not grouping (%v)", len(sizes), sizes)
	}
}

func TestBatcherErrorReachesEveryWaiter(t *testing.T) {
	boom := errors.New("boom")
	ins := &fakeInserter{fail: boom}
	b := NewBatcher(ins, BatcherConfig{MaxWait: 20 * time.Millisecond, MaxRows: 10, Workers: 2})
	defer b.Close()
	_, errs := submitAll(b, 35)
	for i, err := range errs {
		if !errors.Is(err, boom) {
			t.Errorf("post %d: err = %v, want boom", i, err)
		}
	}
}

// A lone post does not wait for company longer than MaxWait.
func TestBatcherMaxWait(t *testing.T) {
	b := NewBatcher(&fakeInserter{}, BatcherConfig{MaxWait: 30 * time.Millisecond, MaxRows: 100, Workers: 1})
	defer b.Close()
	start := time.Now()
	if _, err := b.CreatePost(context.Background(), NewPost{Title: "a", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 25*time.Millisecond || d > 2*time.Second {
		t.Errorf("lone post took %v, want about the 30ms wait", d)
	}
}

// Close writes what is queued, answers every waiter, then refuses new posts.
func TestBatcherCloseFlushes(t *testing.T) {
	ins := &fakeInserter{gate: make(chan struct{})}
	b := NewBatcher(ins, BatcherConfig{MaxWait: 0, MaxRows: 1000, Workers: 1})
	results := make(chan error, 20)
	submit := func() {
		_, err := b.CreatePost(context.Background(), NewPost{Title: "a", Body: "b"})
		results <- err
	}
	// The first post's batch holds the only worker at the gate, so the
	// other 19 stay queued.
	go submit()
	waitFor(t, func() bool { return len(ins.sizes()) == 1 })
	for range 19 {
		go submit()
	}
	waitFor(t, func() bool { return len(b.in) == 19 })
	closed := make(chan struct{})
	go func() { b.Close(); close(closed) }()
	waitFor(t, func() bool {
		b.mu.RLock()
		defer b.mu.RUnlock()
		return b.closed
	})
	if _, err := b.CreatePost(context.Background(), NewPost{Title: "late", Body: "b"}); !errors.Is(err, errBatcherClosed) {
		t.Errorf("post after Close: err = %v, want errBatcherClosed", err)
	}
	close(ins.gate)
	for range 20 {
		select {
		case err := <-results:
			if err != nil {
				t.Errorf("queued post failed at close: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a waiter was never answered")
		}
	}
	<-closed
	if got := ins.sizes(); len(got) != 2 || got[0]+got[1] != 20 {
		t.Errorf("batches %v, want the first post then the 19 queued", got)
	}
	if !Unavailable(errBatcherClosed) {
		t.Error("a post refused at shutdown must be a 503")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
