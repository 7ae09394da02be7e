// Package h1 is HTTP/1.1's wire format as gowrk speaks it: the response
// parser (Parser), the request serializer (Serialize), the view of a
// response a script's response() hook gets (Response), and the codec that
// puts them on a connection for the engine (Codec).
package h1

import (
	"bytes"
	"errors"
	"math"
)

// Limits on what a server can make a connection hold, so that memory per
// connection does not depend on what the server sends.
const (
	// MaxHeaderBytes bounds a response's status line and headers, as wrk's
	// parser does (80 KiB).
	MaxHeaderBytes = 80 << 10
	// maxLineBytes bounds a chunk-size line (extensions included) and the
	// trailer section of a chunked body.
	maxLineBytes = 4 << 10
)

var comma = []byte{','}

// statusPrefix starts every status line gowrk accepts.
const statusPrefix = "HTTP/1."

// Ways a response can be broken. They are read errors, as in wrk, and their
// texts name the reason.
var (
	ErrHeaderTooLarge = errors.New("response headers over 80 KiB")
	ErrStatusLine     = errors.New("malformed status line")
	ErrHeaderLine     = errors.New("malformed header line")
	ErrBadLength      = errors.New("invalid Content-Length")
	ErrBadChunk       = errors.New("malformed chunked body")
	ErrBodyTooLarge   = errors.New("response body over the body cap")
	ErrEOFHeaders     = errors.New("connection closed before the response headers")
	ErrEOFBody        = errors.New("connection closed mid-body")
	// ErrClosed is a connection the server closed while no response was due.
	ErrClosed = errors.New("connection closed")
)

type parseState uint8

const (
	stateHead       parseState = iota // status line and headers
	stateBody                         // the rest of a Content-Length body
	stateUntilClose                   // a body that ends when the connection does
	stateChunkSize                    // a chunk-size line
	stateChunkData                    // the rest of a chunk
	stateChunkEnd                     // the line end after a chunk's data
	stateTrailer                      // trailer lines up to an empty one
)

// Parser frames HTTP/1.1 responses in a byte stream. It keeps
// nothing of what it reads unless asked to (for a response hook), and trusts
// no announced length for allocation: a body is counted as it passes by.
//
// The caller hands it the unparsed bytes; parse consumes what it can and
// says how much. Bytes it leaves (a partial header section, chunk-size line
// or trailer line) must be handed to it again, followed by more.
type Parser struct {
	state     parseState
	remaining uint64 // bytes left of a Content-Length body or of a chunk
	scanned   int    // unparsed header bytes already searched for the end
	trailer   int    // trailer bytes seen

	// Status is the last response's status code, 100 to 999.
	Status int
	// Close is set when the server closes the connection after this
	// response: it said so, or the body runs until the close.
	Close bool

	head bool // the request was HEAD: the response has no body
	// Keep makes the parser keep the header section (Header) and up to
	// MaxBody bytes of the body (Body), for a response hook.
	Keep    bool
	MaxBody int
	Header  []byte
	Body    []byte
}

// begin prepares for the response to a request; head says whether that
// request was HEAD.
func (p *Parser) Begin(head bool) {
	p.head = head
	p.Close = false
	p.Status = 0
}

// parse consumes bytes from buf and reports how many, and whether a
// response is complete. When it is, the bytes after n belong to the next
// response. A malformed response is an error; the connection cannot be
// used after one.
func (p *Parser) Parse(buf []byte) (n int, done bool, err error) {
	for {
		if n == len(buf) && p.state != stateHead {
			return n, false, nil
		}
		switch p.state {
		case stateHead:
			m, complete, err := p.parseHead(buf[n:])
			n += m
			if err != nil || !complete {
				return n, false, err
			}
			if p.state == stateHead {
				if p.Status < 200 && p.Status != 101 {
					continue // an interim response: the final one follows
				}
				return n, true, nil
			}
		case stateBody, stateChunkData:
			take := uint64(len(buf) - n)
			if take > p.remaining {
				take = p.remaining
			}
			if err := p.keepBody(buf[n : n+int(take)]); err != nil {
				return n, false, err
			}
			n += int(take)
			p.remaining -= take
			if p.remaining > 0 {
				return n, false, nil
			}
			if p.state == stateChunkData {
				p.state = stateChunkEnd
				continue
			}
			p.state = stateHead
			return n, true, nil
		case stateUntilClose:
			if err := p.keepBody(buf[n:]); err != nil {
				return n, false, err
			}
			return len(buf), false, nil
		case stateChunkSize:
			line, m := nextLine(buf[n:])
			if m == 0 || m > maxLineBytes {
				return n, false, p.checkPending(len(buf)-n, m)
			}
			n += m
			size, ok := parseChunkSize(line)
			if !ok {
				return n, false, ErrBadChunk
			}
			if size == 0 {
				p.state, p.trailer = stateTrailer, 0
				continue
			}
			p.state, p.remaining = stateChunkData, size
		case stateChunkEnd:
			line, m := nextLine(buf[n:])
			if m == 0 || m > maxLineBytes {
				return n, false, p.checkPending(len(buf)-n, m)
			}
			if len(line) != 0 {
				return n, false, ErrBadChunk
			}
			n += m
			p.state = stateChunkSize
		case stateTrailer:
			line, m := nextLine(buf[n:])
			if m == 0 || m > maxLineBytes {
				return n, false, p.checkPending(len(buf)-n, m)
			}
			n += m
			p.trailer += m
			if p.trailer > maxLineBytes {
				return n, false, ErrBadChunk
			}
			if len(line) == 0 {
				p.state = stateHead
				return n, true, nil
			}
		}
	}
}

// checkPending fails a line, complete (m bytes) or partial (pending bytes),
// that is longer than any valid one.
func (p *Parser) checkPending(pending, m int) error {
	if pending > maxLineBytes || m > maxLineBytes {
		return ErrBadChunk
	}
	return nil
}

// eof is called when the server closed the connection; pending is the number
// of bytes handed to parse and left unparsed. It reports whether that
// completed a response, or why the response is broken.
func (p *Parser) EOF(pending int) (bool, error) {
	switch {
	case p.state == stateUntilClose && pending == 0:
		p.state = stateHead
		return true, nil
	case p.state == stateHead:
		p.scanned = 0
		return false, ErrEOFHeaders
	default:
		p.state = stateHead
		return false, ErrEOFBody
	}
}

// reset forgets a response in progress, for a new connection.
func (p *Parser) Reset() {
	p.state, p.remaining, p.scanned, p.trailer = stateHead, 0, 0, 0
}

func (p *Parser) keepBody(b []byte) error {
	if !p.Keep || len(b) == 0 {
		return nil
	}
	if len(p.Body)+len(b) > p.MaxBody {
		return ErrBodyTooLarge
	}
	p.Body = append(p.Body, b...)
	return nil
}

// parseHead looks for a complete header section at the start of buf and,
// when there is one, parses it and sets up the body. It searches only bytes
// it has not searched before, so a server sending one byte at a time costs
// linear work.
func (p *Parser) parseHead(buf []byte) (int, bool, error) {
	end := p.headerEnd(buf)
	if end < 0 {
		if len(buf) >= MaxHeaderBytes {
			return 0, false, ErrHeaderTooLarge
		}
		// Fail what cannot become a status line at once, rather than wait
		// for the end of a header section that may never come.
		if line, n := nextLine(buf); n > 0 {
			if _, err := p.parseStatusLine(line); err != nil {
				return 0, false, err
			}
		} else if prefix := buf[:min(len(buf), len(statusPrefix))]; string(prefix) != statusPrefix[:len(prefix)] {
			return 0, false, ErrStatusLine
		}
		return 0, false, nil
	}
	if end > MaxHeaderBytes {
		return 0, false, ErrHeaderTooLarge
	}
	p.scanned = 0
	head := buf[:end]
	if err := p.parseHeader(head); err != nil {
		return end, false, err
	}
	if p.Keep {
		p.Header = append(p.Header[:0], head...)
		p.Body = p.Body[:0]
	}
	return end, true, nil
}

// headerEnd returns the length of the header section at the start of buf,
// up to and including the empty line, or -1 if it is not all there.
func (p *Parser) headerEnd(buf []byte) int {
	i := p.scanned
	for {
		j := bytes.IndexByte(buf[i:], '\n')
		if j < 0 {
			p.scanned = len(buf)
			return -1
		}
		i += j + 1
		switch {
		case i < len(buf) && buf[i] == '\n':
			return i + 1
		case i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n':
			return i + 2
		case i+1 >= len(buf):
			// The next line's start is not all there: search it again.
			p.scanned = i - 1
			return -1
		}
	}
}

// parseHeader parses a complete header section and sets the status, Close
// and how the body is framed.
func (p *Parser) parseHeader(head []byte) error {
	line, n := nextLine(head)
	http10, err := p.parseStatusLine(line)
	if err != nil {
		return err
	}
	var (
		length    uint64
		hasLength bool
		chunked   bool
		encoded   bool // a transfer coding other than chunked comes last
		keepAlive bool
	)
	rest := head[n:]
	for len(rest) > 0 {
		line, n = nextLine(rest)
		rest = rest[n:]
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // an obsolete folded continuation
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return ErrHeaderLine
		}
		name, value := line[:colon], trimSpace(line[colon+1:])
		switch {
		case equalFold(name, "Content-Length"):
			v, ok := parseLength(value)
			if !ok || (hasLength && v != length) {
				return ErrBadLength
			}
			length, hasLength = v, true
		case equalFold(name, "Transfer-Encoding"):
			last := value
			if i := bytes.LastIndexByte(value, ','); i >= 0 {
				last = trimSpace(value[i+1:])
			}
			chunked = equalFold(last, "chunked")
			encoded = !chunked
		case equalFold(name, "Connection"):
			for len(value) > 0 {
				var tok []byte
				tok, value, _ = bytes.Cut(value, comma)
				tok = trimSpace(tok)
				p.Close = p.Close || equalFold(tok, "close")
				keepAlive = keepAlive || equalFold(tok, "keep-alive")
			}
		}
	}
	if http10 && !keepAlive {
		p.Close = true
	}
	p.state = stateHead
	switch {
	case p.Status < 200 && p.Status != 101, p.head, p.Status == 204, p.Status == 304:
		// No body, whatever the headers say.
	case chunked:
		p.state = stateChunkSize
	case encoded, !hasLength:
		p.state, p.Close = stateUntilClose, true
	case length > 0:
		p.state, p.remaining = stateBody, length
	}
	return nil
}

// parseStatusLine reads "HTTP/1.x NNN reason" and reports whether the
// version is 1.0.
func (p *Parser) parseStatusLine(line []byte) (bool, error) {
	if len(line) < len(statusPrefix)+5 || string(line[:len(statusPrefix)]) != statusPrefix ||
		!isDigit(line[7]) || line[8] != ' ' {
		return false, ErrStatusLine
	}
	code := line[9:12]
	if !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) ||
		(len(line) > 12 && line[12] != ' ') {
		return false, ErrStatusLine
	}
	p.Status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if p.Status < 100 {
		return false, ErrStatusLine
	}
	return line[7] == '0', nil
}

// nextLine returns the line at the start of buf without its line end, and
// the bytes it takes with the line end; 0 when the line end is not there.
func nextLine(buf []byte) ([]byte, int) {
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return nil, 0
	}
	line := buf[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, i + 1
}

// parseLength parses a Content-Length value: decimal digits only, at most
// 2^63-1.
func parseLength(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if !isDigit(c) || v > (math.MaxInt64-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// parseChunkSize parses a chunk-size line: hex digits, at most 2^63-1,
// then optional extensions.
func parseChunkSize(line []byte) (uint64, bool) {
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	line = trimSpace(line)
	if len(line) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range line {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		if v > math.MaxInt64>>4 {
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares ASCII case-insensitively without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if x != y && (x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z') {
			return false
		}
	}
	return true
}
