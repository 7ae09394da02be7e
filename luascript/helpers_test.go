package luascript

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testenv"
)

// fakeCtl records thread:stop() calls; done, when set, is its Done channel.
type fakeCtl struct {
	stops atomic.Int32
	done  chan struct{}
}

func (c *fakeCtl) Stop() { c.stops.Add(1) }

func (c *fakeCtl) Done() <-chan struct{} { return c.done }

// writeScript writes src to a file in a fresh directory and returns its path.
func writeScript(t testing.TB, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// harness is a loaded script with its output captured.
type harness struct {
	t      testing.TB
	script *Script
	out    *testenv.Buffer
}

type loadOption func(*Options)

func withURL(raw string) loadOption {
	return func(o *Options) {
		u, err := url.Parse(raw)
		if err != nil {
			panic(err)
		}
		o.URL = u
	}
}

func withArgs(args ...string) loadOption { return func(o *Options) { o.Args = args } }

func withHeaders(h ...generator.Header) loadOption {
	return func(o *Options) { o.Headers = h }
}

// load loads the script source src, failing the test on error.
func load(t testing.TB, src string, opts ...loadOption) *harness {
	t.Helper()
	h, err := tryLoad(t, writeScript(t, src), opts...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return h
}

func loadFile(t testing.TB, path string, opts ...loadOption) *harness {
	t.Helper()
	h, err := tryLoad(t, path, opts...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return h
}

func tryLoad(t testing.TB, path string, opts ...loadOption) (*harness, error) {
	out := &testenv.Buffer{}
	o := Options{Path: path, Stdout: out}
	withURL("http://127.0.0.1:8080/")(&o)
	for _, f := range opts {
		f(&o)
	}
	s, err := Load(o)
	if err != nil {
		return nil, err
	}
	t.Cleanup(s.Close)
	return &harness{t: t, script: s, out: out}, nil
}

var testAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}

// thread creates thread i of the script.
func (h *harness) thread(i int) (*thread, *fakeCtl) {
	h.t.Helper()
	ctl := &fakeCtl{}
	ts, err := h.script.NewThread(i, testAddr, ctl)
	if err != nil {
		h.t.Fatalf("NewThread(%d): %v", i, err)
	}
	return ts.(*thread), ctl
}

// eval runs a Lua expression in st and returns tostring of its value.
func eval(t testing.TB, st *state, expr string) string {
	t.Helper()
	if err := st.L.DoString("__result = tostring(" + expr + ")"); err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return st.L.GetGlobal("__result").String()
}

// next calls Next on connection 0 and returns the request text.
func next(t testing.TB, th *thread) string {
	t.Helper()
	req, err := th.Next(0)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return string(req.Bytes)
}

// headerLines returns the header lines of a serialized request, sorted out
// of the request line and body.
func headerLines(req string) []string {
	head, _, _ := strings.Cut(req, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	return lines[1:]
}

func testURL() *url.URL {
	u, _ := url.Parse("http://127.0.0.1:8080/")
	return u
}
