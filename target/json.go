package target

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Hand-written encoders for the hot responses. encoding/json spent most of
// its time in reflection and in re-validating time.Time's MarshalJSON output;
// these append straight into a reused buffer. The output matches what
// encoding/json produces for Post and page (tests compare the two), except
// that <, > and & are not escaped, which JSON does not require.

// appendPost appends p as a JSON object.
func appendPost(b []byte, p *Post) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"title":`...)
	b = appendString(b, p.Title)
	b = append(b, `,"body":`...)
	b = appendString(b, p.Body)
	b = append(b, `,"created_at":"`...)
	b = p.CreatedAt.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// appendPage appends the GET /api/posts response.
func appendPage(b []byte, posts []Post, next int64, hasNext bool) []byte {
	b = append(b, `{"posts":[`...)
	for i := range posts {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPost(b, &posts[i])
	}
	b = append(b, `],"next_before":`...)
	if hasNext {
		b = strconv.AppendInt(b, next, 10)
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping what JSON requires and
// replacing invalid UTF-8 with U+FFFD, as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
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
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript; encoding/json
		// escapes them, so do the same.
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
