package generator

import (
	"strings"

	"github.com/gowrk/gowrk/generator/wire/h1"
)

// Request is what a connection sends as one flight: one serialized
// HTTP/1.1 request, or several concatenated ones that are pipelined.
// HTTP/2 connections translate each into a stream.
type Request struct {
	// Bytes holds Count serialized requests, back to back.
	Bytes []byte
	// Count is the number of requests in Bytes (1 unless pipelining).
	Count int
	// Heads marks the HEAD requests, whose responses carry no body: request
	// i is one when bit i%64 of Heads[i/64] is set. Nil when none is.
	Heads []uint64
	// Endpoints, when set, holds each request's endpoint index (below
	// MaxEndpoints, or OtherEndpoint), named after the run by the thread
	// script's EndpointNamer. Read only with Config.ByEndpoint.
	Endpoints []uint16
}

// Header is one request header.
type Header = h1.Header

// IsHead reports whether request i of the batch is a HEAD request.
func (r Request) IsHead(i int) bool {
	return i/64 < len(r.Heads) && r.Heads[i/64]&(1<<(i%64)) != 0
}

// MarkHead records that request i of the batch is a HEAD request, reusing
// the Heads slice's storage.
func (r *Request) MarkHead(i int) {
	for len(r.Heads) <= i/64 {
		r.Heads = append(r.Heads, 0)
	}
	r.Heads[i/64] |= 1 << (i % 64)
}

// EndpointOf is the endpoint index of request i of the batch: 0 when the
// request carries none.
func (r Request) EndpointOf(i int) uint16 {
	if i >= 0 && i < len(r.Endpoints) {
		return min(r.Endpoints[i], OtherEndpoint)
	}
	return 0
}

// StaticRequest serializes the request every connection sends when no script
// builds them: cfg's method, URL path and query, Host (unless a Host header
// replaces it), headers in order and body (see h1.Serialize).
func StaticRequest(cfg *Config) (Request, error) {
	b, err := h1.Serialize(cfg.Method, RequestPath(cfg.URL.RequestURI()), cfg.URL.Host, cfg.Headers, cfg.Body)
	if err != nil {
		return Request{}, err
	}
	out := Request{Bytes: b, Count: 1}
	if strings.EqualFold(cfg.Method, "HEAD") {
		out.MarkHead(0)
	}
	return out, nil
}

// RequestPath is wrk's request target: everything after the authority,
// "/" when that is empty.
func RequestPath(uri string) string {
	if uri == "" {
		return "/"
	}
	return uri
}
