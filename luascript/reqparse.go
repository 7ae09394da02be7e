package luascript

import (
	"fmt"

	"github.com/gowrk/gowrk/generator"
)

// parseError is a malformed request, located at a byte offset.
type parseError struct {
	off int
	msg string
}

// requests validates b as one or more complete HTTP/1.x requests back to
// back, as request() may return several to pipeline, and returns them as a
// batch: how many there are and which are HEAD (their responses have no
// body, which the engine must know to read them), marked in heads' storage.
// The error text locates the fault as line:column within b, like wrk's check
// of the first request.
func requests(b []byte, heads []uint64) (generator.Request, error) {
	req, _, err := requestsAt(b, heads, nil)
	return req, err
}

// requestsAt is requests that also returns where each request starts, in
// starts' storage, for grouping them by endpoint.
func requestsAt(b []byte, heads []uint64, starts []int) (generator.Request, []int, error) {
	req := generator.Request{Bytes: b, Heads: heads[:0]}
	starts = starts[:0]
	if len(b) == 0 {
		return req, starts, fmt.Errorf("empty request")
	}
	for off := 0; off < len(b); req.Count++ {
		end, head, perr := parseRequest(b, off)
		if perr != nil {
			line, col := position(b, perr.off)
			return req, starts, fmt.Errorf("%s at %d:%d", perr.msg, line, col)
		}
		if head {
			req.MarkHead(req.Count)
		}
		starts = append(starts, off)
		off = end
	}
	return req, starts, nil
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, off int) (line, col int) {
	line, col = 1, 1
	for _, c := range b[:min(off, len(b))] {
		col++
		if c == '\n' {
			line, col = line+1, 1
		}
	}
	return line, col
}

// parseRequest parses the request starting at off and returns where it ends.
func parseRequest(b []byte, off int) (end int, head bool, err *parseError) {
	i := off
	incomplete := func() (int, bool, *parseError) {
		return 0, false, &parseError{len(b), "incomplete request"}
	}
	bad := func(at int, msg string) (int, bool, *parseError) {
		return 0, false, &parseError{at, msg}
	}

	// Request line: method SP target SP HTTP/d.d CRLF.
	for i < len(b) && isToken(b[i]) {
		i++
	}
	switch {
	case i == off:
		return bad(i, "invalid HTTP method")
	case i == len(b):
		return incomplete()
	case b[i] != ' ':
		return bad(i, "invalid HTTP method")
	}
	head = string(b[off:i]) == "HEAD"
	i++
	t := i
	for i < len(b) && b[i] > ' ' && b[i] != 0x7f {
		i++
	}
	switch {
	case i == t:
		return bad(i, "invalid URL")
	case i == len(b):
		return incomplete()
	case b[i] != ' ':
		return bad(i, "invalid URL")
	}
	i++
	const proto = "HTTP/"
	for k := 0; k < len(proto); k, i = k+1, i+1 {
		if i == len(b) {
			return incomplete()
		}
		if b[i] != proto[k] {
			return bad(i, "invalid HTTP version")
		}
	}
	for k := 0; k < 3; k, i = k+1, i+1 {
		if i == len(b) {
			return incomplete()
		}
		digit := b[i] >= '0' && b[i] <= '9'
		if (k == 1 && b[i] != '.') || (k != 1 && !digit) {
			return bad(i, "invalid HTTP version")
		}
	}
	var e *parseError
	if i, e = lineEnd(b, i); e != nil {
		return 0, false, e
	}

	// Header fields, remembering what frames the body.
	contentLength := -1
	chunked := false
	for {
		if i == len(b) {
			return incomplete()
		}
		if b[i] == '\r' || b[i] == '\n' {
			if i, e = lineEnd(b, i); e != nil {
				return 0, false, e
			}
			break
		}
		var name, value []byte
		var v int
		if i, v, name, value, e = parseField(b, i); e != nil {
			return 0, false, e
		}
		switch {
		case equalFold(name, "content-length"):
			n, ok := parseLength(value)
			if !ok {
				return bad(v, "invalid character in content-length header")
			}
			if contentLength >= 0 && contentLength != n {
				return bad(v, "conflicting content-length headers")
			}
			contentLength = n
		case equalFold(name, "transfer-encoding"):
			chunked = len(value) >= 7 && equalFold(value[len(value)-7:], "chunked")
		}
	}

	// Body.
	switch {
	case chunked:
		return parseChunked(b, i, head)
	case contentLength > 0:
		if len(b)-i < contentLength {
			return incomplete()
		}
		i += contentLength
	}
	return i, head, nil
}

// parseChunked skips a chunked body starting at i, trailers included.
func parseChunked(b []byte, i int, head bool) (int, bool, *parseError) {
	var e *parseError
	for {
		start := i
		size := 0
		for i < len(b) && hexValue(b[i]) >= 0 {
			if size > 1<<40 {
				return 0, false, &parseError{i, "invalid chunk size"}
			}
			size = size<<4 | hexValue(b[i])
			i++
		}
		if i == len(b) {
			return 0, false, &parseError{len(b), "incomplete request"}
		}
		if i == start {
			return 0, false, &parseError{i, "invalid character in chunk size header"}
		}
		for i < len(b) && b[i] != '\r' && b[i] != '\n' { // chunk extensions
			i++
		}
		if i, e = lineEnd(b, i); e != nil {
			return 0, false, e
		}
		if size == 0 {
			break
		}
		if len(b)-i < size {
			return 0, false, &parseError{len(b), "incomplete request"}
		}
		if i, e = lineEnd(b, i+size); e != nil {
			return 0, false, e
		}
	}
	for { // trailer fields, as header fields, then the final empty line
		if i == len(b) {
			return 0, false, &parseError{len(b), "incomplete request"}
		}
		if b[i] == '\r' || b[i] == '\n' {
			if i, e = lineEnd(b, i); e != nil {
				return 0, false, e
			}
			return i, head, nil
		}
		if i, _, _, _, e = parseField(b, i); e != nil {
			return 0, false, e
		}
	}
}

// parseField reads one "name: value" line at i, of a header or trailer
// section: a token, a colon, then visible characters, spaces and tabs. at
// is where the value starts.
func parseField(b []byte, i int) (next, at int, name, value []byte, e *parseError) {
	n := i
	for i < len(b) && isToken(b[i]) {
		i++
	}
	switch {
	case i == n:
		return 0, 0, nil, nil, &parseError{i, "invalid character in header"}
	case i == len(b):
		return 0, 0, nil, nil, &parseError{len(b), "incomplete request"}
	case b[i] != ':':
		return 0, 0, nil, nil, &parseError{i, "invalid character in header"}
	}
	name = b[n:i]
	i++
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	v := i
	for i < len(b) && b[i] != '\r' && b[i] != '\n' {
		if b[i] < ' ' && b[i] != '\t' || b[i] == 0x7f {
			return 0, 0, nil, nil, &parseError{i, "invalid character in header"}
		}
		i++
	}
	value = trimSpace(b[v:i])
	if i, e = lineEnd(b, i); e != nil {
		return 0, 0, nil, nil, e
	}
	return i, v, name, value, nil
}

// lineEnd expects CRLF (or a bare LF, which wrk's parser also accepts) at i.
func lineEnd(b []byte, i int) (int, *parseError) {
	switch {
	case i == len(b):
		return 0, &parseError{i, "incomplete request"}
	case b[i] == '\n':
		return i + 1, nil
	case b[i] != '\r':
		return 0, &parseError{i, "expected CRLF"}
	case i+1 == len(b):
		return 0, &parseError{i + 1, "incomplete request"}
	case b[i+1] != '\n':
		return 0, &parseError{i + 1, "expected CRLF"}
	}
	return i + 2, nil
}

// isToken reports whether c may appear in a method or header name (RFC 9110 tchar).
func isToken(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// parseLength parses a Content-Length value: digits only.
func parseLength(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 15 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func trimSpace(v []byte) []byte {
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// equalFold compares ASCII case-insensitively without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
