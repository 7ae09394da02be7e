package target

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Hand-written encoders for the hot responses. encoding/json spent most of
// its time in reflection and in re-validating time.Time's MarshalJSON output;
// these append straight into a reused buffer, from strings or from the
// driver's raw row bytes alike. The output means what encoding/json produces
// for Post and page (tests compare the two); <, > and & are not escaped,
// which JSON does not require.

// appendPost appends p as a JSON object.
func appendPost(b []byte, p *Post) []byte {
	return appendPostJSON(b, p.ID, p.Title, p.Body, p.CreatedAt)
}

// appendPostJSON appends one post object; title and body may be strings or
// byte slices.
func appendPostJSON[S ~string | ~[]byte](b []byte, id int64, title, body S, createdAt time.Time) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"title":`...)
	b = appendString(b, title)
	b = append(b, `,"body":`...)
	b = appendString(b, body)
	b = append(b, `,"created_at":"`...)
	b = createdAt.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// pageWriter streams the GET /api/posts response, {"posts":[...],
// "next_before":N}, one row at a time as rows arrive. It is given up to
// limit+1 rows; an extra row only says that an older page exists, and the
// cursor is then the id of the last row shown.
type pageWriter struct {
	buf     []byte
	limit   int
	n       int
	lastID  int64
	hasNext bool
}

func (w *pageWriter) start(buf []byte, limit int) {
	*w = pageWriter{buf: append(buf, `{"posts":[`...), limit: limit}
}

// row adds one row; title and body are only read during the call.
func (w *pageWriter) row(id int64, title, body []byte, createdAt time.Time) {
	if w.n == w.limit {
		w.hasNext = true
		return
	}
	if w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.buf = appendPostJSON(w.buf, id, title, body, createdAt)
	w.lastID = id
	w.n++
}

func (w *pageWriter) finish() []byte {
	w.buf = append(w.buf, `],"next_before":`...)
	if w.hasNext {
		w.buf = strconv.AppendInt(w.buf, w.lastID, 10)
	} else {
		w.buf = append(w.buf, "null"...)
	}
	return append(w.buf, '}')
}

const hexDigits = "0123456789abcdef"

// Bit tricks to test 8 bytes at once: see hasSpecial.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasSpecial reports whether any of the 8 bytes in x needs a closer look:
// a control character, '"', '\\' or a non-ASCII byte. It may report a false
// positive after a true one in the same word, never a false negative.
func hasSpecial(x uint64) bool {
	ctl := (x - ones*0x20) & ^x
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	return (ctl|(q-ones)&^q|(bs-ones)&^bs|x)&highs != 0
}

// appendString appends s as a JSON string, escaping what JSON requires and
// replacing invalid UTF-8 with U+FFFD, as encoding/json does. Runs of plain
// ASCII are skipped 8 bytes at a time: posts are mostly such runs.
func appendString[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// The compiler merges these byte loads into one 64-bit load.
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			if !hasSpecial(x) {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := decodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but end lines in JavaScript;
		// encoding/json escapes them, so do the same.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// decodeRune is utf8.DecodeRune for a string or byte slice, without
// converting (and so copying) the whole rest of the input.
func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	var buf [utf8.UTFMax]byte
	n := copy(buf[:], s)
	return utf8.DecodeRune(buf[:n])
}
