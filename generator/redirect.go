package generator

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/gowrk/gowrk/generator/wire"
)

// headOnly marks the one request of a flight as HEAD.
var headOnly = []uint64{1}

var locationHeader = []byte("Location")

// follow sends, in the flight's slot, the request a redirect response asks
// for, and reports whether it did: the flight then goes on, its latency
// and status to be the chain's. It must run with the response in c.hook.
// A redirect it cannot follow on this connection ends the request with
// that response, counted as unfollowed.
func (c *conn) follow(f *flight, ev wire.Event) (bool, error) {
	cfg := &c.th.run.cfg
	if cfg.Follow == 0 || !isRedirect(ev.Status) {
		return false, nil
	}
	location := headerValue(c.hook, locationHeader)
	next, ok := []byte(nil), false
	if location != nil && f.req.Count == 1 && f.hops < cfg.Follow && !ev.Close && c.codec.Reusable() {
		next, ok = redirectRequest(f.next[:0], f.sent, ev.Status, location, cfg.URL.Scheme)
	}
	if !ok {
		if !f.warm && location != nil {
			c.unfollowed++
		}
		return false, nil
	}
	// The request just answered is no longer written: its bytes become
	// the next redirect's scratch.
	f.sent, f.next = next, f.sent
	var heads []uint64
	if bytes.HasPrefix(next, []byte("HEAD ")) {
		heads = headOnly
	}
	if err := c.codec.Send(ev.Flight, next, 1, heads); err != nil {
		return false, err
	}
	f.hops++
	if !f.warm {
		c.redirects++
	}
	return true, nil
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// headerValue is the value of r's first header called name, nil when
// there is none.
func headerValue(r *Response, name []byte) []byte {
	for n, v := range r.Headers() {
		if bytes.EqualFold(n, name) {
			return v
		}
	}
	return nil
}

// redirectRequest appends to dst the request that follows prev's redirect
// (status, location) on the same connection, and reports whether there is
// one: a location on another origin (scheme, or the Host prev was sent
// to), or one that is no valid request target, is not followed. As
// browsers and Go's client do, 303, and 301 or 302 after a POST, become a
// GET without a body; 307 and 308 keep the method and body.
func redirectRequest(dst, prev []byte, status int, location []byte, scheme string) ([]byte, bool) {
	eol := bytes.Index(prev, []byte("\r\n"))
	end := bytes.Index(prev, []byte("\r\n\r\n"))
	if eol < 0 || end < eol {
		return dst, false
	}
	fields := bytes.Fields(prev[:eol])
	if len(fields) != 3 {
		return dst, false
	}
	method, target := string(fields[0]), string(fields[1])
	headers, body := prev[eol+2:end+2], prev[end+4:]
	host := ""
	for h := headers; len(h) > 0; {
		i := bytes.Index(h, []byte("\r\n"))
		name, value, _ := bytes.Cut(h[:i], []byte(":"))
		h = h[i+2:]
		if bytes.EqualFold(bytes.TrimSpace(name), []byte("Host")) {
			host = string(bytes.TrimSpace(value))
		}
	}
	base, err := url.Parse(target)
	if err != nil {
		return dst, false
	}
	loc, err := url.Parse(string(location))
	if err != nil {
		return dst, false
	}
	if loc.Scheme != "" && !strings.EqualFold(loc.Scheme, scheme) {
		return dst, false
	}
	if loc.Host != "" && !sameHost(loc.Host, host, scheme) {
		return dst, false
	}
	loc.Scheme, loc.Host, loc.User = "", "", nil
	next := base.ResolveReference(loc).RequestURI()
	if loc.Opaque != "" || !strings.HasPrefix(next, "/") {
		return dst, false // "http:x" and the like name no path
	}
	for i := 0; i < len(next); i++ {
		if next[i] <= ' ' || next[i] >= 0x7f {
			return dst, false
		}
	}
	keepBody := status == 307 || status == 308
	if !keepBody && method != "HEAD" && (status == 303 || method == "POST") {
		method = "GET"
	} else {
		keepBody = true
	}
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, next...)
	dst = append(dst, " HTTP/1.1\r\n"...)
	for h := headers; len(h) > 0; {
		i := bytes.Index(h, []byte("\r\n"))
		line := h[:i+2]
		h = h[i+2:]
		name, _, _ := bytes.Cut(line, []byte(":"))
		if !keepBody && isBodyHeader(bytes.TrimSpace(name)) {
			continue
		}
		dst = append(dst, line...)
	}
	dst = append(dst, "\r\n"...)
	if keepBody {
		dst = append(dst, body...)
	}
	return dst, true
}

func isBodyHeader(name []byte) bool {
	for _, h := range []string{"Content-Length", "Content-Type", "Transfer-Encoding", "Content-Encoding"} {
		if bytes.EqualFold(name, []byte(h)) {
			return true
		}
	}
	return false
}

// sameHost compares a Location's host with the Host a request went to,
// the scheme's default port written or not.
func sameHost(a, b, scheme string) bool {
	port := ":80"
	if scheme == "https" {
		port = ":443"
	}
	a, b = strings.ToLower(a), strings.ToLower(b)
	return strings.TrimSuffix(a, port) == strings.TrimSuffix(b, port)
}
