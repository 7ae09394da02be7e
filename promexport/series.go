package promexport

import (
	"sort"
	"strconv"
)

// Label is one label of a series.
type Label struct{ Name, Value string }

// Series is one sample: its name (a histogram's with the _bucket, _sum or
// _count suffix), its labels sorted by name and its value.
type Series struct {
	Name   string
	Labels []Label
	Value  float64
}

// Family is one metric with its samples, as the text format groups them.
type Family struct {
	Name, Help string
	// Type is "counter", "gauge" or "histogram".
	Type   string
	Series []Series
}

// The metric names.
const (
	RequestsName          = "gowrk_requests_total"
	ErrorsName            = "gowrk_errors_total"
	ResponsesName         = "gowrk_responses_total"
	LatencyName           = "gowrk_latency_seconds"
	TargetName            = "gowrk_target_requests_per_second"
	EndpointRequestsName  = "gowrk_endpoint_requests_total"
	EndpointErrorsName    = "gowrk_endpoint_errors_total"
	EndpointResponsesName = "gowrk_endpoint_responses_total"
	EndpointLatencyName   = "gowrk_endpoint_latency_seconds"
)

// Families are s's series, each carrying labels (sorted by name) as well
// as its own.
func (s *State) Families(labels []Label) []Family {
	latencyHelp := "Response latency, measured from writing each request."
	if s.OpenLoop {
		latencyHelp = "Response latency, corrected for coordinated omission: measured from each request's scheduled send time."
	}
	e := s.Errors
	fams := []Family{
		{Name: RequestsName, Type: "counter", Help: "Complete responses of any status.",
			Series: []Series{{Name: RequestsName, Labels: labels, Value: float64(s.Requests)}}},
		{Name: ErrorsName, Type: "counter", Help: "Failed requests by class: socket errors (connect, read, write, timeout, reset), responses above 399 (status) and responses that failed --expect-status or --expect-body (check).",
			Series: classes(labels, e.Connect, e.Read, e.Write, e.Timeout, e.Status, e.Reset, e.Check)},
		{Name: ResponsesName, Type: "counter", Help: "Responses by status code.",
			Series: byStatus(ResponsesName, labels, s.StatusCodes)},
		{Name: LatencyName, Type: "histogram", Help: latencyHelp, Series: s.Latency.series(LatencyName, labels)},
	}
	if s.OpenLoop {
		fams = append(fams, Family{Name: TargetName, Type: "gauge", Help: "Scheduled requests per second over the last series interval.",
			Series: []Series{{Name: TargetName, Labels: labels, Value: s.Target}}})
	}
	if len(s.Endpoints) == 0 {
		return fams
	}
	reqs := Family{Name: EndpointRequestsName, Type: "counter", Help: "Complete responses per endpoint (method and path)."}
	errs := Family{Name: EndpointErrorsName, Type: "counter", Help: "Socket errors during an endpoint's requests, and its responses above 399."}
	resps := Family{Name: EndpointResponsesName, Type: "counter", Help: "Responses per endpoint by status code."}
	lat := Family{Name: EndpointLatencyName, Type: "histogram", Help: latencyHelp + " Per endpoint."}
	for i := range s.Endpoints {
		ep := &s.Endpoints[i]
		l := with(labels, Label{"endpoint", ep.Name})
		reqs.Series = append(reqs.Series, Series{Name: reqs.Name, Labels: l, Value: float64(ep.Requests)})
		errs.Series = append(errs.Series, Series{Name: errs.Name, Labels: l, Value: float64(ep.Errors)})
		resps.Series = append(resps.Series, byStatus(resps.Name, l, ep.StatusCodes)...)
		lat.Series = append(lat.Series, ep.Latency.series(lat.Name, l)...)
	}
	return append(fams, reqs, errs, resps, lat)
}

// classes are the error series, one per class in generator.Errors' order.
func classes(labels []Label, counts ...uint64) []Series {
	names := [...]string{"connect", "read", "write", "timeout", "status", "reset", "check"}
	out := make([]Series, len(names))
	for i, n := range names {
		out[i] = Series{Name: ErrorsName, Labels: with(labels, Label{"class", n}), Value: float64(counts[i])}
	}
	return out
}

// byStatus is one series per status code, in ascending order.
func byStatus(name string, labels []Label, codes map[int]uint64) []Series {
	keys := make([]int, 0, len(codes))
	for code := range codes {
		keys = append(keys, code)
	}
	sort.Ints(keys)
	out := make([]Series, 0, len(keys))
	for _, code := range keys {
		out = append(out, Series{Name: name, Labels: with(labels, Label{"status", strconv.Itoa(code)}), Value: float64(codes[code])})
	}
	return out
}

// with is labels and l, in a new slice sorted by name.
func with(labels []Label, l ...Label) []Label {
	out := make([]Label, 0, len(labels)+len(l))
	out = append(append(out, labels...), l...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
