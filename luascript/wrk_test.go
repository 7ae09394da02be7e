package luascript

import (
	"slices"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/generator"
)

func TestWrkTableFields(t *testing.T) {
	cases := []struct {
		url                            string
		scheme, host, port, path, hdrs string
	}{
		{"http://127.0.0.1:8080/api/x?a=1&b=2", "http", "127.0.0.1", "8080", "/api/x?a=1&b=2", "127.0.0.1:8080"},
		{"https://example.com", "https", "example.com", "nil", "/", "example.com"},
		{"http://example.com?q=1", "http", "example.com", "nil", "/?q=1", "example.com"},
		{"http://[::1]:9000/p", "http", "::1", "9000", "/p", "[::1]:9000"},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			h := load(t, "", withURL(c.url))
			st := h.script.main
			got := []string{eval(t, st, "wrk.scheme"), eval(t, st, "wrk.host"), eval(t, st, "wrk.port"),
				eval(t, st, "wrk.path"), eval(t, st, "wrk.method"), eval(t, st, "wrk.body"), eval(t, st, "wrk.thread")}
			want := []string{c.scheme, c.host, c.port, c.path, "GET", "nil", "nil"}
			if !slices.Equal(got, want) {
				t.Errorf("main state fields %q, want %q", got, want)
			}
			th, _ := h.thread(0)
			if got := eval(t, th.st, "wrk.headers.Host"); got != c.hdrs {
				t.Errorf("Host after init %q, want %q", got, c.hdrs)
			}
			if got := eval(t, th.st, "type(wrk.thread)"); got != "userdata" {
				t.Errorf("wrk.thread in a thread state is %s", got)
			}
		})
	}
}

func TestWrkHeadersFromCommandLine(t *testing.T) {
	h := load(t, `seen = wrk.headers["X-One"] .. "," .. wrk.headers["host"]`,
		withHeaders(generator.Header{Name: "X-One", Value: "1"}, generator.Header{Name: "host", Value: "example.org"}))
	if got := eval(t, h.script.main, "seen"); got != "1,example.org" {
		t.Errorf("headers at top level: %q", got)
	}
	th, _ := h.thread(0)
	req, _ := th.Static()
	text := string(req.Bytes)
	// The lowercase host replaces the automatic Host instead of adding one.
	if strings.Count(strings.ToLower(text), "host:") != 1 || !strings.Contains(text, "host: example.org\r\n") {
		t.Errorf("static request has wrong Host headers:\n%s", text)
	}
	if !strings.Contains(text, "X-One: 1\r\n") {
		t.Errorf("static request lacks -H header:\n%s", text)
	}
}

func TestWrkRequireReturnsTable(t *testing.T) {
	h := load(t, `same = require("wrk") == wrk and require("bit") == bit`)
	if got := eval(t, h.script.main, "same"); got != "true" {
		t.Errorf("require returns other tables: %s", got)
	}
}

func TestFormatDefaults(t *testing.T) {
	h := load(t, "", withURL("http://127.0.0.1:8080/base?x=1"))
	th, _ := h.thread(0)
	got := eval(t, th.st, "wrk.format()")
	want := "GET /base?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
	if got != want {
		t.Errorf("wrk.format() = %q, want %q", got, want)
	}
}

func TestFormatArguments(t *testing.T) {
	h := load(t, "")
	th, _ := h.thread(0)
	st := th.st
	if err := st.L.DoString(`
		hdrs = { ["Content-Type"] = "text/plain", ["X-N"] = 7 }
		req = wrk.format("PUT", "/put", hdrs, "hello")`); err != nil {
		t.Fatal(err)
	}
	req := eval(t, st, "req")
	if !strings.HasPrefix(req, "PUT /put HTTP/1.1\r\n") || !strings.HasSuffix(req, "\r\n\r\nhello") {
		t.Errorf("request line or body wrong: %q", req)
	}
	lines := headerLines(req)
	slices.Sort(lines)
	want := []string{"Content-Length: 5", "Content-Type: text/plain", "Host: 127.0.0.1:8080", "X-N: 7"}
	if !slices.Equal(lines, want) {
		t.Errorf("headers %q, want %q", lines, want)
	}
	// wrk.format fills in the table it was given.
	if got := eval(t, st, `hdrs["Content-Length"] .. " " .. hdrs.Host`); got != "5 127.0.0.1:8080" {
		t.Errorf("headers table after format: %q", got)
	}
	if err := st.L.DoString(`req2 = wrk.format("GET", "/get", hdrs)`); err != nil {
		t.Fatal(err)
	}
	if got := eval(t, st, `hdrs["Content-Length"]`); got != "nil" {
		t.Errorf("Content-Length kept without a body: %s", got)
	}
	if strings.Contains(eval(t, st, "req2"), "Content-Length") {
		t.Errorf("request without body has Content-Length")
	}
}

func TestFormatUsesWrkFields(t *testing.T) {
	h := load(t, `
		wrk.method = "POST"
		wrk.path = "/api/posts"
		wrk.body = '{"a":1}'
		wrk.headers["Content-Type"] = "application/json"`)
	th, _ := h.thread(0)
	req, ok := th.Static()
	if !ok {
		t.Fatal("script setting only wrk fields is not static")
	}
	text := string(req.Bytes)
	if !strings.HasPrefix(text, "POST /api/posts HTTP/1.1\r\n") || !strings.HasSuffix(text, "\r\n\r\n{\"a\":1}") ||
		!strings.Contains(text, "Content-Length: 7\r\n") || !strings.Contains(text, "Content-Type: application/json\r\n") {
		t.Errorf("static request:\n%s", text)
	}
	if req.Count != 1 || req.IsHead(0) {
		t.Errorf("count %d heads %b", req.Count, req.Heads)
	}
}

func TestFormatCaseInsensitiveContentLength(t *testing.T) {
	h := load(t, "")
	th, _ := h.thread(0)
	got := eval(t, th.st, `wrk.format("POST", "/", {["content-length"] = 99}, "abc")`)
	if strings.Count(strings.ToLower(got), "content-length") != 1 || !strings.Contains(got, "content-length: 3\r\n") {
		t.Errorf("content-length not replaced: %q", got)
	}
}

func TestFormatBadArguments(t *testing.T) {
	h := load(t, "")
	th, _ := h.thread(0)
	for _, src := range []string{`wrk.format("GET", "/", "notatable")`, `wrk.format("GET", "/", nil, {})`} {
		if err := th.st.L.DoString(src); err == nil || !strings.Contains(err.Error(), "bad argument") {
			t.Errorf("%s: error %v", src, err)
		}
	}
}

func TestWrkRequestReturnsDefault(t *testing.T) {
	h := load(t, `wrk.path = "/default"
		function request() return wrk.request() end`)
	th, _ := h.thread(0)
	if _, ok := th.Static(); ok {
		t.Fatal("script with request() is static")
	}
	if got := next(t, th); !strings.HasPrefix(got, "GET /default HTTP/1.1\r\n") {
		t.Errorf("wrk.request() = %q", got)
	}
}
