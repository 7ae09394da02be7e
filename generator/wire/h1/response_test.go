package h1

import (
	"bytes"
	"testing"
)

type headerPair struct{ name, value string }

func headerPairs(r *Response) []headerPair {
	var out []headerPair
	for k, v := range r.Headers() {
		out = append(out, headerPair{string(k), string(v)})
	}
	return out
}

func TestResponseHeaders(t *testing.T) {
	head := "HTTP/1.1 201 Created\r\nServer: s\r\ncontent-type: text/plain\r\nContent-Length: 3\r\n" +
		"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-A:  v \t\r\nB : 2\r\nTransfer-Encoding: chunked\r\n" +
		"X-Empty:\r\nX-Fold: a\r\n  b\r\n\tc\r\nConnection: close\r\n\r\n"
	var r Response
	if err := r.Set([]byte(head), []byte("abc")); err != nil {
		t.Fatal(err)
	}
	want := []headerPair{
		{"Server", "s"}, {"content-type", "text/plain"}, {"Content-Length", "3"},
		{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}, {"X-A", "v"}, {"B", "2"},
		{"Transfer-Encoding", "chunked"}, {"X-Empty", ""}, {"X-Fold", "a b c"}, {"Connection", "close"},
	}
	got := headerPairs(&r)
	if len(got) != len(want) {
		t.Fatalf("headers %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("header %d: %q, want %q", i, got[i], want[i])
		}
	}
	if r.StatusCode() != 201 || string(r.Body()) != "abc" {
		t.Errorf("status %d body %q", r.StatusCode(), r.Body())
	}
	for k := range r.Headers() {
		if string(k) != "Server" {
			t.Errorf("first header %q", k)
		}
		break
	}

	for _, bad := range []string{
		"HTTP/1.1 200 OK\r\nnonsense\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: 1\r\n  : folded first\r\n \r\nB\r\n\r\n",
		"HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"HTTP/1.1\r\n\r\n",
	} {
		if err := r.Set([]byte(bad), nil); err != ErrHeaderLine {
			t.Errorf("%q: %v, want %v", bad, err, ErrHeaderLine)
		}
	}
	if err := r.Set([]byte("HTTP/1.0 404\r\n\r\n"), nil); err != nil || r.StatusCode() != 404 || len(headerPairs(&r)) != 0 {
		t.Errorf("no headers: %v %d %q", err, r.StatusCode(), headerPairs(&r))
	}
}

// Parsing and walking a response's headers allocates nothing, folded
// values included once the scratch buffer has grown.
func TestResponseAllocs(t *testing.T) {
	head := []byte("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Mon, 01 Jan 2026 00:00:00 GMT\r\n" +
		"Content-Type: application/json\r\nX-Fold: a\r\n b\r\nContent-Length: 2\r\n\r\n")
	body := []byte("{}")
	var r Response
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		if err := r.Set(head, body); err != nil {
			t.Fatal(err)
		}
		for k, v := range r.Headers() {
			n += len(k) + len(v)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per response", allocs)
	}
}

// FuzzResponseHeaders checks that any header section either fails as a
// malformed header line or yields trimmed, non-empty names and trimmed
// values, none holding a line end.
func FuzzResponseHeaders(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nServer: s\r\nX-A:  v \t\r\nX-Fold: a\r\n  b\r\n\r\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nnonsense\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 404\n A: x\nB:\n\n"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nA: 1"))
	f.Fuzz(func(t *testing.T, head []byte) {
		var r Response
		if err := r.Set(head, nil); err != nil {
			if err != ErrHeaderLine {
				t.Fatalf("%q: %v", head, err)
			}
			return
		}
		if s := r.StatusCode(); s < 0 || s > 999 {
			t.Fatalf("%q: status %d", head, s)
		}
		n := 0
		for k, v := range r.Headers() {
			n++
			if len(k) == 0 || bytes.ContainsAny(k, ":\r\n") || len(bytes.Trim(k, " \t")) != len(k) {
				t.Fatalf("%q: name %q", head, k)
			}
			if bytes.ContainsAny(v, "\r\n") || len(bytes.Trim(v, " \t")) != len(v) {
				t.Fatalf("%q: value %q", head, v)
			}
		}
		if n > bytes.Count(head, []byte{'\n'})+1 {
			t.Fatalf("%q: %d headers", head, n)
		}
	})
}
