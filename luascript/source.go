package luascript

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// rewriteEscapes rewrites the string escapes LuaJIT accepts and gopher-lua's
// lexer does not (\xHH, \u{XXX} and \z) into ones it does, so "\x00\xff" is
// two bytes, not eight characters. Bytes become decimal escapes (\ddd);
// \z drops the whitespace that follows it, and the newlines it drops are
// put back right after the closing quote so that every later token keeps
// its line number. Comments and long strings are copied untouched. Source
// without a backslash followed by x, u or z is returned as is.
func rewriteEscapes(src []byte) []byte {
	if !bytes.Contains(src, []byte(`\x`)) && !bytes.Contains(src, []byte(`\u`)) && !bytes.Contains(src, []byte(`\z`)) {
		return src
	}
	out := make([]byte, 0, len(src)+len(src)/8)
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			end := i + 2
			if lvl, ok := longBracket(src, end); ok {
				end = longEnd(src, end, lvl)
			} else {
				for end < len(src) && src[end] != '\n' {
					end++
				}
			}
			out = append(out, src[i:end]...)
			i = end
		case c == '[':
			if lvl, ok := longBracket(src, i); ok {
				end := longEnd(src, i, lvl)
				out = append(out, src[i:end]...)
				i = end
				continue
			}
			out = append(out, c)
			i++
		case c == '"' || c == '\'':
			out, i = rewriteString(out, src, i)
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}

// longBracket reports whether src[i:] opens a long bracket ([[, [=[, ...)
// and its level.
func longBracket(src []byte, i int) (int, bool) {
	if i >= len(src) || src[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(src) && src[j] == '=' {
		j++
	}
	if j < len(src) && src[j] == '[' {
		return j - i - 1, true
	}
	return 0, false
}

// longEnd returns the index just past the long bracket of level lvl opened
// at i, or len(src) when it is not closed.
func longEnd(src []byte, i, lvl int) int {
	closing := make([]byte, 0, lvl+2)
	closing = append(closing, ']')
	for range lvl {
		closing = append(closing, '=')
	}
	closing = append(closing, ']')
	if k := bytes.Index(src[i+lvl+2:], closing); k >= 0 {
		return i + lvl + 2 + k + len(closing)
	}
	return len(src)
}

// rewriteString copies the quoted string starting at src[i] to out with its
// escapes rewritten, and returns out and the index past the string.
func rewriteString(out, src []byte, i int) ([]byte, int) {
	quote := src[i]
	out = append(out, quote)
	i++
	newlines := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == quote:
			out = append(out, quote)
			for range newlines {
				out = append(out, '\n')
			}
			return out, i + 1
		case c == '\n':
			// Unterminated: leave the error to the parser.
			return out, i
		case c != '\\' || i+1 >= len(src):
			out = append(out, c)
			i++
			continue
		}
		switch e := src[i+1]; {
		case e == 'x' && i+3 < len(src) && isHex(src[i+2]) && isHex(src[i+3]):
			v, _ := strconv.ParseUint(string(src[i+2:i+4]), 16, 8)
			out = appendDecimalEscape(out, byte(v))
			i += 4
		case e == 'u' && i+2 < len(src) && src[i+2] == '{':
			j := i + 3
			for j < len(src) && isHex(src[j]) {
				j++
			}
			v, err := strconv.ParseUint(string(src[i+3:j]), 16, 32)
			if j == i+3 || j >= len(src) || src[j] != '}' || err != nil || v > 0x7FFFFFFF {
				out = append(out, src[i:i+2]...)
				i += 2
				continue
			}
			for _, b := range encodeUTF8(uint32(v)) {
				out = appendDecimalEscape(out, b)
			}
			i = j + 1
		case e == 'z':
			i += 2
			for i < len(src) && isLuaSpace(src[i]) {
				if src[i] == '\n' {
					newlines++
				}
				i++
			}
		default:
			// Other escapes, including an escaped newline, are gopher-lua's.
			out = append(out, c, e)
			i += 2
		}
	}
	return out, i
}

// encodeUTF8 encodes v as LuaJIT does, which allows values up to 2^31
// (up to six bytes) and surrogates.
func encodeUTF8(v uint32) []byte {
	if v < 0x10000 && (v < 0xD800 || v > 0xDFFF) || v <= utf8.MaxRune && v > 0xFFFF {
		return utf8.AppendRune(nil, rune(v))
	}
	// Surrogates and values past Unicode: the same bit layout, extended.
	n := 3
	switch {
	case v >= 0x4000000:
		n = 6
	case v >= 0x200000:
		n = 5
	case v >= 0x10000:
		n = 4
	}
	b := make([]byte, n)
	for k := n - 1; k > 0; k-- {
		b[k] = 0x80 | byte(v&0x3F)
		v >>= 6
	}
	b[0] = byte(0xFF<<(8-n)) | byte(v)
	return b
}

func appendDecimalEscape(out []byte, b byte) []byte {
	return append(out, '\\', '0'+b/100, '0'+b/10%10, '0'+b%10)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isLuaSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
