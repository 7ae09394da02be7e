package luascript

import (
	"net"
	"sync"
	"time"
	"unsafe"

	lua "github.com/yuin/gopher-lua"

	"github.com/gowrk/gowrk/generator"
)

// thread is one engine thread's Lua state and hooks; it implements
// generator.ThreadScript. The thread's connections call the hooks from
// their own goroutines, so mu serializes every use of the state. Each
// thread has its own lock: threads never wait for each other.
type thread struct {
	script *Script
	ctl    generator.ThreadControl
	// id is thread.id: the thread's number from 1, across the shards of a
	// workload run by several generators.
	id int

	mu sync.Mutex
	st *state
	// release stops watching the run's end; see watchRun.
	release func()

	// addr is read by the engine when it dials and written by thread.addr
	// from Lua, under addrMu rather than mu so that a dial does not wait
	// for a running hook.
	addrMu sync.Mutex
	addr   net.Addr

	// Decided once init has run.
	static      bool
	staticReq   generator.Request
	hasDelay    bool
	hasResponse bool

	// conns holds each connection's last request; see Next.
	conns []connRequest
	// eps groups the requests by endpoint, with Options.ByEndpoint.
	eps  *endpoints
	resp responseArgs
}

// connRequest is a connection's last request() result. Bytes returned by
// Next point into buf and stay valid until the connection's next call.
type connRequest struct {
	buf []byte
	// src is the Lua string buf was copied from: a script that returns the
	// same string again (a prebuilt request or pipeline) skips the parse and
	// the copy.
	src *byte
	req generator.Request
	// starts and eps are the storage of the requests' endpoint groups.
	starts []int
	eps    []uint16
}

var _ generator.ThreadScript = (*thread)(nil)

// init runs wrk's init sequence in the thread's state: add Host to
// wrk.headers, call init(args), build the default request with wrk.format()
// (which wrk.request() returns), then look at which hooks exist.
func (t *thread) init() error {
	st := t.st
	L := st.L
	// Host goes in before init, as in wrk, so init can read it, and again
	// after, in case init replaced wrk.headers with a table without one.
	st.addHost()
	if fn, ok := st.function("init"); ok {
		args := L.CreateTable(len(t.script.args), 1)
		args.RawSetInt(0, lua.LString(t.script.rawURL))
		for _, a := range t.script.args {
			args.Append(lua.LString(a))
		}
		if _, err := st.call(fn, 0, args); err != nil {
			return err
		}
	}
	st.addHost()
	ret, err := st.call(st.wrk.RawGetString("format"), 1)
	if err != nil {
		return err
	}
	req := ret[0]
	st.wrk.RawSetString("request", L.NewFunction(func(L *lua.LState) int {
		L.Push(req)
		return 1
	}))

	_, dynamic := st.function("request")
	_, t.hasDelay = st.function("delay")
	_, t.hasResponse = st.function("response")
	t.static = !dynamic
	if t.static {
		s, _ := req.(lua.LString)
		b := []byte(s)
		req, starts, err := requestsAt(b, nil, nil)
		if err != nil {
			return &Error{File: t.script.path, Msg: "the request built from wrk.method, wrk.path, wrk.headers and wrk.body is not valid HTTP: " + err.Error()}
		}
		if t.eps != nil {
			req.Endpoints = t.eps.tag(req.Bytes, starts, nil)
		}
		t.staticReq = req
	}
	if t.hasResponse {
		t.resp.init(L)
	}
	return nil
}

// Addr is the address the thread's connections dial.
func (t *thread) Addr() net.Addr {
	t.addrMu.Lock()
	defer t.addrMu.Unlock()
	return t.addr
}

func (t *thread) setAddr(a net.Addr) {
	t.addrMu.Lock()
	t.addr = copyAddr(a)
	t.addrMu.Unlock()
}

// Static returns the request built once after init when the script has no
// request() function; the engine then never calls Next.
func (t *thread) Static() (generator.Request, bool) {
	return t.staticReq, t.static
}

// HasDelay reports whether delay() was defined after init.
func (t *thread) HasDelay() bool { return t.hasDelay }

// HasResponse reports whether response() was defined after init.
func (t *thread) HasResponse() bool { return t.hasResponse }

// Next calls request() and returns what it built, validated and counted.
func (t *thread) Next(conn int) (generator.Request, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.st
	L := st.L
	fn, ok := st.function("request")
	if !ok {
		return generator.Request{}, &Error{File: t.script.path, Msg: "global 'request' is no longer a function"}
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return generator.Request{}, st.interrupted(runtimeError(t.script.path, err))
	}
	ret := L.Get(-1)
	L.Pop(1)
	s, ok := ret.(lua.LString)
	if !ok {
		return generator.Request{}, t.badRequest(fn, "request() returned "+ret.Type().String()+", not a string")
	}

	for conn >= len(t.conns) {
		t.conns = append(t.conns, connRequest{})
	}
	c := &t.conns[conn]
	if len(s) > 0 && c.src == unsafe.StringData(string(s)) && len(c.buf) == len(s) {
		return c.req, nil
	}
	c.buf = append(c.buf[:0], s...)
	req, starts, err := requestsAt(c.buf, c.req.Heads, c.starts)
	c.starts = starts
	if err != nil {
		c.src = nil
		return generator.Request{}, t.badRequest(fn, "request() returned an invalid HTTP request: "+err.Error())
	}
	if t.eps != nil {
		c.eps = t.eps.tag(req.Bytes, starts, c.eps)
		req.Endpoints = c.eps
	}
	c.src = unsafe.StringData(string(s))
	c.req = req
	return c.req, nil
}

// badRequest locates an unusable request() result at the function's
// definition, since the fault is in what it returned, not in a statement
// that raised.
func (t *thread) badRequest(fn *lua.LFunction, msg string) error {
	e := &Error{File: t.script.path, Msg: msg}
	if fn.Proto != nil {
		e.File, e.Line = fn.Proto.SourceName, fn.Proto.LineDefined
	}
	return e
}

// Delay calls delay() and returns its result, in milliseconds, as a duration.
func (t *thread) Delay() (time.Duration, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.st
	L := st.L
	fn, ok := st.function("delay")
	if !ok {
		return 0, &Error{File: t.script.path, Msg: "global 'delay' is no longer a function"}
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return 0, st.interrupted(runtimeError(t.script.path, err))
	}
	ms := float64(lua.LVAsNumber(L.Get(-1)))
	L.Pop(1)
	return delayDuration(ms), nil
}

// EndpointNames names the endpoint groups of the thread's requests, with
// Options.ByEndpoint; it implements generator.EndpointNamer.
func (t *thread) EndpointNames() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.eps == nil {
		return nil
	}
	return t.eps.names
}
