// Package targets reads vegeta's HTTP targets format and sends its requests
// without a script: each target is a request line ("METHOD URL"), header
// lines and an optional "@path" body line, targets apart by blank lines and
// "#" starting a comment line. Set implements generator.Scripter, sending the
// targets in sequence or at random, each tagged with its endpoint group.
package targets

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gowrk/gowrk/generator"
)

// Target is one request of the file.
type Target struct {
	Method  string
	URL     *url.URL
	Headers []generator.Header
	Body    []byte
	// Line is where the target starts in the file.
	Line int
}

// Order is how connections go through the targets.
type Order int

const (
	// Sequence sends the targets round-robin, each request the one after
	// the last request the thread sent.
	Sequence Order = iota
	// Random picks every request at random.
	Random
)

// ParseOrder reads --targets-order.
func ParseOrder(s string) (Order, error) {
	switch s {
	case "sequence":
		return Sequence, nil
	case "random":
		return Random, nil
	}
	return 0, fmt.Errorf("invalid --targets-order %q: want sequence or random", s)
}

// Error is a bad targets file: the file, the line and what is wrong.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// maxBody bounds one "@path" body, so a wrong path (a device, a huge file)
// fails with a line instead of exhausting memory.
const maxBody = 64 << 20

// Load reads the targets file at path, "-" meaning stdin. Target URLs are
// resolved against base when it is set (so "GET /path" works); all must
// then share the first one's scheme and host, which the connections dial.
func Load(path string, stdin io.Reader, base *url.URL) ([]Target, error) {
	name := path
	var r io.Reader
	if path == "-" {
		name, r = "stdin", stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, &Error{File: name, Msg: "cannot read targets: " + unwrapPath(err)}
		}
		defer f.Close()
		r = f
	}
	return Parse(r, name, base)
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse reads targets from r; name is the file's name for errors.
func Parse(r io.Reader, name string, base *url.URL) ([]Target, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var (
		out  []Target
		cur  *Target
		line int
	)
	bad := func(format string, args ...any) error {
		return &Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "":
			cur = nil
			continue
		case strings.HasPrefix(text, "#"):
			continue
		case cur == nil:
			t, err := requestLine(text, base, out)
			if err != nil {
				return nil, bad("%s", err)
			}
			t.Line = line
			out = append(out, t)
			cur = &out[len(out)-1]
		case strings.HasPrefix(text, "@"):
			if cur.Body != nil {
				return nil, bad("a second body for the target of line %d", cur.Line)
			}
			body, err := readBody(strings.TrimSpace(text[1:]))
			if err != nil {
				return nil, bad("%s", err)
			}
			cur.Body = body
		default:
			if cur.Body != nil {
				return nil, bad("header after the body: separate targets with a blank line")
			}
			h, err := headerLine(text)
			if err != nil {
				return nil, bad("%s", err)
			}
			cur.Headers = append(cur.Headers, h)
		}
	}
	if err := sc.Err(); err != nil {
		line++
		return nil, bad("cannot read targets: %v", err)
	}
	if len(out) == 0 {
		return nil, &Error{File: name, Msg: "no targets"}
	}
	return out, nil
}

// requestLine reads "METHOD URL".
func requestLine(text string, base *url.URL, prev []Target) (Target, error) {
	method, raw, ok := strings.Cut(text, " ")
	raw = strings.TrimSpace(raw)
	if !ok || raw == "" || strings.ContainsAny(raw, " \t") {
		return Target{}, fmt.Errorf("want \"METHOD URL\", got %q", text)
	}
	if !isToken(method) {
		return Target{}, fmt.Errorf("invalid method %q", method)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("invalid URL %q", raw)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return Target{}, fmt.Errorf("invalid URL %q: want http:// or https:// with a host", raw)
	}
	if len(prev) > 0 {
		first := prev[0].URL
		if u.Scheme != first.Scheme || u.Host != first.Host {
			return Target{}, fmt.Errorf("%s://%s differs from the first target's %s://%s: all targets share one host", u.Scheme, u.Host, first.Scheme, first.Host)
		}
	}
	return Target{Method: method, URL: u}, nil
}

func headerLine(text string) (generator.Header, error) {
	name, value, ok := strings.Cut(text, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || !isToken(name) {
		return generator.Header{}, fmt.Errorf("invalid header %q: want \"Name: value\"", text)
	}
	return generator.Header{Name: name, Value: value}, nil
}

func readBody(path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("\"@\" without a file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read body %s: %s", path, unwrapPath(err))
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read body %s: %s", path, unwrapPath(err))
	}
	if len(body) > maxBody {
		return nil, fmt.Errorf("body %s is over %d MiB", path, maxBody>>20)
	}
	if body == nil {
		body = []byte{}
	}
	return body, nil
}

// isToken reports whether s is an HTTP token (RFC 9110).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// Set is the targets ready to send: each serialized once, with its
// endpoint group.
type Set struct {
	order    Order
	requests []generator.Request
	names    []string
}

// NewSet serializes the targets. Requests are grouped by method and URL
// path; past generator.MaxEndpoints groups the rest count as "other".
func NewSet(ts []Target, order Order) (*Set, error) {
	s := &Set{order: order}
	index := map[string]uint16{}
	for _, t := range ts {
		cfg := generator.Config{URL: t.URL, Method: t.Method, Headers: t.Headers, Body: t.Body}
		req, err := generator.StaticRequest(&cfg)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", t.Line, err)
		}
		name := generator.EndpointName(t.Method, t.URL.RequestURI())
		i, ok := index[name]
		if !ok {
			i = generator.OtherEndpoint
			if len(s.names) < generator.MaxEndpoints {
				i = uint16(len(s.names))
				s.names = append(s.names, name)
			}
			index[name] = i
		}
		req.Endpoints = []uint16{i}
		s.requests = append(s.requests, req)
	}
	return s, nil
}

// URL is where the connections go: the first target's scheme and host.
func URL(ts []Target) *url.URL {
	return &url.URL{Scheme: ts[0].URL.Scheme, Host: ts[0].URL.Host, Path: "/"}
}

// NewThread implements generator.Scripter.
func (s *Set) NewThread(index int, addr net.Addr, _ generator.ThreadControl) (generator.ThreadScript, error) {
	th := &thread{set: s, addr: addr, seed: uint64(index)*0x9e3779b97f4a7c15 + uint64(time.Now().UnixNano())}
	// Threads start at different targets, so short runs cover them all.
	th.next.Store(uint64(index))
	return th, nil
}

// thread is one generator thread's view of the set. Its connections share
// the cursor, so each request is the one after the last the thread sent.
type thread struct {
	set  *Set
	addr net.Addr
	next atomic.Uint64
	seed uint64
}

func (t *thread) Addr() net.Addr                      { return t.addr }
func (t *thread) Static() (generator.Request, bool)   { return generator.Request{}, false }
func (t *thread) HasDelay() bool                      { return false }
func (t *thread) Delay() (time.Duration, error)       { return 0, nil }
func (t *thread) HasResponse() bool                   { return false }
func (t *thread) Response(*generator.Response) error  { return nil }
func (t *thread) EndpointNames() []string             { return t.set.names }
func (t *thread) Next(int) (generator.Request, error) { return t.set.requests[t.pick()], nil }

// pick is the index of the next target, without a lock or an allocation.
func (t *thread) pick() int {
	n := t.next.Add(1) - 1
	if t.set.order == Random {
		n = mix(n + t.seed)
	}
	return int(n % uint64(len(t.set.requests)))
}

// mix is splitmix64's finalizer: consecutive inputs give unrelated outputs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
