package luascript

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
)

// TestTopLevelRunsPerState checks t+1 states: the top level runs once in
// the main state and once per thread, each with its own globals.
func TestTopLevelRunsPerState(t *testing.T) {
	h := load(t, `io.write("top\n"); n = (n or 0) + 1`)
	a, _ := h.thread(0)
	b, _ := h.thread(1)
	if got := strings.Count(h.out.String(), "top\n"); got != 3 {
		t.Errorf("top level ran %d times, want 3", got)
	}
	for _, st := range []*state{h.script.main, a.st, b.st} {
		if got := eval(t, st, "n"); got != "1" {
			t.Errorf("a state sees n = %s, want 1", got)
		}
	}
}

// TestHookOrder checks the order and states of setup and init: per thread,
// the thread's top level, then setup in main, then init in the thread.
func TestHookOrder(t *testing.T) {
	h := load(t, `
		local function where() return wrk.thread and "thread" or "main" end
		print("top " .. where())
		function setup(thread) print("setup " .. where() .. " " .. tostring(thread.addr)) end
		function init(args) print("init " .. where()) end`)
	h.thread(0)
	h.thread(1)
	// As in wrk, wrk.thread is set after the thread's top level has run.
	want := "top main\n" +
		"top main\nsetup main 127.0.0.1:8080\ninit thread\n" +
		"top main\nsetup main 127.0.0.1:8080\ninit thread\n"
	if got := h.out.String(); got != want {
		t.Errorf("order:\n%s\nwant:\n%s", got, want)
	}
}

func TestInitArgs(t *testing.T) {
	h := load(t, `function init(args)
			print(#args, args[0], args[1], args[2])
		end`, withURL("http://127.0.0.1:8080/x"), withArgs("one", "two"))
	h.thread(0)
	if got := h.out.String(); got != "2\thttp://127.0.0.1:8080/x\tone\ttwo\n" {
		t.Errorf("init printed %q", got)
	}
}

// TestHooksDecidedAfterInit checks that init can define request, delay and
// response, and that undefined hooks are reported absent.
func TestHooksDecidedAfterInit(t *testing.T) {
	h := load(t, `function init()
			request = function() return wrk.format(nil, "/late") end
			delay = function() return 5 end
			response = function() end
		end`)
	th, _ := h.thread(0)
	if _, ok := th.Static(); ok || !th.HasDelay() || !th.HasResponse() {
		t.Errorf("static=%v delay=%v response=%v", !ok, th.HasDelay(), th.HasResponse())
	}
	plain := load(t, `wrk.method = "HEAD"`)
	pt, _ := plain.thread(0)
	req, ok := pt.Static()
	if !ok || pt.HasDelay() || pt.HasResponse() {
		t.Errorf("plain script: static=%v delay=%v response=%v", ok, pt.HasDelay(), pt.HasResponse())
	}
	if req.Count != 1 || !req.IsHead(0) {
		t.Errorf("HEAD static request count %d heads %b", req.Count, req.Heads)
	}
}

// TestInitSeesHostAndMayReplaceHeaders checks Host is in wrk.headers when
// init runs, and is added again when init replaces the table.
func TestInitSeesHostAndMayReplaceHeaders(t *testing.T) {
	h := load(t, `function init()
			print(wrk.headers.Host)
			wrk.headers = { ["X-Only"] = "1" }
		end`)
	th, _ := h.thread(0)
	req, _ := th.Static()
	if got := h.out.String(); got != "127.0.0.1:8080\n" {
		t.Errorf("init saw Host %q", got)
	}
	if !strings.Contains(string(req.Bytes), "Host: 127.0.0.1:8080\r\n") || !strings.Contains(string(req.Bytes), "X-Only: 1\r\n") {
		t.Errorf("static request:\n%s", req.Bytes)
	}
}

func TestSetupSeesResolvedAddr(t *testing.T) {
	h := load(t, `function setup(thread) print(tostring(thread.addr)) end`)
	h.thread(0)
	if got := h.out.String(); got != "127.0.0.1:8080\n" {
		t.Errorf("setup saw %q", got)
	}
}

func TestDelay(t *testing.T) {
	h := load(t, `local d = {12, 0.5, -3, "7"}
		local i = 0
		function delay() i = i + 1; return d[i] end`)
	th, _ := h.thread(0)
	want := []time.Duration{12 * time.Millisecond, 500 * time.Microsecond, 0, 7 * time.Millisecond, 0}
	for _, w := range want {
		got, err := th.Delay()
		if err != nil || got != w {
			t.Errorf("Delay() = %v, %v; want %v", got, err, w)
		}
	}
}

func TestRequestCounterPerThread(t *testing.T) {
	h := loadFile(t, "testdata/counter.lua")
	a, _ := h.thread(0)
	b, _ := h.thread(1)
	for i := 0; i < 3; i++ {
		for _, th := range []*thread{a, b} {
			got := next(t, th)
			if !strings.HasPrefix(got, fmt.Sprintf("GET /item/%d HTTP/1.1\r\n", i)) ||
				!strings.Contains(got, fmt.Sprintf("X-Counter: %d\r\n", i)) {
				t.Errorf("request %d: %q", i, got)
			}
		}
	}
}

// TestRequestBytesPerConnection checks that a connection's bytes survive
// other connections' calls until its own next call.
func TestRequestBytesPerConnection(t *testing.T) {
	h := loadFile(t, "testdata/counter.lua")
	th, _ := h.thread(0)
	r0, _ := th.Next(0)
	r1, _ := th.Next(1)
	if !strings.HasPrefix(string(r0.Bytes), "GET /item/0 ") || !strings.HasPrefix(string(r1.Bytes), "GET /item/1 ") {
		t.Errorf("connection bytes overwritten: %q / %q", r0.Bytes, r1.Bytes)
	}
}

func TestRequestPipelined(t *testing.T) {
	h := loadFile(t, "testdata/pipeline.lua")
	th, _ := h.thread(0)
	for i := 0; i < 2; i++ { // the second call reuses the parsed batch
		req, err := th.Next(0)
		if err != nil {
			t.Fatal(err)
		}
		if req.Count != 3 || req.IsHead(0) || req.IsHead(1) || req.IsHead(2) || strings.Count(string(req.Bytes), "HTTP/1.1\r\n") != 3 {
			t.Errorf("pipeline: count %d heads %b\n%s", req.Count, req.Heads, req.Bytes)
		}
	}
	h2 := load(t, `local r = wrk.format("GET", "/a") .. wrk.format("HEAD", "/b") .. wrk.format("POST", "/c", nil, "xy")
		function request() return r end`)
	th2, _ := h2.thread(0)
	req, err := th2.Next(0)
	if err != nil || req.Count != 3 || req.IsHead(0) || !req.IsHead(1) || req.IsHead(2) {
		t.Errorf("mixed pipeline: %+v %v", req, err)
	}
}

// newResponse is a response as a connection hands it to response().
func newResponse(status int, body string, headers ...string) *generator.Response {
	head := "HTTP/1.1 " + strconv.Itoa(status) + " \r\n"
	for i := 0; i+1 < len(headers); i += 2 {
		head += headers[i] + ": " + headers[i+1] + "\r\n"
	}
	var r generator.Response
	if err := r.Set([]byte(head+"\r\n"), []byte(body)); err != nil {
		panic(err)
	}
	return &r
}

func TestResponse(t *testing.T) {
	h := load(t, `function response(status, headers, body)
			print(status, headers["X-Token"], headers["X-Dup"], body)
		end`)
	th, _ := h.thread(0)
	if err := th.Response(newResponse(201, "the body", "X-Token", "abc", "X-Dup", "first", "X-Dup", "last")); err != nil {
		t.Fatal(err)
	}
	if got := h.out.String(); got != "201\tabc\tlast\tthe body\n" {
		t.Errorf("response got %q", got)
	}
}

// TestResponseHeadersIgnoreCase checks lookups by any spelling, while
// pairs() yields the names as received.
func TestResponseHeadersIgnoreCase(t *testing.T) {
	h := load(t, `function response(status, headers)
			local n = 0
			for k in pairs(headers) do n = n + 1 end
			print(headers["x-token"], headers["X-TOKEN"], headers["X-Token"], headers["missing"], n)
		end`)
	th, _ := h.thread(0)
	resp := newResponse(200, "", "X-Token", "abc")
	if err := th.Response(resp); err != nil {
		t.Fatal(err)
	}
	if got := h.out.String(); got != "abc\tabc\tabc\tnil\t1\n" {
		t.Errorf("response got %q", got)
	}
}

// TestResponseChangesHeaders is the auth example: response() reads a token
// and request() sends it from then on.
func TestResponseChangesHeaders(t *testing.T) {
	h := loadFile(t, "testdata/auth.lua")
	th, _ := h.thread(0)
	if got := next(t, th); !strings.HasPrefix(got, "GET /login ") || strings.Contains(got, "X-Token") {
		t.Errorf("first request %q", got)
	}
	if err := th.Response(newResponse(200, "", "X-Token", "s3cret")); err != nil {
		t.Fatal(err)
	}
	if got := next(t, th); !strings.HasPrefix(got, "GET /private ") || !strings.Contains(got, "X-Token: s3cret\r\n") {
		t.Errorf("request after token %q", got)
	}
}

func TestSetupScriptEndToEndWithoutEngine(t *testing.T) {
	h := loadFile(t, "testdata/setup.lua")
	a, _ := h.thread(0)
	b, _ := h.thread(1)
	for i := 0; i < 3; i++ {
		next(t, a)
	}
	next(t, b)
	_ = a.Response(newResponse(200, ""))
	if err := h.script.Done(fakeResult()); err != nil {
		t.Fatal(err)
	}
	want := "thread 1 created\nthread 2 created\n" +
		"thread 1 sent 3 requests and got 1 responses\nthread 2 sent 1 requests and got 0 responses\n"
	if got := h.out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

func TestDoneNotDefined(t *testing.T) {
	h := load(t, "")
	if err := h.script.Done(fakeResult()); err != nil {
		t.Errorf("Done without done(): %v", err)
	}
}
