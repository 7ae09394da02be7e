package target

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

type errorJSON struct {
	Error string `json:"error"`
}

type pageJSON struct {
	Posts      []Post `json:"posts"`
	NextBefore *int64 `json:"next_before"`
}

func seedDB(t *testing.T, dbURL string, n int) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, pool, n); err != nil {
		t.Fatal(err)
	}
}

func TestHealth(t *testing.T) {
	srv := startService(t, testConfig(testDB(t)))
	r := do(t, testClient(), "GET", srv.base+"/api", "")
	if r.status != 200 || string(r.body) != `{"status":"ok"}` || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api: %d %s %q", r.status, r.body, r.header.Get("Content-Type"))
	}
}

func TestCreateAndGet(t *testing.T) {
	for _, mode := range []WriteMode{WriteDirect, WriteBatch} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := testConfig(testDB(t))
			cfg.WriteMode = mode
			srv := startService(t, cfg)
			c := testClient()
			before := time.Now().Add(-time.Minute)
			r := do(t, c, "POST", srv.base+"/api/posts", `{"title":"hello","body":"world","extra":1}`)
			if r.status != http.StatusCreated {
				t.Fatalf("POST: %d %s", r.status, r.body)
			}
			created := decode[Post](t, r)
			if created.ID < 1 || created.Title != "hello" || created.Body != "world" || created.CreatedAt.Before(before) {
				t.Fatalf("created %+v", created)
			}
			r = do(t, c, "GET", fmt.Sprintf("%s/api/posts/%d", srv.base, created.ID), "")
			if r.status != 200 {
				t.Fatalf("GET post: %d %s", r.status, r.body)
			}
			if got := decode[Post](t, r); got.ID != created.ID || got.Title != "hello" || !got.CreatedAt.Equal(created.CreatedAt) {
				t.Fatalf("GET post: %+v, created %+v", got, created)
			}
		})
	}
}

// SQL-looking and otherwise awkward input is stored and returned verbatim.
func TestInputStoredVerbatim(t *testing.T) {
	dbURL := testDB(t)
	srv := startService(t, testConfig(dbURL))
	c := testClient()
	inputs := []string{
		"'; DROP TABLE posts; --",
		`Robert"); DELETE FROM posts WHERE ("1"="1`,
		"1 OR 1=1; SELECT pg_sleep(10)",
		`$1 $$ \x00 \\ %s %d`,
		"unicode ✓ 日本語 🎉 \u2028 <script>alert(1)</script>",
		"line\nbreaks\ttabs\r\n",
	}
	for _, in := range inputs {
		body, _ := json.Marshal(map[string]string{"title": in, "body": in + in})
		r := do(t, c, "POST", srv.base+"/api/posts", string(body))
		if r.status != http.StatusCreated {
			t.Fatalf("POST %q: %d %s", in, r.status, r.body)
		}
		p := decode[Post](t, r)
		got := decode[Post](t, do(t, c, "GET", fmt.Sprintf("%s/api/posts/%d", srv.base, p.ID), ""))
		if got.Title != in || got.Body != in+in {
			t.Errorf("stored %q / %q, sent %q", got.Title, got.Body, in)
		}
	}
	if n := countPosts(t, dbURL); n != len(inputs) {
		t.Errorf("%d rows, want %d: the table must be intact", n, len(inputs))
	}
}

func TestBadInput(t *testing.T) {
	dbURL := testDB(t)
	srv := startService(t, testConfig(dbURL))
	c := testClient()
	big := `{"title":"t","body":"` + strings.Repeat("x", MaxBodySize) + `"}`
	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{"invalid json", "POST", "/api/posts", `{"title": "a", "body": `, 400},
		{"not an object", "POST", "/api/posts", `["a","b"]`, 400},
		{"empty body", "POST", "/api/posts", ``, 400},
		{"trailing garbage", "POST", "/api/posts", `{"title":"a","body":"b"} x`, 400},
		{"missing title", "POST", "/api/posts", `{"body":"b"}`, 422},
		{"missing body", "POST", "/api/posts", `{"title":"a"}`, 422},
		{"empty title", "POST", "/api/posts", `{"title":"","body":"b"}`, 422},
		{"blank body", "POST", "/api/posts", `{"title":"a","body":"  \n "}`, 422},
		{"null title", "POST", "/api/posts", `{"title":null,"body":"b"}`, 422},
		{"number title", "POST", "/api/posts", `{"title":5,"body":"b"}`, 422},
		{"nul byte", "POST", "/api/posts", `{"title":"a\u0000","body":"b"}`, 422},
		{"too large", "POST", "/api/posts", big, 413},
		{"unknown route", "GET", "/api/nope", ``, 404},
		{"unknown root", "GET", "/", ``, 404},
		{"post id not found", "GET", "/api/posts/999999", ``, 404},
		{"post id not a number", "GET", "/api/posts/abc", ``, 400},
		{"post id zero", "GET", "/api/posts/0", ``, 400},
		{"bad limit", "GET", "/api/posts?limit=x", ``, 400},
		{"negative limit", "GET", "/api/posts?limit=-1", ``, 400},
		{"bad before", "GET", "/api/posts?before=1e3", ``, 400},
		{"wrong method", "DELETE", "/api/posts", ``, 405},
		{"pprof disabled", "GET", "/debug/pprof/", ``, 404},
		{"pool stats disabled", "GET", "/debug/pool", ``, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, c, tc.method, srv.base+tc.path, tc.body)
			if r.status != tc.status {
				t.Errorf("status %d, want %d (body %s)", r.status, tc.status, r.body)
			}
			if e := decode[errorJSON](t, r); e.Error == "" {
				t.Errorf("no error message in %s", r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	if n := countPosts(t, dbURL); n != 0 {
		t.Errorf("bad requests wrote %d rows", n)
	}
	// Just under the limit is fine.
	ok := `{"title":"t","body":"` + strings.Repeat("x", MaxBodySize-40) + `"}`
	if r := do(t, c, "POST", srv.base+"/api/posts", ok); r.status != http.StatusCreated {
		t.Errorf("body just under the limit: %d", r.status)
	}
	if logs := srv.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("bad input logged as an error:\n%s", logs)
	}
}

// Walking the pages with the cursor visits every post once, newest first.
func TestPagination(t *testing.T) {
	dbURL := testDB(t)
	seedDB(t, dbURL, 95)
	srv := startService(t, testConfig(dbURL))
	c := testClient()

	// Default page size.
	p := decode[pageJSON](t, do(t, c, "GET", srv.base+"/api/posts", ""))
	if len(p.Posts) != 20 || p.Posts[0].ID != 95 || p.NextBefore == nil || *p.NextBefore != 76 {
		t.Fatalf("default page: %d posts, first %d, next %v", len(p.Posts), p.Posts[0].ID, p.NextBefore)
	}
	// Limit is capped at 100.
	p = decode[pageJSON](t, do(t, c, "GET", srv.base+"/api/posts?limit=1000", ""))
	if len(p.Posts) != 95 || p.NextBefore != nil {
		t.Fatalf("limit=1000: %d posts, next %v; want all 95 and no cursor", len(p.Posts), p.NextBefore)
	}

	var ids []int64
	url := srv.base + "/api/posts?limit=10"
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
		r := do(t, c, "GET", url, "")
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", url, r.status, r.body)
		}
		p := decode[pageJSON](t, r)
		for _, post := range p.Posts {
			ids = append(ids, post.ID)
		}
		if p.NextBefore == nil {
			break
		}
		if last := p.Posts[len(p.Posts)-1].ID; *p.NextBefore != last {
			t.Fatalf("cursor %d, last id on the page %d", *p.NextBefore, last)
		}
		url = fmt.Sprintf("%s/api/posts?limit=10&before=%d", srv.base, *p.NextBefore)
	}
	if len(ids) != 95 {
		t.Fatalf("visited %d posts, want 95", len(ids))
	}
	for i, id := range ids {
		if id != int64(95-i) {
			t.Fatalf("position %d holds id %d, want %d (newest first, no gaps or repeats)", i, id, 95-i)
		}
	}
	// A full last page (exactly limit rows left) has no cursor.
	p = decode[pageJSON](t, do(t, c, "GET", srv.base+"/api/posts?limit=5&before=6", ""))
	if len(p.Posts) != 5 || p.NextBefore != nil {
		t.Fatalf("exact last page: %d posts, next %v", len(p.Posts), p.NextBefore)
	}
	// Past the end: an empty page.
	r := do(t, c, "GET", srv.base+"/api/posts?before=1", "")
	if r.status != 200 || string(r.body) != `{"posts":[],"next_before":null}` {
		t.Fatalf("before=1: %d %s", r.status, r.body)
	}
}

func TestDebugEndpointsWhenEnabled(t *testing.T) {
	cfg := testConfig(testDB(t))
	cfg.Pprof = true
	srv := startService(t, cfg)
	c := testClient()
	if r := do(t, c, "GET", srv.base+"/debug/pprof/", ""); r.status != 200 || !strings.Contains(string(r.body), "goroutine") {
		t.Errorf("pprof index: %d", r.status)
	}
	r := do(t, c, "GET", srv.base+"/debug/pool", "")
	if st := decode[poolStats](t, r); r.status != 200 || st.MaxConns != int32(cfg.PoolSize) {
		t.Errorf("pool stats: %d %s", r.status, r.body)
	}
}
