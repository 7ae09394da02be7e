package generator_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
)

// TestStartAt: the run waits for StartAt before its first connection (only
// the reachability check comes before), and records how late it began.
func TestStartAt(t *testing.T) {
	srv := testserver.Start(t, false, answerFirst(0, testserver.OK))
	cfg := config(t, srv.URL+"/", 2, 1, time.Second)
	cfg.StartAt = time.Now().Add(700 * time.Millisecond)
	var startedConns int64 = -1
	cfg.Started = func() { startedConns = srv.Connections() }
	res := run(t, cfg)
	if res.Start.Before(cfg.StartAt) {
		t.Fatalf("started at %v, before %v", res.Start, cfg.StartAt)
	}
	if res.StartOffset != res.Start.Sub(cfg.StartAt) || res.StartOffset > 50*time.Millisecond {
		t.Errorf("start offset %v, start %v, asked %v", res.StartOffset, res.Start, cfg.StartAt)
	}
	if startedConns != 1 {
		t.Errorf("%d connections before the start time, want 1 (the reachability check)", startedConns)
	}
}

// TestStartAtPassed: a start time that passed during setup fails the run,
// as a late start would silently break a start shared by several runs.
func TestStartAtPassed(t *testing.T) {
	srv := testserver.Start(t, false, answerFirst(0, testserver.OK))
	cfg := config(t, srv.URL+"/", 1, 1, time.Second)
	cfg.StartAt = time.Now().Add(-time.Second)
	_, err := generator.Run(t.Context(), cfg)
	if !errors.Is(err, generator.ErrConfig) {
		t.Fatalf("err = %v, want a configuration error", err)
	}
}
