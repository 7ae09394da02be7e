package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gowrk/gowrk/internal/localpg"
	"github.com/gowrk/gowrk/internal/pgtest"
)

func TestStartStop(t *testing.T) {
	if !localpg.Installed() {
		pgtest.SkipOrFail(t, localpg.ErrNotInstalled)
	}
	parent, err := os.MkdirTemp("", "localpg-cli-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "pg")
	ctx := context.Background()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"start", "--dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("start: %v (stderr: %s)", err, errOut.String())
	}
	t.Cleanup(func() { _ = run(ctx, []string{"stop", "--dir", dir}, &out, &errOut) })
	line := strings.TrimSpace(out.String())
	url, ok := strings.CutPrefix(line, "DATABASE_URL=")
	if !ok {
		t.Fatalf("start printed %q, want DATABASE_URL=...", line)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to printed URL: %v", err)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1: %d, %v", one, err)
	}
	conn.Close(ctx)

	if err := run(ctx, []string{"stop", "--dir", dir}, &out, &errOut); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := pgx.Connect(ctx, url); err == nil {
		t.Fatal("server still accepts connections after stop")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{nil, {"start"}, {"bogus", "--dir", "x"}, {"start", "--dir", "x", "extra"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
		if out.Len() != 0 {
			t.Errorf("run(%q) wrote to stdout: %q", args, out.String())
		}
	}
}
