package luascript

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
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

// recorder is a raw-TCP HTTP/1.1 server that records every request and
// how requests arrived, and answers each with reply(request).
type recorder struct {
	URL   string
	Host  string
	Port  string
	ln    net.Listener
	reply func(r *seen) string

	mu    sync.Mutex
	reqs  []seen
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

const okReply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"

// startRecorder starts a recorder on a free loopback port, stopped when the
// test ends. A nil reply answers 200 "ok".
func startRecorder(t testing.TB, reply func(r *seen) string) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if reply == nil {
		reply = func(*seen) string { return okReply }
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	r := &recorder{URL: "http://" + ln.Addr().String(), Host: host, Port: port, ln: ln, reply: reply, conns: map[net.Conn]struct{}{}}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(r.close)
	return r
}

func (r *recorder) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.conns[c] = struct{}{}
		r.mu.Unlock()
		r.wg.Add(1)
		go r.serve(c)
	}
}

func (r *recorder) serve(c net.Conn) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		delete(r.conns, c)
		r.mu.Unlock()
		c.Close()
	}()
	br := bufio.NewReaderSize(c, 64<<10)
	var req fasthttp.Request
	var batch []seen
	for {
		req.Reset()
		req.Header.DisableNormalizing()
		if err := req.Read(br); err != nil {
			return
		}
		s := seen{Method: string(req.Header.Method()), Path: string(req.RequestURI()), Body: string(req.Body())}
		for k, v := range req.Header.All() {
			s.Headers = append(s.Headers, string(k)+": "+string(v))
		}
		batch = append(batch, s)
		// Requests still buffered arrived with this one: answer the group
		// after recording it whole.
		if br.Buffered() > 0 {
			continue
		}
		var out strings.Builder
		for i := range batch {
			batch[i].Batch = len(batch)
			out.WriteString(r.reply(&batch[i]))
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, batch...)
		r.mu.Unlock()
		batch = batch[:0]
		if _, err := c.Write([]byte(out.String())); err != nil {
			return
		}
	}
}

func (r *recorder) close() {
	r.ln.Close()
	r.mu.Lock()
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// requests returns a copy of what was received so far.
func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// reset forgets what was received.
func (r *recorder) reset() {
	r.mu.Lock()
	r.reqs = nil
	r.mu.Unlock()
}

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
