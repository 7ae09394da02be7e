package luascript

import (
	"errors"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testenv"
)

// checkLocated asserts err is a one-line "<file>:<line>: <message>" error
// at the given line whose message contains want.
func checkLocated(t *testing.T, err error, file string, line int, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	text := err.Error()
	if strings.ContainsAny(text, "\r\n") {
		t.Errorf("error spans lines: %q", text)
	}
	if e.File != file || e.Line != line || !strings.Contains(e.Msg, want) {
		t.Errorf("error %q, want %s:%d: ...%s...", text, file, line, want)
	}
	if !regexp.MustCompile(`^.+:\d+: .+$`).MatchString(text) {
		t.Errorf("error %q is not file:line: message", text)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.lua")
	_, err := tryLoad(t, path)
	if err == nil || err.Error() != path+": cannot open script: no such file or directory" {
		t.Errorf("error %v", err)
	}
}

func TestLoadSyntaxError(t *testing.T) {
	path := writeScript(t, "wrk.method = \"POST\"\nlocal x = = 1\n")
	_, err := tryLoad(t, path)
	checkLocated(t, err, path, 2, "syntax error near '='")
}

func TestLoadSyntaxErrorAtEOF(t *testing.T) {
	path := writeScript(t, "function request()\n  return 1\n")
	_, err := tryLoad(t, path)
	checkLocated(t, err, path, 3, "near <eof>")
}

func TestLoadShebangKeepsLines(t *testing.T) {
	path := writeScript(t, "#!/usr/bin/env wrk\n\nerror('boom')\n")
	_, err := tryLoad(t, path)
	checkLocated(t, err, path, 3, "boom")
}

func TestTopLevelRuntimeError(t *testing.T) {
	path := writeScript(t, "local t = nil\nprint(t.x)\n")
	_, err := tryLoad(t, path)
	checkLocated(t, err, path, 2, "attempt to index")
}

// TestHookRuntimeErrors raises an error in each hook and checks that the
// hook's caller returns it located at the failing line.
func TestHookRuntimeErrors(t *testing.T) {
	cases := []struct {
		name, src string
		run       func(h *harness) error
	}{
		{"setup", "function setup(t)\n  error('in setup')\nend", func(h *harness) error {
			_, err := h.script.NewThread(0, testAddr, &fakeCtl{})
			return err
		}},
		{"init", "function init(a)\n  error('in init')\nend", func(h *harness) error {
			_, err := h.script.NewThread(0, testAddr, &fakeCtl{})
			return err
		}},
		{"delay", "function delay()\n  error('in delay')\nend", func(h *harness) error {
			th, _ := h.thread(0)
			_, err := th.Delay()
			return err
		}},
		{"request", "function request()\n  error('in request')\nend", func(h *harness) error {
			th, _ := h.thread(0)
			_, err := th.Next(0)
			return err
		}},
		{"response", "function response()\n  error('in response')\nend", func(h *harness) error {
			th, _ := h.thread(0)
			return th.Response(newResponse(200, ""))
		}},
		{"done", "function done()\n  error('in done')\nend", func(h *harness) error {
			return h.script.Done(fakeResult())
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := load(t, c.src)
			checkLocated(t, c.run(h), h.script.path, 2, "in "+c.name)
		})
	}
}

// TestErrorWithoutPosition covers error() values that carry no location:
// the innermost Lua frame supplies it.
func TestErrorWithoutPosition(t *testing.T) {
	for _, src := range []string{"function request()\n  error({code = 1})\nend", "function request()\n  error('plain', 0)\nend"} {
		h := load(t, src)
		th, _ := h.thread(0)
		_, err := th.Next(0)
		checkLocated(t, err, h.script.path, 2, "")
	}
}

func TestMultiLineErrorIsOneLine(t *testing.T) {
	h := load(t, "function request()\n  error('first\\nsecond')\nend")
	th, _ := h.thread(0)
	_, err := th.Next(0)
	checkLocated(t, err, h.script.path, 2, "first second")
}

func TestRequestReturningGarbage(t *testing.T) {
	cases := map[string]string{
		"function request()\n  return 'hello world'\nend":                  "request() returned an invalid HTTP request: incomplete request at 1:12",
		"function request()\n  return 'GET / HTTP/1.1\\r\\n\\r\\nxx'\nend": "invalid HTTP request: incomplete request",
		"function request()\n  return ''\nend":                             "empty request",
		"function request()\n  return nil\nend":                            "request() returned nil, not a string",
		"function request()\n  return {}\nend":                             "request() returned table, not a string",
	}
	for src, want := range cases {
		h := load(t, src)
		th, _ := h.thread(0)
		_, err := th.Next(0)
		checkLocated(t, err, h.script.path, 1, want)
	}
}

func TestStaticRequestInvalid(t *testing.T) {
	h := load(t, `wrk.method = "NOT A METHOD"`)
	_, err := h.script.NewThread(0, testAddr, &fakeCtl{})
	if err == nil || !strings.HasPrefix(err.Error(), h.script.path+": the request built from wrk.method") ||
		!strings.Contains(err.Error(), "invalid HTTP version at 1:7") {
		t.Errorf("error %v", err)
	}
}

// TestBadScriptsLeakNoGoroutines loads and fails every kind of bad script
// and checks no goroutine is left behind.
func TestBadScriptsLeakNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		for _, src := range []string{"x = = 1", "error('x')", "function init() error('x') end",
			"function request() return 'bad' end"} {
			s, err := Load(Options{Path: writeScript(t, src), URL: testURL(), Stdout: &testenv.Buffer{}})
			if err != nil {
				continue
			}
			if ts, err := s.NewThread(0, testAddr, &fakeCtl{}); err == nil {
				_, _ = ts.Next(0)
			}
			s.Close()
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("goroutines: %d before, %d after", before, n)
	}
}
