// Package pgtest gives tests a PostgreSQL server of their own, through
// localpg. It is apart from localpg so the programs built on localpg do not
// link the testing package.
package pgtest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/localpg"
)

// ForTest starts a dedicated server for t and stops it (removing its files)
// when t ends. See SkipOrFail for what happens when PostgreSQL is missing.
func ForTest(t testing.TB) *localpg.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := localpg.Start(ctx, localpg.Options{})
	if err != nil {
		SkipOrFail(t, err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("stop PostgreSQL: %v", err)
		}
	})
	return s
}

// SkipOrFail ends t because of a Start error: a skip when PostgreSQL is not
// installed, except in CI (env CI=true), where a missing database must not
// turn the suite green; a failure for any other error.
func SkipOrFail(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, localpg.ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skipf("skipping: %v", err)
	}
	t.Fatalf("start PostgreSQL: %v", err)
}
