package generator

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/valyala/fasthttp"
)

// StaticRequest serializes the request every connection sends when no script
// builds them: cfg's method, URL path and query, Host (unless a Host header
// replaces it), headers in order and body.
func StaticRequest(cfg *Config) (Request, error) {
	var req fasthttp.Request
	req.Header.DisableNormalizing()
	req.Header.SetNoDefaultContentType(true)
	req.Header.SetMethod(cfg.Method)
	req.SetRequestURI(RequestPath(cfg.URL.RequestURI()))
	req.Header.SetHost(cfg.URL.Host)
	for _, h := range cfg.Headers {
		if strings.EqualFold(h.Name, "Host") {
			req.Header.SetHost(h.Value)
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	if len(cfg.Body) > 0 {
		req.SetBody(cfg.Body)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := req.Write(w); err != nil {
		return Request{}, err
	}
	if err := w.Flush(); err != nil {
		return Request{}, err
	}
	out := Request{Bytes: buf.Bytes(), Count: 1}
	if strings.EqualFold(cfg.Method, "HEAD") {
		out.MarkHead(0)
	}
	return out, nil
}

// RequestPath is wrk's request target: everything after the authority,
// "/" when that is empty.
func RequestPath(uri string) string {
	if uri == "" {
		return "/"
	}
	return uri
}
