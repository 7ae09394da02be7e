package localpg

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// ForTest starts a dedicated server for t and stops it (removing its files)
// when t ends. See SkipOrFail for what happens when PostgreSQL is missing.
func ForTest(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx, Options{})
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
	if errors.Is(err, ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skipf("skipping: %v", err)
	}
	t.Fatalf("start PostgreSQL: %v", err)
}
