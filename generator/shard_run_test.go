package generator_test

import (
	"context"
	"math"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/pace"
)

// threadIndexes records the thread indexes scripts are set up with.
type threadIndexes struct {
	endpointScript
	mu   sync.Mutex
	seen []int
}

func (s *threadIndexes) NewThread(i int, addr net.Addr, ctl generator.ThreadControl) (generator.ThreadScript, error) {
	s.mu.Lock()
	s.seen = append(s.seen, i)
	s.mu.Unlock()
	return s.endpointScript.NewThread(i, addr, ctl)
}

// Three shards run at once send the workload's rate together, each its
// share of the connections, and their scripts' threads are numbered
// across the shards.
func TestShardsRunTheWorkloadTogether(t *testing.T) {
	srv := testserver.Start(t, false, okHandler)
	const shards, rate = 3, 3000
	script := &threadIndexes{}
	start := time.Now().Add(300 * time.Millisecond)
	results := make([]*generator.Result, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	for i := range shards {
		cfg := config(t, srv.URL, 13, 2, 1500*time.Millisecond)
		cfg.Pacer = pace.ConstantRate(rate)
		cfg.Shard = generator.Shard{Index: i, Count: shards}
		cfg.StartAt = start
		cfg.Script = script
		wg.Go(func() { results[i], errs[i] = generator.Run(context.Background(), cfg) })
	}
	wg.Wait()
	var sent uint64
	var runtime time.Duration
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("shard %d: %v", i+1, errs[i])
		}
		want := []int{5, 4, 4}[i]
		if res.Config.Connections != want || math.Abs(res.Config.Pacer.To-rate*float64(want)/13) > 1e-6 {
			t.Errorf("shard %d: %d connections at %.1f/s, want %d at %.1f/s", i+1, res.Config.Connections, res.Config.Pacer.To, want, rate*float64(want)/13)
		}
		if res.Config.Shard != (generator.Shard{Index: i, Count: shards}) {
			t.Errorf("shard %d: result's shard %+v", i+1, res.Config.Shard)
		}
		sent += res.Sent
		runtime = max(runtime, res.Runtime)
	}
	if got, want := float64(sent), rate*runtime.Seconds(); math.Abs(got-want)/want > 0.02 {
		t.Errorf("shards sent %d in %v, want %.0f (%d/s) within 2%%", sent, runtime, want, rate)
	}
	slices.Sort(script.seen)
	if !slices.Equal(script.seen, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("thread indexes %v, want 0 to 5, each once", script.seen)
	}
}
