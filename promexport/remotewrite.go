package promexport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/exp/api/remote"

	"github.com/gowrk/gowrk/generator"
)

// Limits of one push: each attempt has attemptTimeout, and a push that
// fails is tried again twice at most. Counters are cumulative, so a push
// given up loses nothing the next one does not carry.
const (
	attemptTimeout = 5 * time.Second
	maxRetries     = 2
	minBackoff     = 200 * time.Millisecond
	maxBackoff     = time.Second
)

// ParseURL checks a remote write receiver's URL: http or https, with a
// host, e.g. http://127.0.0.1:9090/api/v1/write.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return nil, errors.New("want an http:// or https:// URL with a host, e.g. http://127.0.0.1:9090/api/v1/write")
	}
	return u, nil
}

// Pusher sends a collector's series to a remote write receiver (remote
// write 1.0): after each series interval, from its own goroutine, and once
// more with the run's exact figures when closed.
type Pusher struct {
	api  *remote.API
	src  *Collector
	kick chan struct{}
	// live is the context of the pushes during the run; Close cancels it.
	live   context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	lastTS int64 // the last push's timestamp, in ms
	stats  Stats
}

// Stats count a pusher's pushes.
type Stats struct {
	Pushes, Failed int
	// Err is the last failed push's error.
	Err error
}

// String is the line to print when pushes failed.
func (s Stats) String() string {
	if s.Failed == 0 {
		return fmt.Sprintf("prometheus remote write: %d pushes", s.Pushes)
	}
	return fmt.Sprintf("prometheus remote write: %d of %d pushes failed: %s", s.Failed, s.Pushes, oneLine(s.Err.Error()))
}

// oneLine folds a receiver's multi-line error body into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// NewPusher starts a pusher of src's series to the receiver at rawURL.
func NewPusher(rawURL string, src *Collector) (*Pusher, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	api, err := remote.NewAPI(u.String(),
		remote.WithAPIPath(""), // the URL is the receiver's, path and all
		remote.WithAPIHTTPClient(&http.Client{Timeout: attemptTimeout}),
		remote.WithAPIBackoff(remote.BackoffConfig{Min: minBackoff, Max: maxBackoff, MaxRetries: maxRetries}))
	if err != nil {
		return nil, err
	}
	p := &Pusher{api: api, src: src, kick: make(chan struct{}, 1), done: make(chan struct{})}
	p.live, p.cancel = context.WithCancel(context.Background())
	go p.loop()
	return p, nil
}

// Interval asks for a push of the series now: generator.Config.OnInterval,
// after the collector's. It never waits: while a push is under way, the
// next one takes the latest figures.
func (p *Pusher) Interval(generator.IntervalData) {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *Pusher) loop() {
	defer close(p.done)
	for {
		select {
		case <-p.live.Done():
			return
		case <-p.kick:
			p.push(p.live, true)
		}
	}
}

// push sends the series now, stamped with the wall clock, and counts it;
// a live push that Close cut short is not counted.
func (p *Pusher) push(ctx context.Context, live bool) {
	req := writeRequest(p.src.Families(), p.timestamp())
	_, err := p.api.Write(ctx, remote.WriteV1MessageType, req)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil && live && ctx.Err() != nil {
		return
	}
	p.stats.Pushes++
	if err != nil {
		p.stats.Failed++
		p.stats.Err = err
	}
}

// timestamp is now in ms, after the last push's: a receiver refuses a
// second sample at the same time.
func (p *Pusher) timestamp() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastTS = max(time.Now().UnixMilli(), p.lastTS+1)
	return p.lastTS
}

// Close ends the pushes during the run and makes the final one, with the
// series as they are now (the collector's Finish has set them), within
// ctx. It returns the count of pushes.
func (p *Pusher) Close(ctx context.Context) Stats {
	p.Stop()
	p.push(ctx, false)
	return p.Stats()
}

// Stop ends the pushes, without a final one.
func (p *Pusher) Stop() {
	p.cancel()
	<-p.done
}

// Stats are the pushes so far.
func (p *Pusher) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// writeRequest is fams' series as one sample each at ts.
func writeRequest(fams []Family, ts int64) *WriteRequest {
	req := &WriteRequest{}
	for _, f := range fams {
		for _, s := range f.Series {
			req.Series = append(req.Series, TimeSeries{
				Labels:  with(s.Labels, Label{"__name__", s.Name}),
				Samples: []Sample{{Value: s.Value, Timestamp: ts}},
			})
		}
	}
	return req
}
