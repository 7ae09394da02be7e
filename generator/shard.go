package generator

import (
	"fmt"

	"github.com/gowrk/gowrk/pace"
)

// Shard is one generator's part of a workload that Count generators run
// together, on as many machines: Config then describes the whole workload
// (its connections, rate, stages), and the run keeps the share dealt to
// Index. The workload's connections are dealt round-robin, connection k to
// shard k mod Count, and each keeps the place in the open-loop schedule and
// in the connection stages that it has in the whole workload, so the
// shards' requests together are the whole workload's, none twice.
type Shard struct {
	// Index is this generator's shard, from 0; Count how many there are.
	// The zero Shard is the whole workload.
	Index, Count int
}

// Enabled reports whether the run is a part of a larger workload.
func (s Shard) Enabled() bool { return s.Count > 1 }

// String is the shard as --shard takes it: its number from 1, and the count.
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index+1, s.Count) }

// ShareOf is how many of n items dealt round-robin over the shards, item k
// to shard k mod Count, are this shard's.
func (s Shard) ShareOf(n int) int {
	if !s.Enabled() {
		return n
	}
	if n <= s.Index {
		return 0
	}
	return (n-s.Index-1)/s.Count + 1
}

// Owns reports whether item k of those dealt round-robin is this shard's.
func (s Shard) Owns(k int) bool { return !s.Enabled() || k%s.Count == s.Index }

// layout places a run's engine connections in the whole workload. A
// shard's open-loop schedule is the workload's scaled by fraction, its
// share of the connections, so a connection's place on it is its workload
// place scaled alike. The connection stages gate on the workload's own
// stages and ranks, which are whole numbers: exact, where scaled ones
// would round either side of a stage's level.
type layout struct {
	shard Shard
	// fraction is the shard's share of the workload's connections; 1
	// without a shard.
	fraction float64
	// connStages are the workload's connection stages.
	connStages []pace.Stage
	// conns are the workload's connections.
	conns int
}

func wholeLayout(cfg *Config) layout {
	return layout{fraction: 1, connStages: cfg.ConnStages, conns: cfg.Connections}
}

// quota is, of the n requests of a run dealt round-robin over the whole
// workload's engine connections, how many fall to the one at rank p among
// the run's: exact, and the same in the open-loop schedule.
func (l layout) quota(p, groupSize int, n uint64) uint64 {
	wp, _ := l.workloadPlace(p, groupSize)
	place, units := uint64(wp), uint64(l.conns*groupSize)
	if n <= place {
		return 0
	}
	return (n-place-1)/units + 1
}

// places is, for the engine connection at rank p among the run's (groups
// of groupSize sharing a connection to the server), its place in the
// round-robin of the open-loop schedule, scaled to the shard, and its
// connection's rank in the workload, which the connection stages gate.
func (l layout) places(p, groupSize int) (place, groupRank float64) {
	wp, group := l.workloadPlace(p, groupSize)
	return float64(wp) * l.fraction, float64(group)
}

// workloadPlace is, for the engine connection at rank p among the run's,
// its rank among the whole workload's engine connections, and its
// connection's rank among the workload's connections.
func (l layout) workloadPlace(p, groupSize int) (place, group int) {
	group = p / groupSize
	if l.shard.Enabled() {
		group = group*l.shard.Count + l.shard.Index
	}
	return group*groupSize + p%groupSize, group
}

// applyShard turns a workload's configuration into its shard's: the
// shard's connections, and the rate and connection stages scaled to them.
func (cfg *Config) applyShard() (layout, error) {
	s := cfg.Shard
	l := wholeLayout(cfg)
	l.shard = s
	if s.Count == 0 && s.Index == 0 {
		return l, nil
	}
	switch {
	case s.Count < 1 || s.Index < 0 || s.Index >= s.Count:
		return l, fmt.Errorf("%w: shard %d of %d: want a shard from 1 to the count", ErrConfig, s.Index+1, s.Count)
	case len(cfg.Stop) > 0 && s.Enabled():
		return l, fmt.Errorf("%w: stop conditions need the whole workload in one generator, not shard %s", ErrConfig, s)
	}
	own := s.ShareOf(cfg.Connections)
	if own < cfg.Threads {
		return l, fmt.Errorf("%w: shard %s gets %d of the %d connections, fewer than the %d threads", ErrConfig, s, own, cfg.Connections, cfg.Threads)
	}
	l.fraction = float64(own) / float64(cfg.Connections)
	cfg.Connections = own
	cfg.Pacer = cfg.Pacer.Scaled(l.fraction)
	cfg.ConnStages = pace.ScaleStages(cfg.ConnStages, l.fraction)
	return l, nil
}
