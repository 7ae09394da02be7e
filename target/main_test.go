package target

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gowrk/gowrk/internal/localpg"
	"github.com/gowrk/gowrk/internal/pgtest"
	"github.com/gowrk/gowrk/internal/testenv"
)

// The package's tests share one PostgreSQL; each test gets its own schema.
var (
	sharedPG    *localpg.Server
	sharedPGErr error
	schemaSeq   atomic.Int64
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if fuzzing() {
		// Fuzz targets need no database, and a server started here would
		// outlive the fuzzing processes, holding their pipes open.
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	sharedPG, sharedPGErr = localpg.Start(ctx, localpg.Options{})
	cancel()
	if sharedPGErr == nil {
		defer func() {
			if err := sharedPG.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
			}
		}()
	}
	return m.Run()
}

// fuzzing reports whether this process coordinates or runs fuzzing.
func fuzzing() bool {
	flag.Parse()
	f, w := flag.Lookup("test.fuzz"), flag.Lookup("test.fuzzworker")
	return f != nil && f.Value.String() != "" || w != nil && w.Value.String() == "true"
}

// testDB returns a DATABASE_URL whose search_path is a new, empty schema.
func testDB(t *testing.T) string {
	t.Helper()
	if sharedPGErr != nil {
		pgtest.SkipOrFail(t, sharedPGErr)
	}
	return newSchema(t, sharedPG)
}

func newSchema(t *testing.T, pg *localpg.Server) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pg.URL())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("t%d", schemaSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	return pg.URL() + "&search_path=" + schema
}

// testConfig is a configuration for a service on a free port.
func testConfig(dbURL string) Config {
	cfg := DefaultConfig()
	cfg.DatabaseURL = dbURL
	cfg.Listen = "127.0.0.1:0"
	cfg.ShutdownTimeout = 10 * time.Second
	return cfg
}

// running is a Service served in the background for one test.
type running struct {
	base string
	logs *testenv.Buffer
	stop func() error
}

// startService serves cfg until the test ends (or stop is called) and
// requires a clean shutdown.
func startService(t *testing.T, cfg Config) *running {
	t.Helper()
	logs := &testenv.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("New: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = fmt.Errorf("service did not stop within 30s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("stop service: %v", err)
		}
		if strings.Contains(logs.String(), "panic") {
			t.Errorf("log mentions a panic:\n%s", logs.String())
		}
	})
	return &running{base: "http://" + svc.Addr().String(), logs: logs, stop: stop}
}

// testClient keeps enough idle connections for the load tests' goroutines.
func testClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        200,
			MaxIdleConnsPerHost: 200,
			IdleConnTimeout:     10 * time.Second,
		},
	}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, c *http.Client, method, url, body string) response {
	t.Helper()
	if len(body) > 64<<10 {
		return doLarge(t, method, url, body)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// doLarge sends a large body over a connection of its own and reads the
// answer even when the server answers early and stops reading (413): an
// http.Client reports the broken pipe of its write instead.
func doLarge(t *testing.T, method, rawURL, body string) response {
	t.Helper()
	u, err := neturl.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	go func() {
		_, _ = fmt.Fprintf(nc, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			method, u.RequestURI(), u.Host, len(body), body)
	}()
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, rawURL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// decode unmarshals a JSON response body, failing the test on bad JSON.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("response is not the expected JSON (%v): %s", err, r.body)
	}
	return v
}

// countPosts counts rows in the posts table of dbURL's schema.
func countPosts(t *testing.T, dbURL string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM posts").Scan(&n); err != nil {
		t.Fatalf("count posts: %v", err)
	}
	return n
}
