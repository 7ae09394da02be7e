package hdrlog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gowrk/gowrk/generator"
)

// Shard is the part of a workload the log's run ran; the zero Shard for a
// whole workload.
func (l *Log) Shard() generator.Shard {
	if l.meta.Shards == 0 {
		return generator.Shard{}
	}
	return generator.Shard{Index: l.meta.Shard - 1, Count: l.meta.Shards}
}

// Workload names the log's workload; "" in logs of older versions.
func (l *Log) Workload() string { return l.meta.Workload }

// CheckShards reports why logs cannot be merged as one workload's shards:
// logs of sharded runs must be all of one workload's shards, each once.
// Logs without shards pass; Workloads tells whether they ran one workload.
func CheckShards(logs []*Log) error {
	var sharded []*Log
	for _, l := range logs {
		if l.Shard().Count > 0 {
			sharded = append(sharded, l)
		}
	}
	if len(sharded) == 0 {
		return nil
	}
	if len(sharded) < len(logs) {
		for _, l := range logs {
			if l.Shard().Count == 0 {
				return fmt.Errorf("%s ran a whole workload, %s shard %s of one: merge the shards alone", l.Path, sharded[0].Path, sharded[0].Shard())
			}
		}
	}
	first := sharded[0]
	n := first.Shard().Count
	seen := make([]*Log, n)
	for _, l := range sharded {
		s := l.Shard()
		if s.Count != n {
			return fmt.Errorf("%s is shard %s, %s shard %s: not one workload's shards", first.Path, first.Shard(), l.Path, s)
		}
		if l.Workload() != first.Workload() {
			return fmt.Errorf("%s and %s ran different workloads (%s, %s): same options, script and targets needed", first.Path, l.Path, orUnknown(first.Workload()), orUnknown(l.Workload()))
		}
		if prev := seen[s.Index]; prev != nil {
			return fmt.Errorf("shard %s twice: %s and %s", s, prev.Path, l.Path)
		}
		seen[s.Index] = l
	}
	var missing []string
	for i, l := range seen {
		if l == nil {
			missing = append(missing, fmt.Sprint(i+1))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("shards incomplete: %d of %d, missing %s", n-len(missing), n, strings.Join(missing, ", "))
	}
	return nil
}

func orUnknown(id string) string {
	if id == "" {
		return "unknown"
	}
	return id
}

// Workloads reports whether the logs name more than one workload, and two
// logs that differ.
func Workloads(logs []*Log) (a, b *Log, differ bool) {
	for _, l := range logs[1:] {
		if l.Workload() != logs[0].Workload() {
			return logs[0], l, true
		}
	}
	return nil, nil, false
}

// StartSkew is how far apart the runs started: the latest start less the
// earliest, to the microsecond.
func StartSkew(logs []*Log) time.Duration {
	if len(logs) == 0 {
		return 0
	}
	starts := make([]time.Time, len(logs))
	for i, l := range logs {
		starts[i] = l.meta.exactStart()
	}
	first := slices.MinFunc(starts, time.Time.Compare)
	last := slices.MaxFunc(starts, time.Time.Compare)
	return last.Sub(first)
}

var errNoLogs = errors.New("no gowrk log in the stream")
