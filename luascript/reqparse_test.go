package luascript

import (
	"strings"
	"testing"
)

func TestRequestsValid(t *testing.T) {
	cases := []struct {
		in    string
		count int
		mask  uint64
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1, 0},
		{"GET / HTTP/1.0\n\n", 1, 0},
		{"HEAD /h HTTP/1.1\r\n\r\n", 1, 1},
		{"POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n\r\n", 2, 0},
		{"GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nHEAD /c HTTP/1.1\r\n\r\n", 3, 0b110},
		{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n", 2, 0},
		{"POST / HTTP/1.1\r\ntransfer-encoding: gzip, chunked\r\n\r\n1;ext=1\r\na\r\n0\r\nTrailer: t\r\n\r\n", 1, 0},
		{"GET /x HTTP/1.1\r\ncontent-length: 0\r\nX-Empty:\r\nX-Tab:\tv \r\n\r\n", 1, 0},
	}
	for _, c := range cases {
		req, err := requests([]byte(c.in), nil)
		var mask uint64
		for i := range req.Count {
			if req.IsHead(i) {
				mask |= 1 << i
			}
		}
		if err != nil || req.Count != c.count || mask != c.mask {
			t.Errorf("%q: count %d mask %b err %v; want %d %b", c.in, req.Count, mask, err, c.count, c.mask)
		}
	}
	// Past the 64th request of a batch, HEAD requests are still marked.
	batch := strings.Repeat("GET / HTTP/1.1\r\n\r\n", 65) + "HEAD / HTTP/1.1\r\n\r\n" + "GET / HTTP/1.1\r\n\r\n"
	req, err := requests([]byte(batch), nil)
	if err != nil || req.Count != 67 || req.IsHead(64) || !req.IsHead(65) || req.IsHead(66) {
		t.Errorf("67-request batch: count %d heads %b err %v", req.Count, req.Heads, err)
	}
}

func TestRequestsInvalid(t *testing.T) {
	cases := map[string]string{
		"":                              "empty request",
		"hello":                         "incomplete request at 1:6",
		"hello world":                   "incomplete request at 1:12",
		"GET /":                         "incomplete request at 1:6",
		"GET / HTTP/1.1\r\n":            "incomplete request at 2:1",
		"GET / HTTP/1.1\r\nHost: x\r\n": "incomplete request at 3:1",
		"GET  / HTTP/1.1\r\n\r\n":       "invalid URL at 1:5",
		"GET / FTP/1.1\r\n\r\n":         "invalid HTTP version at 1:7",
		"GET / HTTP/x.1\r\n\r\n":        "invalid HTTP version at 1:12",
		"(GET) / HTTP/1.1\r\n\r\n":      "invalid HTTP method at 1:1",
		"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n":                            "invalid character in header at 2:4",
		"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n":                                "invalid character in header at 2:5",
		"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n":                        "invalid character in content-length header at 2:17",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab":                     "incomplete request at 4:3",
		"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab": "conflicting content-length headers at 3:17",
		"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n":        "invalid character in chunk size header at 4:1",
		"GET / HTTP/1.1\r\n\r\ngarbage":                                      "incomplete request at 3:8",
		"GET / HTTP/1.1\rX\n\r\n":                                            "expected CRLF at 1:16",
	}
	for in, want := range cases {
		_, err := requests([]byte(in), nil)
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}
