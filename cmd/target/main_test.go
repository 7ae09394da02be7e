package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gowrk/gowrk/internal/pgtest"
)

// The test binary doubles as the target binary: with this variable set it
// runs main, so the signal test exercises the real process without a
// separate build.
const runMainEnv = "GOWRK_TARGET_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Args = append([]string{os.Args[0]}, strings.Fields(os.Getenv(runMainEnv+"_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// lockedBuffer is a bytes.Buffer safe to read while the log reader writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) WriteString(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func countRows(t *testing.T, url string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM posts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSeed(t *testing.T) {
	pg := pgtest.ForTest(t)
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return pg.URL()
		}
		return ""
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"seed", "-n", "1234"}, env, &out, io.Discard, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if !strings.HasPrefix(out.String(), "seeded 1234 posts") {
		t.Errorf("seed printed %q", out.String())
	}
	if n := countRows(t, pg.URL()); n != 1234 {
		t.Errorf("%d rows after seeding 1234", n)
	}
}

func TestConfigErrorIsOneLine(t *testing.T) {
	err := run(context.Background(), nil, func(string) string { return "" }, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %q, want one line", err)
	}
}

// SIGTERM under load: the process stops accepting, finishes the requests it
// has (here: POSTs parked in a long batch window), exits 0, and every 201
// it sent is a stored row.
func TestSIGTERMDrainsInFlight(t *testing.T) {
	pg := pgtest.ForTest(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		runMainEnv+"=1",
		runMainEnv+"_ARGS=--listen 127.0.0.1:0 --write-mode batch --batch-wait 1500ms --batch-max 1000",
		"DATABASE_URL="+pg.URL(),
	)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	var logs lockedBuffer
	addrc := make(chan string, 1)
	go func() {
		addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
		exited <- cmd.Wait()
	}()
	var base string
	select {
	case addr := <-addrc:
		base = "http://" + addr
	case err := <-exited:
		t.Fatalf("target exited before listening: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("target did not start listening within 30s")
	}

	client := &http.Client{Timeout: 10 * time.Second}
	const posts = 40
	type result struct {
		status int
		err    error
	}
	results := make(chan result, posts)
	for i := range posts {
		go func() {
			resp, err := client.Post(base+"/api/posts", "application/json",
				strings.NewReader(fmt.Sprintf(`{"title":"in flight %d","body":"b"}`, i)))
			if err != nil {
				results <- result{err: err}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results <- result{status: resp.StatusCode}
		}()
	}
	// GETs keep coming while the signal lands.
	var readers sync.WaitGroup
	stopReads := make(chan struct{})
	var badReads []string
	var mu sync.Mutex
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stopReads:
					return
				default:
				}
				resp, err := client.Get(base + "/api/posts?limit=5")
				if err != nil {
					return // refused or closed: the server has stopped
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					mu.Lock()
					badReads = append(badReads, resp.Status)
					mu.Unlock()
				}
			}
		})
	}

	// The POSTs are now waiting in the 1.5 s batch window.
	time.Sleep(700 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	created := 0
	for range posts {
		r := <-results
		if r.err != nil || r.status != http.StatusCreated {
			t.Errorf("in-flight POST: status %d, err %v", r.status, r.err)
		}
		if r.status == http.StatusCreated {
			created++
		}
	}
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) || err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("target still running 30s after SIGTERM\n%s", logs.String())
	}
	close(stopReads)
	readers.Wait()
	if len(badReads) > 0 {
		t.Errorf("reads during shutdown got %v", badReads)
	}
	if n := countRows(t, pg.URL()); n != created {
		t.Errorf("%d POSTs answered 201, %d rows stored", created, n)
	}
	if _, err := client.Get(base + "/api"); err == nil {
		t.Error("server still answering after exit")
	}
	if strings.Contains(logs.String(), "panic") || strings.Contains(logs.String(), "goroutine ") {
		t.Errorf("stack trace in the log:\n%s", logs.String())
	}
}
