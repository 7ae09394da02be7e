package localpg_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gowrk/gowrk/internal/localpg"
	"github.com/gowrk/gowrk/internal/pgtest"
)

func query(t *testing.T, url string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(ctx)
	var fsync, syncCommit, maxConns string
	err = conn.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit'), current_setting('max_connections')").
		Scan(&fsync, &syncCommit, &maxConns)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if fsync != "on" || syncCommit != "on" {
		t.Errorf("durability: fsync=%s synchronous_commit=%s, want on/on", fsync, syncCommit)
	}
	if maxConns != strconv.Itoa(localpg.DefaultMaxConnections) {
		t.Errorf("max_connections = %s, want %d", maxConns, localpg.DefaultMaxConnections)
	}
}

func TestStartQueryStop(t *testing.T) {
	s := pgtest.ForTest(t)
	if !strings.HasPrefix(s.URL(), "postgres://postgres@127.0.0.1:") {
		t.Errorf("URL = %q", s.URL())
	}
	query(t, s.URL())
	if _, err := os.Stat(filepath.Join(s.DataDir(), ".s.PGSQL."+strconv.Itoa(s.Port()))); err != nil {
		t.Errorf("unix socket not in the data dir: %v", err)
	}

	dir := s.Dir()
	if err := s.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp dir %s still there after Stop (err=%v)", dir, err)
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())), time.Second)
	if err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after Stop", s.Port())
	}
}

func TestHaltRestart(t *testing.T) {
	s := pgtest.ForTest(t)
	ctx := context.Background()
	if err := s.Halt(ctx); err != nil {
		t.Fatalf("Halt: %v", err)
	}
	if conn, err := pgx.Connect(ctx, s.URL()); err == nil {
		conn.Close(ctx)
		t.Fatal("connected to a halted server")
	}
	port := s.Port()
	if err := s.Restart(ctx); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if s.Port() != port {
		t.Errorf("port changed across restart: %d -> %d", port, s.Port())
	}
	query(t, s.URL())
}

// A given directory survives Stop, and starting on it again reuses the
// cluster (data included), as the CLI does.
func TestGivenDirReused(t *testing.T) {
	if !localpg.Installed() {
		pgtest.SkipOrFail(t, localpg.ErrNotInstalled)
	}
	// t.TempDir is private to root; the postgres user needs a searchable parent.
	parent, err := os.MkdirTemp("", "localpg-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	ctx := context.Background()

	s, err := localpg.Start(ctx, localpg.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	conn, err := pgx.Connect(ctx, s.URL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	// Start on a running cluster returns it rather than failing.
	again, err := localpg.Start(ctx, localpg.Options{Dir: dir})
	if err != nil {
		t.Fatalf("second Start on a running dir: %v", err)
	}
	if again.Port() != s.Port() {
		t.Errorf("second Start port %d, want the running one %d", again.Port(), s.Port())
	}

	if err := localpg.StopDir(dir, localpg.Options{}); err != nil {
		t.Fatalf("StopDir: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "PG_VERSION")); err != nil {
		t.Fatalf("given dir not kept: %v", err)
	}
	if err := localpg.StopDir(dir, localpg.Options{}); err != nil {
		t.Errorf("StopDir on a stopped dir: %v", err)
	}

	s2, err := localpg.Start(ctx, localpg.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Stop() })
	conn, err = pgx.Connect(ctx, s2.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("data after restart: v=%d err=%v", v, err)
	}
}

func TestMissingBinaries(t *testing.T) {
	_, err := localpg.Start(context.Background(), localpg.Options{BinDir: t.TempDir()})
	if !errors.Is(err, localpg.ErrNotInstalled) {
		t.Fatalf("Start with an empty BinDir: err=%v, want ErrNotInstalled", err)
	}
}
