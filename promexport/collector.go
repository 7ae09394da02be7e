package promexport

import (
	"net/http"
	"sync"

	"github.com/gowrk/gowrk/generator"
)

// Collector holds a run's series: the state so far during the run, the
// result's exact figures after it. Its methods are safe to call from any
// goroutine.
type Collector struct {
	labels []Label

	mu       sync.Mutex
	state    State
	finished bool
}

// New returns a collector for a run of cfg, its series labelled as o says.
func New(cfg *generator.Config, o Options) (*Collector, error) {
	labels, err := o.constLabels()
	if err != nil {
		return nil, err
	}
	return &Collector{labels: labels, state: State{OpenLoop: cfg.Pacer.Enabled()}}, nil
}

// Interval takes in a closed series bucket: generator.Config.OnInterval.
// It adds the bucket's latency to a fixed set of counts and keeps the
// status code map, which the generator hands over.
func (c *Collector) Interval(d generator.IntervalData) {
	c.mu.Lock()
	if !c.finished {
		c.state.addInterval(d)
	}
	c.mu.Unlock()
}

// Finish sets the series to the result's figures, per endpoint too;
// buckets closing afterwards change nothing.
func (c *Collector) Finish(res *generator.Result) {
	s := ResultState(res)
	c.mu.Lock()
	c.state, c.finished = s, true
	c.mu.Unlock()
}

// Finished reports whether Finish was called.
func (c *Collector) Finished() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.finished
}

// Families are the series now.
func (c *Collector) Families() []Family {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Families(c.labels)
}

// ServeHTTP writes the series now in the text exposition format: a
// dashboard's /metrics.
func (c *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	_ = WriteText(w, c.Families())
}
