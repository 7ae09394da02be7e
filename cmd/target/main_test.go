package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	"github.com/gowrk/gowrk/internal/testenv"
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

// targetProc is the target running as a child process.
type targetProc struct {
	cmd    *exec.Cmd
	base   string // http://host:port
	addr   string
	logs   *testenv.Buffer
	exited chan error
}

// startTarget runs main in a child process with args and waits until it
// listens.
func startTarget(t *testing.T, pgURL, args string) *targetProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	// A race-enabled binary sleeps 1s at exit unless told not to; the
	// tests time the exit.
	cmd.Env = append(os.Environ(), runMainEnv+"=1", runMainEnv+"_ARGS="+args, "DATABASE_URL="+pgURL,
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &targetProc{cmd: cmd, logs: &testenv.Buffer{}, exited: make(chan error, 1)}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	addrc := make(chan string, 1)
	go func() {
		addrRE := regexp.MustCompile(`msg=listening addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.logs.WriteString(sc.Text() + "\n")
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
		p.exited <- cmd.Wait()
	}()
	select {
	case p.addr = <-addrc:
		p.base = "http://" + p.addr
	case err := <-p.exited:
		t.Fatalf("target exited before listening: %v\n%s", err, p.logs.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("target did not start listening within 30s")
	}
	return p
}

// term sends SIGTERM and returns how long the process took to exit, failing
// t unless it exits with status 0 within limit.
func (p *targetProc) term(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return p.wait(t, start, limit)
}

func (p *targetProc) wait(t *testing.T, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	select {
	case err := <-p.exited:
		took := time.Since(start)
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0\n%s", err, p.logs.String())
		}
		if took > limit {
			t.Errorf("exited %v after SIGTERM, want within %v", took.Round(time.Millisecond), limit)
		}
		if strings.Contains(p.logs.String(), "panic") || strings.Contains(p.logs.String(), "goroutine ") {
			t.Errorf("stack trace in the log:\n%s", p.logs.String())
		}
		return took
	case <-time.After(60 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatalf("target still running 60s after SIGTERM\n%s", p.logs.String())
		return 0
	}
}

// SIGTERM under load: the process stops accepting, finishes the requests it
// has (here: POSTs parked in a long batch window) without waiting for a
// client stuck in its headers, exits 0, and every 201 it sent is a stored
// row.
func TestSIGTERMDrainsInFlight(t *testing.T) {
	pg := pgtest.ForTest(t)
	p := startTarget(t, pg.URL(), "--listen 127.0.0.1:0 --write-mode batch --batch-wait 1500ms --batch-max 1000")
	base := p.base

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
				// A read whose handler would start after the signal gets a
				// 503 instead; none may fail otherwise.
				if resp.StatusCode != 200 && resp.StatusCode != 503 {
					mu.Lock()
					badReads = append(badReads, resp.Status)
					mu.Unlock()
				}
			}
		})
	}

	// A client stuck in its headers must not hold the drain up.
	stuck, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	if _, err := io.WriteString(stuck, "GET /api HTTP/1.1\r\nHost: t\r\n"); err != nil {
		t.Fatal(err)
	}

	// The POSTs are now waiting in the 1.5 s batch window.
	time.Sleep(700 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
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
	p.wait(t, start, 5*time.Second)
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
}

// SIGTERM with clients that hold connections but have no request in the
// handlers: none of them may hold the exit up. Each is cut at once and the
// process exits 0 well inside the shutdown timeout.
func TestSIGTERMCutsIdleAndStuckClients(t *testing.T) {
	pg := pgtest.ForTest(t)
	cases := []struct {
		name string
		send string // what the client writes, then it stalls
		read bool   // whether it reads a full response first
	}{
		{name: "idle keep-alive", send: "GET /api HTTP/1.1\r\nHost: t\r\n\r\n", read: true},
		{name: "connected, silent"},
		{name: "slow header", send: "GET /api HTTP/1.1\r\nHost: t\r\nX-Slow: a"},
		{name: "slow body", send: "POST /api/posts HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"title\":"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := startTarget(t, pg.URL(), "--listen 127.0.0.1:0 --shutdown-timeout 3s")
			conn, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			if tc.read {
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || resp.Close {
					t.Fatalf("status %d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
				}
			}
			time.Sleep(100 * time.Millisecond) // the server has read what was sent
			t.Logf("exited %v after SIGTERM", p.term(t, time.Second).Round(time.Millisecond))
			// The server closed the connection rather than leaving it to the
			// process exit.
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if n, err := br.Read(make([]byte, 1)); err == nil {
				t.Errorf("read %d bytes after exit, want the connection closed", n)
			}
		})
	}
}
