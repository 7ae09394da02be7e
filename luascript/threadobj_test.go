package luascript

import (
	"strings"
	"testing"
)

func TestThreadSetAndGet(t *testing.T) {
	h := load(t, `
		local threads = {}
		function setup(thread)
			thread:set("id", #threads + 1)
			thread:set("flag", true)
			thread:set("name", "t" .. (#threads + 1))
			thread:set("gone", nil)
			table.insert(threads, thread)
		end
		function init() seen = string.format("%d %s %s %s", id, tostring(flag), name, tostring(gone)) end
		function read(i, name) return threads[i]:get(name) end`)
	a, _ := h.thread(0)
	b, _ := h.thread(1)
	if got := eval(t, a.st, "seen"); got != "1 true t1 nil" {
		t.Errorf("thread 1 saw %q", got)
	}
	if got := eval(t, b.st, "seen"); got != "2 true t2 nil" {
		t.Errorf("thread 2 saw %q", got)
	}
	if got := eval(t, h.script.main, `read(2, "seen")`); got != "2 true t2 nil" {
		t.Errorf("thread:get from main %q", got)
	}
}

// TestThreadSetDeepCopy checks the fix: nested tables (and cycles) copy
// deeply, and the copy is independent of the original.
func TestThreadSetDeepCopy(t *testing.T) {
	h := load(t, `
		local t
		function setup(thread)
			local cfg = { paths = { "/a", "/b" }, limits = { rps = 10, nested = { deep = "yes" } } }
			cfg.self = cfg
			thread:set("cfg", cfg)
			cfg.paths[1] = "/changed"
			t = thread
		end
		function back() return t:get("cfg") end`)
	th, _ := h.thread(0)
	got := eval(t, th.st, `cfg.paths[1] .. cfg.paths[2] .. cfg.limits.rps .. cfg.limits.nested.deep .. tostring(cfg.self == cfg)`)
	if got != "/a/b10yestrue" {
		t.Errorf("copied table %q", got)
	}
	if got := eval(t, h.script.main, `back().limits.nested.deep`); got != "yes" {
		t.Errorf("thread:get of nested table %q", got)
	}
}

func TestThreadSetRejectsFunctions(t *testing.T) {
	h := load(t, `function setup(thread) thread:set("f", { print }) end`)
	_, err := h.script.NewThread(0, testAddr, &fakeCtl{})
	if err == nil || !strings.Contains(err.Error(), "cannot transfer 'function' to thread") ||
		!strings.Contains(err.Error(), "script.lua:1:") {
		t.Errorf("error %v", err)
	}
}

// TestThreadGetOwnState uses wrk.thread from inside the thread, which must
// not deadlock on the thread's own lock.
func TestThreadGetOwnState(t *testing.T) {
	h := load(t, `x = 41
		function request()
			wrk.thread:set("x", wrk.thread:get("x") + 1)
			return wrk.format(nil, "/" .. x)
		end`)
	th, _ := h.thread(0)
	if got := next(t, th); !strings.HasPrefix(got, "GET /42 ") {
		t.Errorf("request %q", got)
	}
}

func TestThreadStop(t *testing.T) {
	h := loadFile(t, "testdata/stop.lua")
	th, ctl := h.thread(0)
	for i := 0; i < 49; i++ {
		_ = th.Response(newResponse(200, ""))
	}
	if ctl.stops.Load() != 0 {
		t.Fatal("stopped early")
	}
	_ = th.Response(newResponse(200, ""))
	if ctl.stops.Load() != 1 {
		t.Errorf("stop calls %d after 50 responses", ctl.stops.Load())
	}
}

func TestThreadStopFromSetup(t *testing.T) {
	h := load(t, `function setup(thread) thread:stop() end`)
	_, ctl := h.thread(0)
	if ctl.stops.Load() != 1 {
		t.Errorf("stop calls %d", ctl.stops.Load())
	}
}

func TestThreadAddrSetRejectsOtherValues(t *testing.T) {
	h := load(t, `function setup(thread) thread.addr = "127.0.0.1:80" end`)
	_, err := h.script.NewThread(0, testAddr, &fakeCtl{})
	if err == nil || !strings.Contains(err.Error(), "address expected") {
		t.Errorf("error %v", err)
	}
	h2 := load(t, `function setup(thread) thread.other = 1 end`)
	_, err = h2.script.NewThread(0, testAddr, &fakeCtl{})
	if err == nil || !strings.Contains(err.Error(), "cannot set 'other' on thread") {
		t.Errorf("error %v", err)
	}
}

// thread.id numbers the threads from 1 by the index the engine gives,
// which counts across the shards of a workload; it cannot be set.
func TestThreadID(t *testing.T) {
	h := load(t, `want = 5
function setup(thread)
  if thread.id ~= want then error("setup: id " .. tostring(thread.id) .. ", want " .. want) end
  want = want + 1
end
function init() if wrk.thread.id == nil then error("init: no id") end end`)
	for _, i := range []int{4, 5} {
		if _, err := h.script.NewThread(i, testAddr, &fakeCtl{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.script.NewThread(9, testAddr, &fakeCtl{}); err == nil || !strings.Contains(err.Error(), "id 10, want 7") {
		t.Errorf("thread 9 set up as id 7: %v", err)
	}
	h2 := load(t, `function setup(thread) thread.id = 3 end`)
	if _, err := h2.script.NewThread(0, testAddr, &fakeCtl{}); err == nil || !strings.Contains(err.Error(), "cannot set 'id' on thread") {
		t.Errorf("setting thread.id: %v", err)
	}
}
