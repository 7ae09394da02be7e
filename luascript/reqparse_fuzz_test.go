package luascript

import (
	"bufio"
	"bytes"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// FuzzParseRequest checks the request() validator against fasthttp's
// request parser, the one the engine's peers use: a single request that
// gowrk accepts must be read by fasthttp with the same method, target,
// headers and body, and one fasthttp reads completely must be accepted.
// Inputs the two read differently by design are left out; see comparable
// and uncheckedByGowrk.
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /p?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
		"HEAD /h HTTP/1.0\r\n\r\n",
		"PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Tab:\tv \r\n\r\n",
		"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		end, _, perr := parseRequest(b, 0)
		ours := perr == nil
		if ours && end != len(b) {
			return // several requests or trailing bytes: compared one at a time elsewhere
		}
		var req fasthttp.Request
		req.Header.DisableNormalizing()
		br := bufio.NewReader(bytes.NewReader(b))
		ferr := req.Read(br)
		theirs := ferr == nil && br.Buffered() == 0
		if !comparable(b) || ferr != nil && uncheckedByGowrk(ferr.Error()) {
			return
		}
		if ours != theirs {
			t.Fatalf("%q: gowrk accepts %v (%v), fasthttp %v (%v)", b, ours, perrText(perr), theirs, ferr)
		}
		if !ours {
			return
		}
		line, _, _ := bytes.Cut(b, []byte("\n"))
		parts := strings.Split(strings.TrimSuffix(string(line), "\r"), " ")
		if string(req.Header.Method()) != parts[0] || string(req.Header.RequestURI()) != parts[1] {
			t.Fatalf("%q: fasthttp read %s %s", b, req.Header.Method(), req.Header.RequestURI())
		}
		if !bytes.Contains(bytes.ToLower(b), []byte("transfer-encoding")) {
			cl := req.Header.ContentLength()
			if body := req.Body(); cl > 0 && !bytes.HasSuffix(b, body) {
				t.Fatalf("%q: fasthttp read body %q", b, body)
			}
		}
	})
}

// uncheckedByGowrk reports fasthttp errors about what gowrk leaves to the
// server on purpose, as wrk does: the Host header (wrk.format adds it; a
// request() without one is the script's choice) and the target's syntax.
func uncheckedByGowrk(msg string) bool {
	return strings.Contains(msg, "missing required host header") || strings.Contains(msg, "invalid request uri")
}

func perrText(e *parseError) string {
	if e == nil {
		return "ok"
	}
	return e.msg
}

// comparable leaves out the inputs the two parsers frame differently on
// purpose: gowrk needs every request to carry its own length, while
// fasthttp also has rules of its own for lenient or obsolete forms.
func comparable(b []byte) bool {
	lower := bytes.ToLower(b)
	switch {
	case bytes.Contains(b, []byte("\n ")), bytes.Contains(b, []byte("\n\t")): // obsolete folding
		return false
	case bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")):
		// Bare LF line ends: both accept them, with different edge cases.
		return false
	case bytes.Contains(lower, []byte("transfer-encoding")) && bytes.Contains(lower, []byte("content-length")):
		return false
	case !headerNamesAreTokens(b):
		// gowrk refuses a header name that is not an RFC 9110 token
		// ("Bad Header: x"); fasthttp reads it.
		return false
	}
	return true
}

// headerNamesAreTokens reports whether every header line of the first
// request's header section has a name made of token characters.
func headerNamesAreTokens(b []byte) bool {
	head, _, _ := bytes.Cut(b, []byte("\r\n\r\n"))
	lines := bytes.Split(head, []byte("\r\n"))
	for _, line := range lines[min(1, len(lines)):] {
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		for _, c := range name {
			if !isToken(c) {
				return false
			}
		}
	}
	return true
}
