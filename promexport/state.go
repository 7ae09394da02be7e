package promexport

import (
	"github.com/gowrk/gowrk/generator"
)

// State is a run's figures as the series carry them, each counted from the
// start of the run.
type State struct {
	// OpenLoop is set for runs at a scheduled rate: their latency is
	// corrected, measured from each request's scheduled send time, and
	// Target is the rate.
	OpenLoop bool
	// Requests counts complete responses of any status.
	Requests uint64
	// Errors counts failed requests by class (OverCap is not a class).
	Errors generator.Errors
	// StatusCodes counts responses by status code.
	StatusCodes map[int]uint64
	// Latency is the responses' latency: corrected in open-loop runs, as
	// measured otherwise.
	Latency Histogram
	// Target is the scheduled requests per second over the last series
	// interval, in open-loop runs.
	Target float64
	// Endpoints are the results per endpoint, known after the run.
	Endpoints []Endpoint
}

// Endpoint is one endpoint group's share of a finished run.
type Endpoint struct {
	// Name is the method and path, e.g. "GET /posts".
	Name string
	// Requests counts complete responses; Errors socket errors during the
	// group's requests plus responses above 399.
	Requests, Errors uint64
	StatusCodes      map[int]uint64
	// Latency is corrected in open-loop runs, as in State.
	Latency Histogram
}

// addInterval takes in a closed series bucket: its counts are added, and
// the counts it carries from the start of the run replace the state's.
func (s *State) addInterval(d generator.IntervalData) {
	s.Requests += d.Requests
	byClass := d.ErrorsByClass
	s.Errors = generator.Errors{
		Connect: byClass[generator.ClassConnect], Read: byClass[generator.ClassRead],
		Write: byClass[generator.ClassWrite], Timeout: byClass[generator.ClassTimeout],
		Reset: byClass[generator.ClassReset],
	}
	// With --expect-status the listed statuses decide: a failed one is a
	// check, not a status error.
	if d.Config == nil || len(d.Config.Expect.Status) == 0 {
		s.Errors.Status = statusErrors(d.StatusCodes)
	}
	s.Errors.Check = d.Checks
	if d.StatusCodes != nil {
		s.StatusCodes = d.StatusCodes
	}
	s.Latency.Add(d.Latency)
	if s.OpenLoop {
		s.Target = d.Target
	}
}

// statusErrors counts the responses with a status above 399, the status
// error class.
func statusErrors(codes map[int]uint64) uint64 {
	var n uint64
	for code, c := range codes {
		if code > 399 {
			n += c
		}
	}
	return n
}

// ResultState is a finished run's exact figures: those of its JSON report.
func ResultState(res *generator.Result) State {
	s := State{
		OpenLoop:    res.Config.Pacer.Enabled(),
		Requests:    res.Requests,
		Errors:      res.Errors,
		StatusCodes: res.StatusCodes,
	}
	s.Errors.OverCap = 0
	// The interval histograms' latency: corrected in open-loop runs.
	if res.Corrected != nil {
		s.Latency.Add(res.Corrected)
	} else {
		s.Latency.Add(res.Latency)
	}
	if s.OpenLoop && len(res.Series) > 0 {
		s.Target = res.Series[len(res.Series)-1].Target
	}
	eps := append([]generator.EndpointResult(nil), res.Endpoints...)
	generator.SortEndpoints(eps)
	for _, e := range eps {
		ep := Endpoint{Name: e.Name, Requests: e.Requests, Errors: e.Errors, StatusCodes: e.StatusCodes}
		ep.Latency.Add(e.Latency)
		s.Endpoints = append(s.Endpoints, ep)
	}
	return s
}
