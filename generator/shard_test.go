package generator

import (
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/pace"
	"github.com/gowrk/gowrk/threshold"
)

var shardURL = &url.URL{Scheme: "http", Host: "127.0.0.1:1", Path: "/"}

func TestShareOfDealsRoundRobin(t *testing.T) {
	for _, tc := range []struct {
		n, count int
		want     []int
	}{
		{10, 4, []int{3, 3, 2, 2}},
		{8, 4, []int{2, 2, 2, 2}},
		{3, 4, []int{1, 1, 1, 0}},
		{1, 1, []int{1}},
	} {
		var got []int
		sum := 0
		for i := range tc.count {
			s := Shard{Index: i, Count: tc.count}
			got = append(got, s.ShareOf(tc.n))
			owned := 0
			for k := range tc.n {
				if s.Owns(k) {
					owned++
				}
			}
			if owned != s.ShareOf(tc.n) {
				t.Errorf("%d of %d: owns %d items, ShareOf says %d", i, tc.count, owned, s.ShareOf(tc.n))
			}
			sum += got[i]
		}
		if !slices.Equal(got, tc.want) || sum != tc.n {
			t.Errorf("%d items over %d shards: %v, want %v", tc.n, tc.count, got, tc.want)
		}
	}
}

// shardOf is the run's configuration and layout for cfg.
func shardOf(t *testing.T, cfg Config) (Config, layout) {
	t.Helper()
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	l, err := cfg.applyShard()
	if err != nil {
		t.Fatal(err)
	}
	return cfg, l
}

// dueTimes lists the send times, up to end, of every request of a run
// with the configuration: as conns schedule them (conn.pace, nextStart),
// over units engine connections in groups of groupSize.
func dueTimes(t *testing.T, cfg Config, groupSize int, end time.Duration) []time.Duration {
	t.Helper()
	cfg, l := shardOf(t, cfg)
	units := cfg.Connections * groupSize
	var out []time.Duration
	for p := range units {
		place, _ := l.places(p, groupSize)
		for seq := 0; ; seq++ {
			d := cfg.Pacer.Due(float64(seq*units) + place)
			if d > end {
				break
			}
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// The shards' schedules together are the workload's, request for request,
// whatever the pacer and however unevenly the connections divide.
func TestShardsTogetherAreTheWorkloadsSchedule(t *testing.T) {
	for _, tc := range []struct {
		name      string
		pacer     pace.Pacer
		conns     int
		shards    int
		groupSize int
	}{
		{"constant", pace.ConstantRate(20000), 100, 4, 1},
		{"uneven", pace.ConstantRate(997), 10, 4, 1},
		{"ramp", pace.Ramp(100, 5000, 2*time.Second, 0), 30, 3, 1},
		{"steps", pace.Ramp(100, 5000, 2*time.Second, 4), 12, 5, 1},
		{"stages", pace.Staged([]pace.Stage{{Duration: time.Second, Target: 3000}, {Duration: time.Second, Target: 500}}), 20, 3, 1},
		{"streams", pace.ConstantRate(4000), 7, 3, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := Config{URL: shardURL, Threads: 1, Duration: 2 * time.Second, Connections: tc.conns, Pacer: tc.pacer}
			end := 2 * time.Second
			whole := dueTimes(t, base, tc.groupSize, end)
			var parts []time.Duration
			for i := range tc.shards {
				cfg := base
				cfg.Shard = Shard{Index: i, Count: tc.shards}
				parts = append(parts, dueTimes(t, cfg, tc.groupSize, end)...)
			}
			slices.Sort(parts)
			// A request due right at the end may fall either side of it
			// by rounding.
			if d := len(parts) - len(whole); d < -tc.shards || d > tc.shards {
				t.Fatalf("shards schedule %d requests, the workload %d", len(parts), len(whole))
			}
			n := min(len(parts), len(whole))
			for i := range n {
				if diff := parts[i] - whole[i]; diff < -time.Microsecond || diff > time.Microsecond {
					t.Fatalf("request %d: shards send it at %v, the workload at %v", i, parts[i], whole[i])
				}
			}
		})
	}
}

// With connection stages, the shards' active connections add up to the
// workload's at every moment.
func TestShardsTogetherFollowTheConnectionStages(t *testing.T) {
	stages := []pace.Stage{{Duration: time.Second, Target: 10}, {Duration: time.Second, Target: 3}}
	active := func(cfg Config, at time.Duration) int {
		cfg, l := shardOf(t, cfg)
		n := 0
		for p := range cfg.Connections {
			_, group := l.places(p, 1)
			if ok, _ := pace.Gate(l.connStages, group, at); ok {
				n++
			}
		}
		return n
	}
	base := Config{URL: shardURL, Threads: 1, Duration: 2 * time.Second, Connections: 10, ConnStages: stages}
	for at := time.Duration(0); at <= 2*time.Second; at += 50 * time.Millisecond {
		sum := 0
		for i := range 3 {
			cfg := base
			cfg.Shard = Shard{Index: i, Count: 3}
			sum += active(cfg, at)
		}
		if want := active(base, at); sum != want {
			t.Fatalf("at %v: shards have %d connections active, the workload %d", at, sum, want)
		}
	}
}

func TestApplyShardRefuses(t *testing.T) {
	base := Config{URL: shardURL, Threads: 2, Duration: time.Second, Connections: 10}
	for _, tc := range []struct {
		shard Shard
		edit  func(*Config)
		want  string
	}{
		{Shard{Index: 4, Count: 4}, nil, "shard 5 of 4"},
		{Shard{Index: -1, Count: 4}, nil, "shard 0 of 4"},
		{Shard{Index: 3, Count: 4}, func(c *Config) { c.Threads = 3 }, "shard 4/4 gets 2 of the 10 connections, fewer than the 3 threads"},
		{Shard{Index: 0, Count: 2}, func(c *Config) { c.Stop = []threshold.Condition{{}} }, "stop conditions need the whole workload"},
	} {
		cfg := base
		cfg.Shard = tc.shard
		if tc.edit != nil {
			tc.edit(&cfg)
		}
		_, err := cfg.applyShard()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.shard, err, tc.want)
		}
	}
}

func TestApplyShardScalesTheRate(t *testing.T) {
	cfg := Config{URL: shardURL, Threads: 1, Duration: time.Second, Connections: 10, Pacer: pace.ConstantRate(20000), Shard: Shard{Index: 1, Count: 4}}
	if _, err := cfg.applyShard(); err != nil {
		t.Fatal(err)
	}
	if cfg.Connections != 3 || math.Abs(cfg.Pacer.To-6000) > 1e-9 {
		t.Errorf("shard 2/4 of 10 connections at 20000/s: %d connections at %v/s, want 3 at 6000/s", cfg.Connections, cfg.Pacer.To)
	}
}
