package generator

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Transport holds what wrk cannot do: HTTP/2, TLS options, unix sockets and
// proxies. Its zero value is wrk's behaviour.
type Transport struct {
	// HTTP2 speaks HTTP/2: ALPN h2 over https, prior-knowledge h2c over http.
	HTTP2 bool
	// Streams is the number of concurrent streams per HTTP/2 connection
	// (default 1).
	Streams int
	// UnixSocket, when set, is the path every connection dials; the URL
	// still gives Host and path.
	UnixSocket string
	// Proxy, when set, is an http:// proxy: requests go in absolute form for
	// http:// targets, through a CONNECT tunnel for https://, HTTP/2 and
	// scripted requests. The URL's userinfo is sent as Basic proxy auth.
	Proxy *url.URL
	// TLS adjusts https connections.
	TLS TLSOptions
}

// TLSOptions adjust the TLS client. The zero value is wrk's: SNI from the
// URL, no certificate verification, any version.
type TLSOptions struct {
	// Verify checks the server's certificate against the system roots, or
	// CAFile's when set.
	Verify bool
	CAFile string
	// CertFile and KeyFile, PEM, form the client certificate.
	CertFile, KeyFile string
	// SNI replaces the server name sent (and verified).
	SNI string
	// MinVersion and MaxVersion bound the version (tls.VersionTLS12...); 0
	// leaves Go's defaults.
	MinVersion, MaxVersion uint16
	// NoResume turns session resumption on reconnect off.
	NoResume bool
}

// ConnectTiming holds, in µs, how long each phase of making a connection
// took. DNS has one sample per lookup (gowrk resolves the target once per
// run, as wrk does); TCP and TLS one per connection made, reconnects
// included. TLS is nil for plain-text targets.
type ConnectTiming struct {
	DNS, TCP, TLS *hdrhistogram.Histogram
}

// connectStats is one thread's connection timing; the lock is taken once
// per connection made, never per request.
type connectStats struct {
	mu       sync.Mutex
	tcp, tls *hdrhistogram.Histogram
}

func newConnectStats() *connectStats {
	return &connectStats{tcp: NewLatencyHistogram(), tls: NewLatencyHistogram()}
}

func (s *connectStats) record(tcp, handshake time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	recordClamped(s.tcp, int64(tcp/time.Microsecond))
	if handshake > 0 {
		recordClamped(s.tls, int64(handshake/time.Microsecond))
	}
	s.mu.Unlock()
}

// ErrNoHTTP2 is an HTTPS server that does not offer h2 in ALPN.
var ErrNoHTTP2 = errors.New("server does not offer HTTP/2 (no h2 in ALPN)")

// ProxyError is a proxy that refused a CONNECT tunnel.
type ProxyError struct {
	Proxy, Status string
}

func (e *ProxyError) Error() string {
	return fmt.Sprintf("proxy %s refused CONNECT: %s", e.Proxy, e.Status)
}

// buildTLS returns the TLS client configuration for cfg, or nil for
// plain-text targets. A missing or unreadable file fails here, before the
// run.
func buildTLS(cfg *Config) (*tls.Config, error) {
	if cfg.URL.Scheme != "https" {
		return nil, nil
	}
	o := &cfg.Transport.TLS
	tc := &tls.Config{
		ServerName:         cfg.URL.Hostname(),
		InsecureSkipVerify: !o.Verify, //nolint:gosec // load testing, like wrk, unless --verify
		MinVersion:         o.MinVersion,
		MaxVersion:         o.MaxVersion,
	}
	if o.SNI != "" {
		tc.ServerName = o.SNI
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA file: %v", ErrConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA file %s holds no PEM certificate", ErrConfig, o.CAFile)
		}
		tc.RootCAs = pool
	}
	if (o.CertFile == "") != (o.KeyFile == "") {
		return nil, fmt.Errorf("%w: a client certificate needs both a certificate and a key file", ErrConfig)
	}
	if o.CertFile != "" {
		pair, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: client certificate: %v", ErrConfig, err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if o.MinVersion != 0 && o.MaxVersion != 0 && o.MinVersion > o.MaxVersion {
		return nil, fmt.Errorf("%w: minimum TLS version above the maximum", ErrConfig)
	}
	if !o.NoResume {
		tc.ClientSessionCache = tls.NewLRUClientSessionCache(max(cfg.Connections, 64))
	}
	if cfg.Transport.HTTP2 {
		// http/1.1 too, so that an HTTP/1.1-only server completes the
		// handshake and the check after it names the problem.
		tc.NextProtos = []string{"h2", "http/1.1"}
	}
	return tc, nil
}

// tunnels reports whether connections go through a CONNECT tunnel rather
// than sending absolute-form requests to the proxy.
func (d *dialer) tunnels() bool {
	return d.proxy != nil && (d.https || d.http2 || d.scripted)
}

// dialTimed connects to addr (the proxy's, when there is one) within the
// timeout, tunnels and does the TLS handshake as configured, and records
// the TCP and TLS times in stats (nil: not recorded). Cancelling ctx (the
// end of the run) abandons the dial or handshake at once.
func (d *dialer) dialTimed(ctx context.Context, addr net.Addr, stats *connectStats) (net.Conn, error) {
	start := time.Now()
	nc, err := d.net.DialContext(ctx, addr.Network(), addr.String())
	if err != nil {
		return nil, err
	}
	tcp := time.Since(start)
	if d.tunnels() {
		if err := d.connectTunnel(ctx, nc); err != nil {
			nc.Close()
			return nil, err
		}
	}
	if d.tls == nil {
		stats.record(tcp, 0)
		return nc, nil
	}
	hs := time.Now()
	tc := tls.Client(nc, d.tls)
	hctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		nc.Close()
		if d.http2 && strings.Contains(err.Error(), "no application protocol") {
			return nil, ErrNoHTTP2
		}
		return nil, err
	}
	stats.record(tcp, time.Since(hs))
	if d.http2 && tc.ConnectionState().NegotiatedProtocol != "h2" {
		tc.Close()
		return nil, ErrNoHTTP2
	}
	return tc, nil
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

// targetAddrs resolves where connections go: the unix socket, the proxy, or
// the target's addresses, timing the DNS lookup.
func targetAddrs(ctx context.Context, cfg *Config, dns *hdrhistogram.Histogram) ([]net.Addr, error) {
	if p := cfg.Transport.UnixSocket; p != "" {
		return []net.Addr{&net.UnixAddr{Name: p, Net: "unix"}}, nil
	}
	u := cfg.URL
	if cfg.Transport.Proxy != nil {
		u = cfg.Transport.Proxy
	}
	start := time.Now()
	addrs, err := resolve(ctx, u)
	if err == nil {
		recordClamped(dns, int64(time.Since(start)/time.Microsecond))
	}
	return addrs, err
}

// validateTransport checks the transport options that need no I/O.
func validateTransport(cfg *Config) error {
	t := &cfg.Transport
	if t.Streams <= 0 {
		t.Streams = 1
	}
	if t.Streams > 1 && !t.HTTP2 {
		return fmt.Errorf("%w: streams need HTTP/2", ErrConfig)
	}
	if t.Proxy != nil && t.UnixSocket != "" {
		return fmt.Errorf("%w: a unix socket and a proxy do not go together", ErrConfig)
	}
	if p := t.Proxy; p != nil && (p.Scheme != "http" || p.Host == "") {
		return fmt.Errorf("%w: proxy must be http://host:port", ErrConfig)
	}
	return nil
}

// preflight makes one connection with the run's full transport when it
// goes beyond wrk's, so that an HTTP/1.1-only server, a refusing proxy or
// a rejected certificate fail the run with one error instead of a run of
// connect errors.
func preflight(ctx context.Context, cfg *Config, d *dialer, addr net.Addr) error {
	t := &cfg.Transport
	if !t.HTTP2 && t.Proxy == nil && t.TLS == (TLSOptions{}) {
		return nil
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	nc, err := d.dialTimed(dctx, addr, nil)
	if err != nil {
		var pe *ProxyError
		if errors.Is(err, ErrNoHTTP2) || errors.As(err, &pe) {
			return err
		}
		return fmt.Errorf("connecting to %s: %w", d.authority, err)
	}
	nc.Close()
	return nil
}

// connectTiming merges the threads' connection timing.
func (r *run) connectTiming(dns *hdrhistogram.Histogram) ConnectTiming {
	ct := ConnectTiming{DNS: dns, TCP: NewLatencyHistogram()}
	if r.dialer.tls != nil {
		ct.TLS = NewLatencyHistogram()
	}
	for _, s := range r.connect {
		s.mu.Lock()
		ct.TCP.Merge(s.tcp)
		if ct.TLS != nil {
			ct.TLS.Merge(s.tls)
		}
		s.mu.Unlock()
	}
	return ct
}
