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
		{strings.Repeat("HEAD / HTTP/1.1\r\n\r\n", 70), 70, ^uint64(0)},
	}
	for _, c := range cases {
		n, mask, err := requests([]byte(c.in))
		if err != nil || n != c.count || mask != c.mask {
			t.Errorf("%q: count %d mask %b err %v; want %d %b", c.in, n, mask, err, c.count, c.mask)
		}
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
		_, _, err := requests([]byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
}
