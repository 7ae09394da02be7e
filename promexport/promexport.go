// Package promexport turns a run into Prometheus series: counters of the
// responses, of the errors by class and of the status codes, the latency
// as a classic histogram, and the target rate of an open-loop run. A
// Collector holds the series' current values, fed once per series interval
// during the run and set to the result's exact figures after it; its
// ServeHTTP writes them in the text exposition format, and a Pusher sends
// them to a Prometheus remote write 1.0 receiver.
package promexport

import (
	"fmt"
	"sort"
)

// Options are what the caller adds to every series.
type Options struct {
	// Labels go on every series, e.g. {"instance": "gen-1"}.
	Labels map[string]string
	// Shard, when set, labels every series shard="i/N": the generator's
	// part of a sharded run.
	Shard string
}

// reserved are the label names the series carry themselves.
var reserved = map[string]bool{"class": true, "status": true, "le": true, "endpoint": true}

// constLabels checks the options' labels and returns them sorted by name.
func (o Options) constLabels() ([]Label, error) {
	labels := make([]Label, 0, len(o.Labels)+1)
	for name, value := range o.Labels {
		if !validLabelName(name) || reserved[name] || name == "shard" {
			return nil, fmt.Errorf("label name %q is invalid or taken by gowrk's series", name)
		}
		labels = append(labels, Label{name, value})
	}
	if o.Shard != "" {
		labels = append(labels, Label{"shard", o.Shard})
	}
	sort.Slice(labels, func(i, j int) bool { return labels[i].Name < labels[j].Name })
	return labels, nil
}

// validLabelName reports whether name is a label name Prometheus accepts
// from a client: [a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__", which
// Prometheus keeps for itself.
func validLabelName(name string) bool {
	if name == "" || len(name) >= 2 && name[:2] == "__" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}
