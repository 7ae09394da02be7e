// Package testserver is a raw-TCP HTTP/1.1 server for tests: it answers
// each request as a test tells it to (normally, late, never, with garbage,
// by resetting or closing mid-body) and records what it received, and how
// requests arrived (pipelined ones together).
package testserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// Action is what the server does after writing a Reply.
type Action int

const (
	// Keep leaves the connection open for the next request.
	Keep Action = iota
	// Close closes the connection gracefully.
	Close
	// Reset closes the connection with a TCP RST.
	Reset
	// Hang never answers and keeps the connection open until the server closes.
	Hang
)

// Reply is the server's answer to one request.
type Reply struct {
	// Raw is written as is; empty means nothing is written.
	Raw []byte
	// Delay is waited before writing Raw.
	Delay time.Duration
	// Stream, when set, writes after Raw for as long as it likes: a server
	// that sends forever, or a byte at a time. It returns when it is done or
	// when closed is closed (the server is closing); then Then is done.
	Stream func(w io.Writer, closed <-chan struct{}) error
	// Then is done after writing.
	Then Action
}

// OK is a 200 response with a 2-byte body.
var OK = Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")}

// Status returns a reply with the given status code and a short body.
func Status(code int) Reply {
	return Reply{Raw: []byte(fmt.Sprintf("HTTP/1.1 %d X\r\nContent-Length: 2\r\n\r\nok", code))}
}

// Received is one request as the server read it.
type Received struct {
	Method, Path string
	Headers      []string // "Name: value", in order
	Body         string
	Conn         int64 // which accepted connection it came on (1-based)
	// Batch is the size of the group of requests that arrived together
	// (already buffered behind each other): 1 unless pipelined. A reply
	// with a delay or an action ends a group early.
	Batch int
}

// Handler decides the reply to the n-th request (1-based, over all
// connections).
type Handler func(n int64, req *fasthttp.Request) Reply

// Server is a running test server.
type Server struct {
	URL  string
	Addr string
	peers

	ln       net.Listener
	handler  Handler
	record   bool
	requests atomic.Int64
	conns    atomic.Int64
	mu       sync.Mutex
	seen     []Received
	open     map[net.Conn]struct{}
	closed   chan struct{}
	wg       sync.WaitGroup
}

// Start starts a server on a free loopback port, closed when the test ends.
// With record set it keeps every request it receives.
func Start(t testing.TB, record bool, h Handler) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &Server{
		ln: ln, handler: h, record: record,
		Addr:   ln.Addr().String(),
		URL:    "http://" + ln.Addr().String(),
		open:   map[net.Conn]struct{}{},
		closed: make(chan struct{}),
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.Close)
	return s
}

// Connections is the number of connections accepted so far.
func (s *Server) Connections() int64 { return s.conns.Load() }

// Seen returns a copy of the recorded requests.
func (s *Server) Seen() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.seen...)
}

// Forget drops the requests recorded so far.
func (s *Server) Forget() {
	s.mu.Lock()
	s.seen = nil
	s.mu.Unlock()
}

// Close stops the server and closes every connection.
func (s *Server) Close() {
	select {
	case <-s.closed:
		return
	default:
	}
	close(s.closed)
	s.ln.Close()
	s.mu.Lock()
	for c := range s.open {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.open[c] = struct{}{}
		s.mu.Unlock()
		s.peers.add(c)
		id := s.conns.Add(1)
		s.wg.Add(1)
		go s.serve(c, id)
	}
}

func (s *Server) serve(c net.Conn, id int64) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
		c.Close()
	}()
	br := bufio.NewReaderSize(c, 64<<10)
	var req fasthttp.Request
	// A pipelined group is recorded whole and answered in one write, once
	// no more of it is buffered.
	var group []Received
	var pending []byte
	for {
		req.Reset()
		req.Header.DisableNormalizing()
		if err := req.Read(br); err != nil {
			return
		}
		n := s.requests.Add(1)
		if s.record {
			group = append(group, received(&req, id))
		}
		r := s.handler(n, &req)
		plain := r.Delay == 0 && r.Then == Keep
		if plain && br.Buffered() > 0 {
			pending = append(pending, r.Raw...)
			continue
		}
		s.remember(group)
		group = group[:0]
		if !plain {
			if len(pending) > 0 {
				if _, err := c.Write(pending); err != nil {
					return
				}
				pending = pending[:0]
			}
			if r.Delay > 0 {
				select {
				case <-time.After(r.Delay):
				case <-s.closed:
					return
				}
			}
		}
		// Raw goes out as it is unless answers are pending before it: a
		// large reply is not copied per connection.
		out := r.Raw
		if len(pending) > 0 {
			pending = append(pending, r.Raw...)
			out = pending
		}
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
			pending = pending[:0]
		}
		if r.Stream != nil {
			if err := r.Stream(c, s.closed); err != nil {
				return
			}
		}
		switch r.Then {
		case Close:
			return
		case Reset:
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			return
		case Hang:
			<-s.closed
			return
		}
	}
}

func received(req *fasthttp.Request, conn int64) Received {
	r := Received{
		Method: string(req.Header.Method()),
		Path:   string(req.RequestURI()),
		Body:   string(req.Body()),
		Conn:   conn,
	}
	for k, v := range req.Header.All() {
		r.Headers = append(r.Headers, string(k)+": "+string(v))
	}
	return r
}

// remember records a group of requests that arrived together.
func (s *Server) remember(group []Received) {
	if len(group) == 0 {
		return
	}
	s.mu.Lock()
	for _, r := range group {
		r.Batch = len(group)
		s.seen = append(s.seen, r)
	}
	s.mu.Unlock()
}

// Header returns the value of the first header named name in r, and whether
// it was there.
func (r Received) Header(name string) (string, bool) {
	for _, h := range r.Headers {
		k, v, _ := strings.Cut(h, ": ")
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}
