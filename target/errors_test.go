package target

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestUnavailable(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&unavailableError{op: "acquire connection", err: context.DeadlineExceeded}, true},
		{fmt.Errorf("list posts: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "57P01"}), true}, // admin shutdown
		{&pgconn.PgError{Code: "53300"}, true},                            // too many connections
		{&pgconn.PgError{Code: "08006"}, true},                            // connection failure
		{&pgconn.PgError{Code: "42601"}, false},                           // syntax error: a bug
		{&pgconn.PgError{Code: "23505"}, false},                           // unique violation
		{errBatcherClosed, true},
	}
	for _, tc := range cases {
		if got := Unavailable(tc.err); got != tc.want {
			t.Errorf("Unavailable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestLogThrottle(t *testing.T) {
	lt := logThrottle{interval: time.Second}
	t0 := time.Unix(1000, 0)
	if ok, n := lt.allow(t0); !ok || n != 0 {
		t.Fatalf("first: %v %d", ok, n)
	}
	for i := range 5 {
		if ok, _ := lt.allow(t0.Add(time.Duration(i) * 100 * time.Millisecond)); ok {
			t.Fatalf("allowed within the interval")
		}
	}
	if ok, n := lt.allow(t0.Add(1500 * time.Millisecond)); !ok || n != 5 {
		t.Fatalf("after the interval: ok=%v held=%d, want true 5", ok, n)
	}
	if got := suppressedNote(5); got == "" {
		t.Error("a held-back count must show in the log line")
	}
}
