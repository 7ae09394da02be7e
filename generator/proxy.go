package generator

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// ProxyError is a proxy that refused a CONNECT tunnel.
type ProxyError struct {
	Proxy, Status string
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("proxy %s refused CONNECT: %s", e.Proxy, e.Status)
}

// tunnels reports whether connections go through a CONNECT tunnel rather
// than sending absolute-form requests to the proxy.
func (d *dialer) tunnels() bool {
	return d.proxy != nil && (d.https || d.http2 || d.scripted)
}

// connectTunnel asks the proxy on nc for a tunnel to the target.
func (d *dialer) connectTunnel(ctx context.Context, nc net.Conn) error {
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	} else {
		_ = nc.SetDeadline(time.Now().Add(d.timeout))
	}
	defer nc.SetDeadline(time.Time{})
	var b strings.Builder
	fmt.Fprintf(&b, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n", d.authority, d.authority)
	if d.proxyAuth != "" {
		fmt.Fprintf(&b, "Proxy-Authorization: %s\r\n", d.proxyAuth)
	}
	b.WriteString("\r\n")
	if _, err := nc.Write([]byte(b.String())); err != nil {
		return err
	}
	// Read the reply byte by byte: nothing past its end may be consumed, it
	// belongs to the tunnel.
	br := bufio.NewReaderSize(oneByteReader{nc}, 16)
	status, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("proxy %s: %w", d.proxy.Host, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return fmt.Errorf("proxy %s: %w", d.proxy.Host, err)
		}
		if line == "\r\n" || line == "\n" {
			break
		}
	}
	status = strings.TrimSpace(status)
	_, code, _ := strings.Cut(status, " ")
	if !strings.HasPrefix(code, "2") {
		return &ProxyError{Proxy: d.proxy.Host, Status: code}
	}
	return nil
}

// oneByteReader hands bufio one byte per read.
type oneByteReader struct{ r net.Conn }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

// proxyAuthorization is the Proxy-Authorization value for u's userinfo.
func proxyAuthorization(u *url.URL) string {
	if u.User == nil {
		return ""
	}
	pass, _ := u.User.Password()
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass))
}

// proxyRequest rewrites the static request for an http:// proxy: the
// absolute-form target and the proxy credentials.
func proxyRequest(req Request, u *url.URL, auth string) Request {
	b := req.Bytes
	sp := strings.IndexByte(string(b), ' ')
	if sp < 0 || sp+1 >= len(b) || b[sp+1] != '/' {
		return req
	}
	eol := strings.Index(string(b), "\r\n")
	if eol < 0 {
		return req
	}
	out := make([]byte, 0, len(b)+len(u.Host)+64)
	out = append(out, b[:sp+1]...)
	out = append(out, "http://"+u.Host...)
	out = append(out, b[sp+1:eol+2]...)
	if auth != "" {
		out = append(out, "Proxy-Authorization: "+auth+"\r\n"...)
	}
	out = append(out, b[eol+2:]...)
	req.Bytes = out
	return req
}
