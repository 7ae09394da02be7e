package luascript

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// listen opens a loopback listener that accepts and drops connections.
func listen(t *testing.T) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr)
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) *net.TCPAddr {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().(*net.TCPAddr)
	ln.Close()
	return a
}

func TestLookup(t *testing.T) {
	h := load(t, "")
	got := eval(t, h.script.main, `(function()
		local addrs = wrk.lookup("127.0.0.1", "8081")
		return #addrs .. " " .. tostring(addrs[1]) .. " " .. type(addrs[1])
	end)()`)
	if got != "1 127.0.0.1:8081 userdata" {
		t.Errorf("lookup %q", got)
	}
	if got := eval(t, h.script.main, `tostring(wrk.lookup("127.0.0.1", "http")[1])`); got != "127.0.0.1:80" {
		t.Errorf("lookup by service name %q", got)
	}
	if got := eval(t, h.script.main, `tostring(wrk.lookup("::1", 9)[1])`); got != "::1:9" {
		t.Errorf("IPv6 lookup %q", got)
	}
}

func TestLookupFailureRaises(t *testing.T) {
	h := load(t, "")
	err := h.script.main.L.DoString(`wrk.lookup("127.0.0.1", "no-such-service-xyz")`)
	if err == nil || !strings.Contains(err.Error(), "unable to resolve 127.0.0.1:no-such-service-xyz") {
		t.Errorf("error %v", err)
	}
}

func TestConnect(t *testing.T) {
	up, down := listen(t), closedPort(t)
	h := load(t, "")
	got := eval(t, h.script.main, fmt.Sprintf(`tostring(wrk.connect(wrk.lookup("127.0.0.1", %d)[1])) .. " " ..
		tostring(wrk.connect(wrk.lookup("127.0.0.1", %d)[1]))`, up.Port, down.Port))
	if got != "true false" {
		t.Errorf("connect up/down: %s", got)
	}
	if err := h.script.main.L.DoString(`wrk.connect("127.0.0.1:80")`); err == nil {
		t.Error("connect accepted a string")
	}
}

// TestAddrScript is the addr example: setup() looks the host up, keeps the
// reachable addresses and gives one to each thread, which dials it.
func TestAddrScript(t *testing.T) {
	up := listen(t)
	h := loadFile(t, "testdata/addr.lua", withURL(fmt.Sprintf("http://127.0.0.1:%d/", up.Port)))
	th, _ := h.thread(0)
	want := fmt.Sprintf("127.0.0.1:%d", up.Port)
	if got := th.Addr().String(); got != want {
		t.Errorf("Addr() = %s, want %s", got, want)
	}
	if got := h.out.String(); got != "thread addr: "+want+"\n" {
		t.Errorf("init printed %q", got)
	}
}

func TestThreadAddrSet(t *testing.T) {
	h := load(t, `function setup(thread) thread.addr = wrk.lookup("127.0.0.2", "9999")[1] end`)
	th, _ := h.thread(0)
	if got := th.Addr().String(); got != "127.0.0.2:9999" {
		t.Errorf("Addr() = %s", got)
	}
	// The getter hands out copies: changing one does not move the thread.
	if got := eval(t, th.st, "tostring(wrk.thread.addr) .. tostring(wrk.thread.addr ~= wrk.thread.addr)"); got != "127.0.0.2:9999true" {
		t.Errorf("thread.addr in thread state %q", got)
	}
}
