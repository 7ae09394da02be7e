package generator

import (
	"net/url"
	"sort"
	"strings"
	"sync/atomic"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// MaxEndpoints is how many endpoint groups a run keeps apart; requests of
// any further group count under OtherEndpoint.
const MaxEndpoints = 100

// OtherEndpoint is the index, and OtherName the name, of the group that
// takes the requests past the first MaxEndpoints groups.
const (
	OtherEndpoint = MaxEndpoints
	OtherName     = "other"
)

// EndpointNamer is implemented by a ThreadScript whose requests carry
// endpoint indexes (Request.Endpoints): after the run, EndpointNames gives
// the name of each index the thread used, e.g. "GET /posts". Each thread
// numbers its own endpoints; groups of the same name merge across threads.
type EndpointNamer interface {
	EndpointNames() []string
}

// EndpointName is the group of a request: its method and URL path, the
// query left out.
func EndpointName(method, target string) string {
	path, _, _ := strings.Cut(target, "?")
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		path = u.EscapedPath()
	}
	if path == "" {
		path = "/"
	}
	return method + " " + path
}

// EndpointResult is one endpoint group's share of the run.
type EndpointResult struct {
	// Name is the method and path, e.g. "GET /posts", or OtherName.
	Name string
	// Requests counts complete responses, Errors socket errors during
	// the group's requests plus responses above 399.
	Requests, Errors uint64
	// StatusCodes counts responses by status code.
	StatusCodes map[int]uint64
	// Latency holds the group's measured latencies in µs (corrected in
	// open-loop mode), with two significant digits; FailedLatency the part
	// of them that are failed responses (an error status or check).
	Latency, FailedLatency *hdrhistogram.Histogram
}

// endpointStats is one thread's per-endpoint data: requests, statuses and
// latencies come in with the samples under shardStats.mu; socket errors
// are counted as they happen, without the lock.
type endpointStats struct {
	requests [MaxEndpoints + 1]uint64
	status   [MaxEndpoints + 1]map[uint16]uint64
	latency  [MaxEndpoints + 1]*hdrhistogram.Histogram
	errors   [MaxEndpoints + 1]atomic.Uint64
	// failed counts the failed responses, failedLatency their latency
	// (made at the group's first failure).
	failed        [MaxEndpoints + 1]uint64
	failedLatency [MaxEndpoints + 1]*hdrhistogram.Histogram
}

// newEndpointHistogram has two significant digits: per-endpoint
// percentiles need no more, and a hundred groups then cost little memory.
func newEndpointHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowest, histHighest, 2)
}

// add records one sample; called under shardStats.mu. Only an endpoint's
// first response allocates.
func (e *endpointStats) add(b sample) {
	i := min(b.endpoint, OtherEndpoint)
	e.requests[i]++
	if e.status[i] == nil {
		e.status[i] = map[uint16]uint64{}
		e.latency[i] = newEndpointHistogram()
	}
	e.status[i][b.status]++
	lat := b.corrected
	if lat == 0 {
		lat = b.latency
	}
	if lat != 0 {
		recordClamped(e.latency[i], int64(lat)-1)
	}
	if b.failed {
		e.failed[i]++
		if e.failedLatency[i] == nil {
			e.failedLatency[i] = newEndpointHistogram()
		}
		if lat != 0 {
			recordClamped(e.failedLatency[i], int64(lat)-1)
		}
	}
}

// collectEndpoints merges the threads' endpoint groups by name, keeping the
// first MaxEndpoints names in order of first use and folding the rest into
// OtherName, which comes last.
func collectEndpoints(cfg *Config, threads []*thread) []EndpointResult {
	byName := map[string]*EndpointResult{}
	var order []string
	var get func(name string) *EndpointResult
	get = func(name string) *EndpointResult {
		if r, ok := byName[name]; ok {
			return r
		}
		if name != OtherName && len(order) >= MaxEndpoints {
			return get(OtherName)
		}
		r := &EndpointResult{Name: name, StatusCodes: map[int]uint64{}, Latency: newEndpointHistogram(), FailedLatency: newEndpointHistogram()}
		byName[name] = r
		order = append(order, name)
		return r
	}
	static := []string{EndpointName(cfg.Method, RequestPath(cfg.URL.RequestURI()))}
	for _, th := range threads {
		e := th.stats.endpoints
		if e == nil {
			continue
		}
		names := static
		if namer, ok := th.script.(EndpointNamer); ok {
			names = namer.EndpointNames()
		} else if th.dynamic {
			names = nil
		}
		for i := range e.requests {
			errs := e.errors[i].Load()
			if e.requests[i] == 0 && errs == 0 {
				continue
			}
			name := OtherName
			if i < len(names) && i < OtherEndpoint {
				name = names[i]
			}
			r := get(name)
			r.Requests += e.requests[i]
			r.Errors += errs + e.failed[i]
			for code, n := range e.status[i] {
				r.StatusCodes[int(code)] += n
			}
			if e.latency[i] != nil {
				r.Latency.Merge(e.latency[i])
			}
			if e.failedLatency[i] != nil {
				r.FailedLatency.Merge(e.failedLatency[i])
			}
		}
	}
	out := make([]EndpointResult, 0, len(order))
	for _, name := range order {
		if name != OtherName {
			out = append(out, *byName[name])
		}
	}
	if r, ok := byName[OtherName]; ok {
		out = append(out, *r)
	}
	return out
}

// SortEndpoints orders groups by name, OtherName last: for reports that
// want a stable order across runs.
func SortEndpoints(eps []EndpointResult) {
	sort.SliceStable(eps, func(i, j int) bool {
		if (eps[i].Name == OtherName) != (eps[j].Name == OtherName) {
			return eps[j].Name == OtherName
		}
		return eps[i].Name < eps[j].Name
	})
}
