package h1

import (
	"errors"
	"strconv"
	"strings"
)

// ErrNoHost is a request whose Host header would be empty.
var ErrNoHost = errors.New("missing required host header in request")

// Header is one request header.
type Header struct {
	Name, Value string
}

// Serialize writes the request method target (the request URI, "/" when
// empty) with host (unless a Host header replaces it), headers in order
// and body.
//
// The bytes are those fasthttp's Request.Write produced for the same input
// (names as given, no default Content-Type), which earlier releases used:
// a run sends what it sent before. So User-Agent, Host, Content-Type and
// Content-Length come first, Cookie headers are merged into one line,
// Transfer-Encoding is dropped and a Trailer header makes the body chunked.
// CR and LF in any value become spaces, so no value ends its line.
func Serialize(method, target, host string, headers []Header, body []byte) ([]byte, error) {
	var h requestHeader
	h.host = cleanValue(host)
	for _, f := range headers {
		h.add(f.Name, cleanValue(f.Value))
	}
	if h.host == "" {
		return nil, ErrNoHost
	}
	method = cleanValue(method)
	if method == "" {
		method = "GET"
	}
	hasBody := len(body) > 0 || (method != "GET" && method != "HEAD")
	chunked := hasBody && len(h.trailer) > 0
	if hasBody {
		if chunked {
			h.length = ""
			h.fields = setField(h.fields, "Transfer-Encoding", "chunked")
		} else {
			h.length = strconv.Itoa(len(body))
			h.fields = delFields(h.fields, "Transfer-Encoding")
		}
	}

	uri := cleanValue(target)
	if uri == "" {
		uri = "/"
	}
	if uri[0] == '?' {
		uri = "/" + uri
	}
	b := make([]byte, 0, 256+len(body))
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, uri...)
	b = append(b, " HTTP/1.1\r\n"...)
	b = appendField(b, "User-Agent", h.userAgent)
	b = appendField(b, "Host", h.host)
	b = appendField(b, "Content-Type", h.contentType)
	b = appendField(b, "Content-Length", h.length)
	b = appendFields(b, h.fields)
	if len(h.trailer) > 0 {
		b = append(b, "Trailer: "...)
		b = append(b, strings.Join(h.trailer, ", ")...)
		b = append(b, "\r\n"...)
	}
	if len(h.cookies) > 0 {
		b = append(b, "Cookie: "...)
		for i, c := range h.cookies {
			if i > 0 {
				b = append(b, "; "...)
			}
			if c.name != "" {
				b = append(b, c.name...)
				b = append(b, '=')
			}
			b = append(b, c.value...)
		}
		b = append(b, "\r\n"...)
	}
	if h.close && !hasCloseField(h.fields) {
		b = append(b, "Connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	switch {
	case chunked:
		if len(body) > 0 {
			b = strconv.AppendInt(b, int64(len(body)), 16)
			b = append(b, "\r\n"...)
			b = append(b, body...)
			b = append(b, "\r\n"...)
		}
		b = append(b, "0\r\n"...)
		b = appendFields(b, h.trailerFields)
		b = append(b, "\r\n"...)
	case hasBody:
		b = append(b, body...)
	}
	return b, nil
}

type field struct{ name, value string }

type cookie struct{ name, value string }

// requestHeader collects the static request's headers: the ones with a
// place of their own, the rest in order, and those announced as trailers.
type requestHeader struct {
	host, userAgent, contentType, length string
	userAgentSet                         bool
	close                                bool // a Connection header said close
	fields                               []field
	trailer                              []string // announced trailer names
	trailerFields                        []field
	cookies                              []cookie
}

// add takes one -H header. Names compare case-insensitively when they pick
// a header with a place of its own, exactly otherwise.
func (h *requestHeader) add(name, value string) {
	if h.isTrailer(name) {
		h.trailerFields = append(h.trailerFields, field{name, value})
		return
	}
	switch {
	case strings.EqualFold(name, "Content-Type"):
		h.contentType = value
	case strings.EqualFold(name, "Content-Length"):
		if validLength(value) {
			h.length = value
		}
	case strings.EqualFold(name, "Connection"):
		// close is remembered and written last; other tokens keep the header.
		switch {
		case !hasToken(value, "close"):
			h.close = false
			h.fields = setField(h.fields, name, value)
		case hasOtherToken(value, "close"):
			h.close = true
			h.fields = setField(h.fields, name, value)
		default:
			h.close = true
			h.fields = delFields(h.fields, "Connection")
		}
	case strings.EqualFold(name, "Cookie"):
		h.cookies = appendCookies(h.cookies, value)
	case strings.EqualFold(name, "Transfer-Encoding"):
		// The body's framing is decided here, not by the user.
	case strings.EqualFold(name, "Trailer"):
		h.announce(value)
	case strings.EqualFold(name, "Host"):
		h.host = value
	case strings.EqualFold(name, "User-Agent"):
		if h.isTrailer("User-Agent") {
			h.trailerFields = setField(h.trailerFields, "User-Agent", value)
			return
		}
		h.userAgent, h.userAgentSet = value, true
	default:
		h.fields = append(h.fields, field{name, value})
	}
}

func (h *requestHeader) isTrailer(name string) bool {
	for _, t := range h.trailer {
		if t == name {
			return true
		}
	}
	return false
}

// announce adds a Trailer header's names to the trailer set; values
// already given under a new name move to the trailer section.
func (h *requestHeader) announce(list string) {
	for item := range strings.SplitSeq(list, ",") {
		name := trimBlank(item)
		if !validTrailerName(name) || h.isTrailer(name) {
			continue
		}
		h.trailer = append(h.trailer, name)
		if name == "User-Agent" && h.userAgentSet {
			h.trailerFields = append(h.trailerFields, field{name, h.userAgent})
			h.userAgent, h.userAgentSet = "", false
		}
		kept := h.fields[:0]
		for _, f := range h.fields {
			if f.name == name {
				h.trailerFields = append(h.trailerFields, f)
			} else {
				kept = append(kept, f)
			}
		}
		h.fields = kept
	}
}

// setField replaces the value of the first field named name, or appends one.
func setField(fs []field, name, value string) []field {
	for i := range fs {
		if fs[i].name == name {
			fs[i].value = value
			return fs
		}
	}
	return append(fs, field{name, value})
}

// delFields removes the fields named name, each by moving the last field
// into its place, as fasthttp did: the order the bytes pin depends on it.
func delFields(fs []field, name string) []field {
	n := len(fs)
	for i := 0; i < n; i++ {
		if fs[i].name == name {
			fs[i], fs[n-1] = fs[n-1], fs[i]
			n--
			i--
		}
	}
	return fs[:n]
}

func hasCloseField(fs []field) bool {
	for _, f := range fs {
		if strings.EqualFold(f.name, "Connection") && hasToken(f.value, "close") {
			return true
		}
	}
	return false
}

func appendField(b []byte, name, value string) []byte {
	if value == "" {
		return b
	}
	return appendFields(b, []field{{name, value}})
}

func appendFields(b []byte, fs []field) []byte {
	for _, f := range fs {
		b = append(b, f.name...)
		b = append(b, ": "...)
		b = append(b, f.value...)
		b = append(b, "\r\n"...)
	}
	return b
}

// hasToken reports whether the comma-separated list holds tok, in any case.
func hasToken(list, tok string) bool {
	for item := range strings.SplitSeq(list, ",") {
		if strings.EqualFold(trimBlank(item), tok) {
			return true
		}
	}
	return false
}

// hasOtherToken reports whether the list holds a non-empty token besides tok.
func hasOtherToken(list, tok string) bool {
	for item := range strings.SplitSeq(list, ",") {
		if t := trimBlank(item); t != "" && !strings.EqualFold(t, tok) {
			return true
		}
	}
	return false
}

// appendCookies adds the name=value pairs of a Cookie header. Spaces
// around names and values go, as do quotes around a value; a pair whose
// value holds a quote or backslash is dropped.
func appendCookies(cs []cookie, value string) []cookie {
	for len(value) > 0 {
		var pair string
		pair, value, _ = strings.Cut(value, ";")
		value = strings.TrimPrefix(value, " ")
		name, v, ok := strings.Cut(pair, "=")
		if !ok {
			name, v = "", pair
		}
		name, v = trimBlank(name), trimBlank(v)
		if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		if (name == "" && v == "") || strings.ContainsAny(v, "\"\\;") {
			continue
		}
		cs = append(cs, cookie{name, v})
	}
	return cs
}

// validLength reports whether s is a Content-Length: digits that fit an int.
func validLength(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(s, 10, strconv.IntSize)
	return err == nil
}

// validTrailerName reports whether name may be announced as a trailer:
// a token that neither frames, routes, authenticates nor describes the
// message.
func validTrailerName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenByte(name[i]) {
			return false
		}
	}
	for _, bad := range badTrailers {
		if strings.EqualFold(name, bad) {
			return false
		}
	}
	lower := strings.ToLower(name)
	return !strings.HasPrefix(lower, "x-forwarded") && !strings.HasPrefix(lower, "x-real-ip")
}

var badTrailers = []string{
	"Authorization", "Content-Encoding", "Content-Length", "Content-Type",
	"Content-Range", "Connection", "Cookie", "Expect", "Host", "Keep-Alive",
	"Location", "Max-Forwards", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Range", "Set-Cookie", "TE", "Trailer",
	"Transfer-Encoding", "WWW-Authenticate",
}

func isTokenByte(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, rune(c))
}

func trimBlank(s string) string {
	return strings.Trim(s, " \t")
}

// cleanValue turns CR and LF into spaces, so no value can end the header.
func cleanValue(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}
