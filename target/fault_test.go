package target

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/pgtest"
)

type outcome struct {
	start, end time.Time
	post       bool
	status     int // 0: transport error
	body       string
}

// PostgreSQL stopped under load: requests turn into quick 503s with a JSON
// error (no hang, no crash), and service resumes once it is back.
func TestDatabaseOutageUnderLoad(t *testing.T) {
	pg := pgtest.ForTest(t)
	dbURL := newSchema(t, pg)
	seedDB(t, dbURL, 100)
	cfg := testConfig(dbURL)
	cfg.AcquireTimeout = time.Second
	srv := startService(t, cfg)
	rowsBefore := countPosts(t, dbURL)

	c := testClient()
	c.Timeout = 5 * time.Second
	var (
		mu       sync.Mutex
		outcomes []outcome
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				o := outcome{start: time.Now(), post: (w+i)%2 == 0}
				var resp *http.Response
				var err error
				if o.post {
					resp, err = c.Post(srv.base+"/api/posts", "application/json",
						strings.NewReader(fmt.Sprintf(`{"title":"w%d-%d","body":"outage"}`, w, i)))
				} else {
					resp, err = c.Get(srv.base + "/api/posts?limit=5")
				}
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					o.status, o.body = resp.StatusCode, string(b)
				} else {
					o.body = err.Error()
					time.Sleep(10 * time.Millisecond)
				}
				o.end = time.Now()
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
			}
		})
	}
	snapshot := func() []outcome {
		mu.Lock()
		defer mu.Unlock()
		return append([]outcome(nil), outcomes...)
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()

	time.Sleep(500 * time.Millisecond)
	ctx := context.Background()
	haltStart := time.Now()
	if err := pg.Halt(ctx); err != nil {
		t.Fatalf("Halt: %v", err)
	}
	haltEnd := time.Now()
	time.Sleep(2 * time.Second)
	restartAt := time.Now()
	if err := pg.Restart(ctx); err != nil {
		t.Fatalf("Restart: %v", err)
	}

	// Back to normal: both a read and a write succeed again.
	var recovered time.Time
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		okGet, okPost := false, false
		for _, o := range snapshot() {
			if o.start.After(restartAt) && o.status == 200 {
				okGet = true
			}
			if o.start.After(restartAt) && o.status == 201 {
				okPost = true
			}
		}
		if okGet && okPost {
			recovered = time.Now()
			break
		}
	}
	close(stop)
	wg.Wait()
	all := snapshot()

	if recovered.IsZero() {
		t.Fatalf("no successful GET and POST within 15s of the restart (%d requests)", len(all))
	}
	t.Logf("halt took %v, recovery %v after restart", haltEnd.Sub(haltStart), recovered.Sub(restartAt))

	var before, during int
	var first503 time.Time
	for _, o := range all {
		switch {
		case o.end.Before(haltStart):
			before++
			if o.status != 200 && o.status != 201 {
				t.Errorf("before the outage: status %d %s", o.status, o.body)
			}
		case o.start.After(haltEnd) && o.end.Before(restartAt):
			during++
			if o.status != http.StatusServiceUnavailable {
				t.Errorf("during the outage: status %d %s, want 503", o.status, o.body)
			} else if !strings.Contains(o.body, `"error":`) {
				t.Errorf("503 without a JSON error: %s", o.body)
			}
			if d := o.end.Sub(o.start); d > 1500*time.Millisecond {
				t.Errorf("a request during the outage took %v, want about 1s at most", d)
			}
		}
		if o.status == http.StatusServiceUnavailable && (first503.IsZero() || o.end.Before(first503)) {
			first503 = o.end
		}
		if o.status == 0 || o.status == 500 {
			t.Errorf("status %d at %v: %s", o.status, o.start.Sub(haltStart), o.body)
		}
	}
	if before == 0 || during == 0 {
		t.Fatalf("load too thin to judge: %d requests before, %d during the outage", before, during)
	}
	if first503.IsZero() || first503.Sub(haltEnd) > time.Second {
		t.Errorf("first 503 at %v after the halt, want within about 1s", first503.Sub(haltEnd))
	}
	// Still alive and answering.
	if r := do(t, c, "GET", srv.base+"/api", ""); r.status != 200 {
		t.Errorf("healthcheck after the outage: %d", r.status)
	}

	// No 201 without its row. A write cut by the shutdown may have
	// committed without its 201 reaching the client, at most one per
	// connection.
	created := 0
	for _, o := range all {
		if o.status == http.StatusCreated {
			created++
		}
	}
	newRows := countPosts(t, dbURL) - rowsBefore
	if newRows < created || newRows > created+cfg.PoolSize {
		t.Errorf("%d 201 responses, %d new rows", created, newRows)
	}
	if strings.Count(srv.logs.String(), "\n") > 50 {
		t.Errorf("the outage flooded the log:\n%s", srv.logs.String())
	}
}
