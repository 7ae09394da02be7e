package h1

import (
	"bytes"
	"iter"
)

// Response is a complete response as a response() hook sees it. It points
// into the connection's buffers and is only valid during the hook.
type Response struct {
	status int
	fields []byte // the header lines after the status line
	body   []byte
	folded []byte // scratch for a value joined from folded lines
}

// Set makes r the response with the header section head (status line,
// header lines, empty line) and body. A header line without a colon or
// with an empty name, a stray CR, or a status line without a status code,
// is ErrHeaderLine.
func (r *Response) Set(head, body []byte) error {
	line, n := headerLine(head)
	status, ok := statusCode(line)
	if !ok {
		return ErrHeaderLine
	}
	fields := head[n:]
	for rest := fields; len(rest) > 0; {
		line, n = headerLine(rest)
		rest = rest[n:]
		if len(line) == 0 {
			break
		}
		// A CR not ending its line would end it for other parsers (wrk's
		// fails the response): no value may carry one into a script.
		if bytes.IndexByte(line, '\r') >= 0 {
			return ErrHeaderLine
		}
		if isFolded(line) {
			continue
		}
		if colon := bytes.IndexByte(line, ':'); colon < 0 || len(trimSpace(line[:colon])) == 0 {
			return ErrHeaderLine
		}
	}
	r.status, r.fields, r.body = status, fields, body
	return nil
}

// StatusCode is the status line's code.
func (r *Response) StatusCode() int { return r.status }

// Body is the de-chunked body, up to the configured cap.
func (r *Response) Body() []byte { return r.body }

// Headers yields every header as the server sent it, in order, duplicates
// included, with the spaces and tabs around name and value removed, as wrk
// hands them to its scripts. The slices are only valid until the next
// iteration step.
//
// An obsolete folded line continues the value before it, joined with one
// space, rather than failing the response: servers that fold were served
// that way before.
func (r *Response) Headers() iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		rest := r.fields
		for len(rest) > 0 {
			line, n := headerLine(rest)
			rest = rest[n:]
			if len(line) == 0 {
				return
			}
			if isFolded(line) {
				continue // a fold with no header before it
			}
			colon := bytes.IndexByte(line, ':')
			name, value := trimSpace(line[:colon]), trimSpace(line[colon+1:])
			if len(rest) > 0 && isFolded(rest) {
				r.folded = append(r.folded[:0], value...)
				for len(rest) > 0 && isFolded(rest) {
					line, n = headerLine(rest)
					rest = rest[n:]
					if more := trimSpace(line); len(more) > 0 {
						if len(r.folded) > 0 {
							r.folded = append(r.folded, ' ')
						}
						r.folded = append(r.folded, more...)
					}
				}
				value = r.folded
			}
			if !yield(name, value) {
				return
			}
		}
	}
}

// headerLine is nextLine that also takes a last line without a line end,
// so that every byte is consumed.
func headerLine(b []byte) ([]byte, int) {
	line, n := nextLine(b)
	if n == 0 {
		return b, len(b)
	}
	return line, n
}

func isFolded(line []byte) bool {
	return len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
}

// statusCode reads the three-digit code after "HTTP/x.y ".
func statusCode(line []byte) (int, bool) {
	if len(line) < 12 || string(line[:5]) != "HTTP/" {
		return 0, false
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 || len(line) < sp+4 || (len(line) > sp+4 && line[sp+4] != ' ') {
		return 0, false
	}
	code := line[sp+1 : sp+4]
	if !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) {
		return 0, false
	}
	return int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0'), true
}
