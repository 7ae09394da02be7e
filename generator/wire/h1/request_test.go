package h1

import (
	"bufio"
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// staticCases pin the bytes StaticRequest sends; they were produced by
// fasthttp's Request.Write, which earlier releases serialized with.
var staticCases = []struct {
	name, url, method string
	headers           []string // name, value, name, value...
	body              string
	want              string
}{
	{"plain GET", "http://example.com", "GET", nil, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"query", "http://example.com:8080/a/b?x=1&y=%20z#frag", "GET", nil, "",
		"GET /a/b?x=1&y=%20z HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"},
	{"escaped path", "http://example.com/%7Efoo/a%2Fb", "GET", nil, "",
		"GET /%7Efoo/a%2Fb HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"user info", "http://u:p@example.com/", "GET", nil, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"headers in order", "http://example.com/", "GET", []string{"X-One", "1", "x-tWo", "two", "Accept", "*/*", "X-One", "again"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nX-One: 1\r\nx-tWo: two\r\nAccept: */*\r\nX-One: again\r\n\r\n"},
	{"host override", "http://example.com/", "GET", []string{"hOsT", "other:81", "X-A", "b"}, "",
		"GET / HTTP/1.1\r\nHost: other:81\r\nX-A: b\r\n\r\n"},
	{"POST body", "http://example.com/", "POST", nil, "hello",
		"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello"},
	{"user Content-Type and Content-Length", "http://example.com/", "POST", []string{"content-type", "application/json", "Content-Length", "999"}, "{}",
		"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"},
	{"last Content-Type", "http://example.com/", "POST", []string{"Content-Type", "a", "content-type", "b"}, "x",
		"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Type: b\r\nContent-Length: 1\r\n\r\nx"},
	{"empty Content-Type", "http://example.com/", "GET", []string{"Content-Type", ""}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"GET Content-Length", "http://example.com/", "GET", []string{"content-length", "12"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 12\r\n\r\n"},
	{"invalid Content-Length", "http://example.com/", "GET", []string{"content-length", "abc"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"HEAD", "http://example.com/", "HEAD", nil, "",
		"HEAD / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"POST without body", "http://example.com/", "POST", nil, "",
		"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n"},
	{"DELETE", "http://example.com/", "DELETE", nil, "",
		"DELETE / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n"},
	{"lower-case method", "http://example.com/", "get", nil, "",
		"get / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n"},
	{"GET body", "http://example.com/", "GET", nil, "body",
		"GET / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4\r\n\r\nbody"},
	{"User-Agent first", "http://example.com/", "GET", []string{"User-Agent", "ua1", "X", "y", "user-agent", "ua2"}, "",
		"GET / HTTP/1.1\r\nUser-Agent: ua2\r\nHost: example.com\r\nX: y\r\n\r\n"},
	{"Connection close last", "http://example.com/", "GET", []string{"Connection", "close", "X", "y"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nX: y\r\nConnection: close\r\n\r\n"},
	{"Connection names", "http://example.com/", "GET", []string{"Connection", "keep-alive", "X", "y", "connection", "Upgrade"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive\r\nX: y\r\nconnection: Upgrade\r\n\r\n"},
	{"Connection close and more", "http://example.com/", "GET", []string{"Connection", "close, Upgrade", "X", "y"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close, Upgrade\r\nX: y\r\n\r\n"},
	{"Connection replaced by close", "http://example.com/", "GET", []string{"Connection", "Upgrade", "Connection", "close"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"},
	{"cookies merged", "http://example.com/", "GET", []string{"Cookie", "a=1; b=2", "X", "y", "cookie", "c=3;d", "Cookie", " e = \"q\" ;f=\"x;g=\\"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nX: y\r\nCookie: a=1; b=2; c=3; d; e=q\r\n\r\n"},
	{"Transfer-Encoding dropped", "http://example.com/", "GET", []string{"Transfer-Encoding", "chunked"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"trailer", "http://example.com/", "POST", []string{"Trailer", "X-T", "X-T", "v"}, "abc",
		"POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n3\r\nabc\r\n0\r\nX-T: v\r\n\r\n"},
	{"empty value", "http://example.com/", "GET", []string{"X-E", ""}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nX-E: \r\n\r\n"},
	{"line breaks in a value", "http://example.com/", "GET", []string{"X-V", "a\rb\nc"}, "",
		"GET / HTTP/1.1\r\nHost: example.com\r\nX-V: a b c\r\n\r\n"},
}

// request is one case's input.
type request struct {
	method, target, host string
	headers              []Header
	body                 []byte
}

func caseRequest(t testing.TB, rawURL, method string, headers []string, body string) request {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	r := request{method: method, target: u.RequestURI(), host: u.Host}
	if body != "" {
		r.body = []byte(body)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.headers = append(r.headers, Header{Name: headers[i], Value: headers[i+1]})
	}
	return r
}

func (r request) serialize() ([]byte, error) {
	return Serialize(r.method, r.target, r.host, r.headers, r.body)
}

func TestSerializeBytes(t *testing.T) {
	for _, tc := range staticCases {
		got, err := caseRequest(t, tc.url, tc.method, tc.headers, tc.body).serialize()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	if _, err := caseRequest(t, "http://example.com/", "GET", []string{"Host", ""}, "").serialize(); err != ErrNoHost {
		t.Errorf("empty Host header: %v, want ErrNoHost", err)
	}
}

// fasthttpRequest is how Serialize's bytes were made with fasthttp, the
// reference FuzzStaticRequest holds it to.
func fasthttpRequest(r request) ([]byte, error) {
	var req fasthttp.Request
	req.Header.DisableNormalizing()
	req.Header.SetNoDefaultContentType(true)
	req.Header.SetMethod(r.method)
	target := r.target
	if target == "" {
		target = "/"
	}
	req.SetRequestURI(target)
	req.Header.SetHost(r.host)
	for _, h := range r.headers {
		if strings.EqualFold(h.Name, "Host") {
			req.Header.SetHost(h.Value)
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	if len(r.body) > 0 {
		req.SetBody(r.body)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := req.Write(w); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FuzzStaticRequest checks Serialize against fasthttp's serialization.
// headers holds "name:value" fields separated by 0x1e; names that are not
// tokens are skipped, as the command line and targets files reject them.
func FuzzStaticRequest(f *testing.F) {
	for _, tc := range staticCases {
		var hs []string
		for i := 0; i+1 < len(tc.headers); i += 2 {
			hs = append(hs, tc.headers[i]+":"+tc.headers[i+1])
		}
		u, _ := url.Parse(tc.url)
		f.Add(tc.method, u.RequestURI(), strings.Join(hs, "\x1e"), tc.body)
	}
	f.Add("POST", "/", "User-Agent:a\x1eTrailer:user-agent, X-A,User-Agent\x1eX-A:1\x1euser-agent:b\x1eUser-Agent:c", "xyz")
	f.Add("GET", "/?q", "Connection:a\x1eX:1\x1eConnection:b\x1eConnection:close\x1eY:2", "")
	f.Fuzz(func(t *testing.T, method, uri, headers, body string) {
		if method != "" && !isTokenString(method) {
			return
		}
		u, err := url.Parse("http://example.com" + uri)
		if err != nil || u.Host != "example.com" {
			return
		}
		r := request{method: method, target: u.RequestURI(), host: u.Host, body: []byte(body)}
		for _, field := range strings.Split(headers, "\x1e") {
			name, value, ok := strings.Cut(field, ":")
			if !ok || !isTokenString(name) {
				continue
			}
			r.headers = append(r.headers, Header{Name: name, Value: value})
		}
		want, werr := fasthttpRequest(r)
		got, gerr := r.serialize()
		if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("%+v:\n got %q (%v)\nwant %q (%v)", r.headers, got, gerr, want, werr)
		}
	})
}

func isTokenString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
