package generator

import (
	"strings"
	"testing"
)

func TestRedirectRequest(t *testing.T) {
	post := "POST /a/b/r1?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nX-Keep: 1\r\n\r\nhi"
	head := "HEAD /r HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
	for _, tc := range []struct {
		name, prev string
		status     int
		location   string
		scheme     string
		want       string // "" for not followed
	}{
		{"302 after POST is a GET without a body", post, 302, "final", "http",
			"GET /a/b/final HTTP/1.1\r\nHost: example.com\r\nX-Keep: 1\r\n\r\n"},
		{"303 is a GET", post, 303, "/done?y=2", "http",
			"GET /done?y=2 HTTP/1.1\r\nHost: example.com\r\nX-Keep: 1\r\n\r\n"},
		{"307 keeps method and body", post, 307, "../c", "http",
			"POST /a/c HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nX-Keep: 1\r\n\r\nhi"},
		{"absolute on the same origin, default port", post, 308, "http://EXAMPLE.com:80/z", "http",
			"POST /z HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nX-Keep: 1\r\n\r\nhi"},
		{"HEAD stays HEAD", head, 301, "https://example.com/moved", "https",
			"HEAD /moved HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
		{"another host", post, 302, "http://other.example/x", "http", ""},
		{"another port", post, 302, "http://example.com:8080/x", "http", ""},
		{"another scheme", post, 302, "https://example.com/x", "http", ""},
		{"a space in the target", post, 302, "/a b", "http", "GET /a%20b HTTP/1.1\r\nHost: example.com\r\nX-Keep: 1\r\n\r\n"},
		{"not a URL", post, 302, "http://[::1", "http", ""},
		{"not a request", "garbage", 302, "/x", "http", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := redirectRequest(nil, []byte(tc.prev), tc.status, []byte(tc.location), tc.scheme)
			if tc.want == "" {
				if ok {
					t.Errorf("followed to %q, want not followed", got)
				}
				return
			}
			if !ok || string(got) != tc.want {
				t.Errorf("got %q (%v), want %q", got, ok, tc.want)
			}
			if strings.ContainsAny(strings.Split(string(got), "\r\n")[0], "\x00\t") {
				t.Errorf("request line %q", got)
			}
		})
	}
}

// FuzzRedirectRequest: whatever Location a server sends, the request that
// follows it is one valid request line on the same Host, or none.
func FuzzRedirectRequest(f *testing.F) {
	prev := []byte("POST /a/b?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 2\r\n\r\nhi")
	for _, loc := range []string{"/c", "c", "../../../x", "http://example.com:8080/y", "//example.com:8080/z", "?q", "#f", "http://[::1", "/a\r\nX: 1", "%zz", "/\x00", ""} {
		f.Add(loc, 302)
		f.Add(loc, 307)
	}
	f.Fuzz(func(t *testing.T, location string, status int) {
		got, ok := redirectRequest(nil, prev, status, []byte(location), "http")
		if !ok {
			return
		}
		line, rest, found := strings.Cut(string(got), "\r\n")
		fields := strings.Split(line, " ")
		if !found || len(fields) != 3 || fields[2] != "HTTP/1.1" || !strings.HasPrefix(fields[1], "/") {
			t.Fatalf("Location %q gave request line %q", location, line)
		}
		for _, c := range []byte(fields[1]) {
			if c <= ' ' || c >= 0x7f {
				t.Fatalf("Location %q gave target %q", location, fields[1])
			}
		}
		if !strings.HasPrefix(rest, "Host: example.com:8080\r\n") {
			t.Fatalf("Location %q changed the Host: %q", location, got)
		}
	})
}
