package luascript

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testserver"
)

// seen is one request as the recording server read it.
type seen struct {
	Method, Path, Body string
	// Headers are "Name: value" lines as sent, in order.
	Headers []string
	// Batch is the size of the group of requests that arrived together
	// (already buffered behind each other); 1 unless pipelined.
	Batch int
}

// header returns the first value of the named header, ignoring case.
func (s seen) header(name string) (string, bool) {
	for _, h := range s.Headers {
		k, v, _ := strings.Cut(h, ": ")
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// recorder is the shared raw-TCP test server, recording every request and
// answering each with reply(request).
type recorder struct {
	*testserver.Server
	Host, Port string
}

const okReply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"

// startRecorder starts a recorder on a free loopback port, stopped when the
// test ends. A nil reply answers 200 "ok".
func startRecorder(t testing.TB, reply func(r *seen) string) *recorder {
	t.Helper()
	if reply == nil {
		reply = func(*seen) string { return okReply }
	}
	srv := testserver.Start(t, true, func(_ int64, req *fasthttp.Request) testserver.Reply {
		s := seen{Method: string(req.Header.Method()), Path: string(req.RequestURI()), Body: string(req.Body())}
		for k, v := range req.Header.All() {
			s.Headers = append(s.Headers, string(k)+": "+string(v))
		}
		return testserver.Reply{Raw: []byte(reply(&s))}
	})
	host, port, _ := net.SplitHostPort(srv.Addr)
	return &recorder{Server: srv, Host: host, Port: port}
}

// requests returns a copy of what was received so far.
func (r *recorder) requests() []seen {
	got := r.Seen()
	reqs := make([]seen, len(got))
	for i, g := range got {
		reqs[i] = seen{Method: g.Method, Path: g.Path, Body: g.Body, Headers: g.Headers, Batch: g.Batch}
	}
	return reqs
}

// reset forgets what was received.
func (r *recorder) reset() { r.Forget() }

// waitIdle waits until no request arrived for a while, for runs whose
// client stops without closing connections at once.
func (r *recorder) waitIdle() {
	last := -1
	for n := len(r.requests()); n != last; n = len(r.requests()) {
		last = n
		time.Sleep(50 * time.Millisecond)
	}
}

// paths counts requests per path.
func paths(reqs []seen) map[string]int {
	m := map[string]int{}
	for _, r := range reqs {
		m[r.Path]++
	}
	return m
}
