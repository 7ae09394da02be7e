package target

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// No data lost: under a concurrent POST load, every 201 is a row, every row
// is a 201, and each response carries the id of the row holding its data.
func TestNoDataLostUnderLoad(t *testing.T) {
	const (
		total   = 2000
		workers = 50
	)
	for _, mode := range []WriteMode{WriteDirect, WriteBatch} {
		t.Run(string(mode), func(t *testing.T) {
			dbURL := testDB(t)
			seedDB(t, dbURL, 100)
			cfg := testConfig(dbURL)
			cfg.WriteMode = mode
			srv := startService(t, cfg)
			rowsBefore := countPosts(t, dbURL)

			c := testClient()
			var (
				mu      sync.Mutex
				created = map[int64]string{} // id -> title sent
				other   = map[string]int{}   // non-201 outcomes
			)
			jobs := make(chan int)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for i := range jobs {
						title := fmt.Sprintf("load %s %d", mode, i)
						body := fmt.Sprintf(`{"title":%q,"body":"body of post %d"}`, title, i)
						resp, err := c.Post(srv.base+"/api/posts", "application/json", strings.NewReader(body))
						if err != nil {
							mu.Lock()
							other["error: "+err.Error()]++
							mu.Unlock()
							continue
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						mu.Lock()
						if resp.StatusCode == http.StatusCreated {
							var p Post
							if err := json.Unmarshal(b, &p); err != nil || p.Title != title {
								other[fmt.Sprintf("201 with wrong body %s", b)]++
							} else if prev, dup := created[p.ID]; dup {
								other[fmt.Sprintf("id %d given to %q and %q", p.ID, prev, title)]++
							} else {
								created[p.ID] = title
							}
						} else {
							other[fmt.Sprintf("status %d", resp.StatusCode)]++
						}
						mu.Unlock()
					}
				})
			}
			for i := range total {
				jobs <- i
			}
			close(jobs)
			wg.Wait()

			if len(other) > 0 {
				t.Errorf("non-201 outcomes: %v", other)
			}
			newRows := countPosts(t, dbURL) - rowsBefore
			if newRows != len(created) {
				t.Fatalf("%d responses were 201 but %d rows were added", len(created), newRows)
			}
			if len(created) != total {
				t.Errorf("%d of %d posts created", len(created), total)
			}
			// Every id answered holds the data its request sent.
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			rows, err := conn.Query(ctx, "SELECT id, title FROM posts WHERE title LIKE 'load %'")
			if err != nil {
				t.Fatal(err)
			}
			stored := map[int64]string{}
			for rows.Next() {
				var id int64
				var title string
				if err := rows.Scan(&id, &title); err != nil {
					t.Fatal(err)
				}
				stored[id] = title
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for id, title := range created {
				if stored[id] != title {
					t.Fatalf("response said id %d holds %q; the row holds %q", id, title, stored[id])
				}
			}
		})
	}
}
