package h2

import (
	"bytes"
	"errors"
	"strconv"
	"unsafe"

	"golang.org/x/net/http2/hpack"
)

// Requests HTTP/2 cannot carry.
var (
	ErrRequest   = errors.New("request is not valid HTTP/1.1 and cannot be sent over HTTP/2")
	ErrPipelined = errors.New("pipelined requests cannot be sent over HTTP/2; use --streams")
)

// encoder turns the HTTP/1.1 requests wrk's API builds into HTTP/2 header
// blocks. Its HPACK encoder keeps no dynamic table, so a block depends only
// on the request and a static request is encoded once per connection.
type encoder struct {
	enc    *hpack.Encoder
	out    bytes.Buffer
	lower  []byte // lower-cased header names of the request being encoded
	scheme string
	host   string // :authority when the request has no Host header
}

func newEncoder(scheme, host string) *encoder {
	e := &encoder{scheme: scheme, host: host, lower: make([]byte, 0, 256)}
	e.enc = hpack.NewEncoder(&e.out)
	e.enc.SetMaxDynamicTableSizeLimit(0)
	return e
}

// str views b as a string without copying; the encoder copies what it
// keeps into its output and keeps no table.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// connectionHeader reports the HTTP/1.1 hop-by-hop headers HTTP/2 forbids,
// and Host, which becomes :authority.
func connectionHeader(name []byte) bool {
	switch string(name) {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host":
		return true
	}
	return false
}

// encode converts one serialized HTTP/1.1 request. block is the HPACK
// header block and body the request body (both valid until the next call);
// head reports a HEAD request.
func (e *encoder) encode(raw []byte) (block, body []byte, head bool, err error) {
	eol := bytes.Index(raw, crlf)
	if eol < 0 {
		return nil, nil, false, ErrRequest
	}
	line := raw[:eol]
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1+1 {
		return nil, nil, false, ErrRequest
	}
	method, target := line[:sp1], line[sp1+1:sp2]
	end := bytes.Index(raw, crlfcrlf)
	if end < eol {
		return nil, nil, false, ErrRequest
	}
	headers := raw[eol+2 : end+2]
	rest := raw[end+4:]

	e.out.Reset()
	authority := e.host
	// Host first: it becomes :authority, which precedes the other fields.
	for h := headers; len(h) > 0; {
		i := bytes.Index(h, crlf)
		name, value, ok := bytes.Cut(h[:i], colon)
		h = h[i+2:]
		if ok && bytes.EqualFold(bytes.TrimSpace(name), hostName) {
			authority = str(bytes.TrimSpace(value))
		}
	}
	head = string(method) == "HEAD"
	w := func(name, value string) { _ = e.enc.WriteField(hpack.HeaderField{Name: name, Value: value}) }
	w(":method", str(method))
	w(":scheme", e.scheme)
	w(":authority", authority)
	w(":path", str(target))
	length := -1
	for h := headers; len(h) > 0; {
		i := bytes.Index(h, crlf)
		name, value, ok := bytes.Cut(h[:i], colon)
		h = h[i+2:]
		if !ok {
			return nil, nil, false, ErrRequest
		}
		name, value = bytes.TrimSpace(name), bytes.TrimSpace(value)
		e.lower = append(e.lower[:0], name...)
		for j, c := range e.lower {
			if 'A' <= c && c <= 'Z' {
				e.lower[j] = c + 'a' - 'A'
			}
		}
		if connectionHeader(e.lower) {
			continue
		}
		if string(e.lower) == "content-length" {
			n, err := strconv.Atoi(str(value))
			if err != nil || n < 0 {
				return nil, nil, false, ErrRequest
			}
			length = n
		}
		w(str(e.lower), str(value))
	}
	switch {
	case length < 0:
		body = rest
	case length < len(rest):
		return nil, nil, false, ErrPipelined
	case length > len(rest):
		return nil, nil, false, ErrRequest
	default:
		body = rest[:length]
	}
	return e.out.Bytes(), body, head, nil
}

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
	colon    = []byte(":")
	hostName = []byte("host")
)
