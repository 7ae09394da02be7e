package wire

import (
	"bytes"
	"errors"
	"strconv"
	"unsafe"
)

// Requests HTTP/2 and HTTP/3 cannot carry.
var (
	ErrRequest   = errors.New("request is not valid HTTP/1.1 and cannot be sent over HTTP/2 or HTTP/3")
	ErrPipelined = errors.New("pipelined requests cannot be sent over HTTP/2 or HTTP/3; use --streams")
)

// FieldWriter takes header fields in order; the strings are valid during
// the call only.
type FieldWriter interface {
	WriteField(name, value string)
}

// Fields translates one serialized HTTP/1.1 request (what wrk's API and
// the static request build) into the header fields of HTTP/2 and HTTP/3:
// :method, :scheme, :authority (the Host header, or authority) and :path,
// then the headers with lower-case names, leaving out the hop-by-hop ones
// and Host. It returns the body. scratch holds the lower-cased names
// between calls, so that a warm caller allocates nothing.
func Fields(raw []byte, scheme, authority string, scratch *[]byte, w FieldWriter) (body []byte, head bool, err error) {
	eol := bytes.Index(raw, crlf)
	if eol < 0 {
		return nil, false, ErrRequest
	}
	line := raw[:eol]
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1+1 {
		return nil, false, ErrRequest
	}
	method, target := line[:sp1], line[sp1+1:sp2]
	end := bytes.Index(raw, crlfcrlf)
	if end < eol {
		return nil, false, ErrRequest
	}
	headers := raw[eol+2 : end+2]
	rest := raw[end+4:]

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
	w.WriteField(":method", str(method))
	w.WriteField(":scheme", scheme)
	w.WriteField(":authority", authority)
	w.WriteField(":path", str(target))
	length := -1
	for h := headers; len(h) > 0; {
		i := bytes.Index(h, crlf)
		name, value, ok := bytes.Cut(h[:i], colon)
		h = h[i+2:]
		if !ok {
			return nil, false, ErrRequest
		}
		name, value = bytes.TrimSpace(name), bytes.TrimSpace(value)
		lower := append((*scratch)[:0], name...)
		*scratch = lower
		for j, c := range lower {
			if 'A' <= c && c <= 'Z' {
				lower[j] = c + 'a' - 'A'
			}
		}
		if connectionHeader(lower) {
			continue
		}
		if string(lower) == "content-length" {
			n, err := strconv.Atoi(str(value))
			if err != nil || n < 0 {
				return nil, false, ErrRequest
			}
			length = n
		}
		w.WriteField(str(lower), str(value))
	}
	switch {
	case length < 0:
		body = rest
	case length < len(rest):
		return nil, false, ErrPipelined
	case length > len(rest):
		return nil, false, ErrRequest
	default:
		body = rest[:length]
	}
	return body, head, nil
}

// str views b as a string without copying; field writers copy what they
// keep.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// connectionHeader reports the HTTP/1.1 hop-by-hop headers HTTP/2 and
// HTTP/3 forbid, and Host, which becomes :authority.
func connectionHeader(name []byte) bool {
	switch string(name) {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host":
		return true
	}
	return false
}

var (
	crlf     = []byte("\r\n")
	crlfcrlf = []byte("\r\n\r\n")
	colon    = []byte(":")
	hostName = []byte("host")
)
