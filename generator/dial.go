package generator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// dialer opens the connections of a run: TCP (or a unix socket), plus TLS
// with SNI and no certificate check for https, as wrk does, unless
// Config.Transport asks for more.
type dialer struct {
	net net.Dialer
	// bySource are net's copies bound to each of the source addresses.
	bySource []net.Dialer
	tls      *tls.Config
	timeout  time.Duration

	https, http2, scripted bool
	// proxy, when set, is where every connection goes; authority is the
	// target's host:port for CONNECT.
	proxy     *url.URL
	proxyAuth string
	authority string
}

func newDialer(cfg *Config) (*dialer, error) {
	d := &dialer{net: net.Dialer{Timeout: cfg.Timeout}, timeout: cfg.Timeout}
	tc, err := buildTLS(cfg)
	if err != nil {
		return nil, err
	}
	d.tls = tc
	d.https = cfg.URL.Scheme == "https"
	d.http2 = cfg.Transport.HTTP2
	d.scripted = cfg.Script != nil
	d.authority = net.JoinHostPort(cfg.URL.Hostname(), Port(cfg.URL))
	for _, a := range cfg.Transport.SourceAddrs {
		sd := d.net
		sd.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(a, 0))
		sd.Control = func(_, _ string, rc syscall.RawConn) error {
			var err error
			if cerr := rc.Control(func(fd uintptr) { err = bindNoPort(fd) }); cerr != nil {
				return cerr
			}
			return err
		}
		d.bySource = append(d.bySource, sd)
	}
	if p := cfg.Transport.Proxy; p != nil {
		d.proxy = p
		d.proxyAuth = proxyAuthorization(p)
	}
	return d, nil
}

// first is the dialer of the run's first connection.
func (d *dialer) first() net.Dialer {
	if len(d.bySource) > 0 {
		return d.bySource[0]
	}
	return d.net
}

// wrkDialer is wrk's dialer for cfg's URL, whatever cfg.Transport says.
func wrkDialer(cfg *Config) *dialer {
	plain := *cfg
	plain.Transport = Transport{}
	d, err := newDialer(&plain)
	if err != nil {
		panic(err) // unreachable: without options nothing can fail
	}
	return d
}

// Port is the URL's port, or the scheme's default.
func Port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// ResolveError is a host that does not resolve; its text is wrk's.
type ResolveError struct {
	Host, Service string
	Err           error
}

func (e *ResolveError) Error() string {
	return fmt.Sprintf("unable to resolve %s:%s %s", e.Host, e.Service, describe(e.Err))
}

func (e *ResolveError) Unwrap() error { return e.Err }

// ConnectError is a target where nothing accepts a connection; its text is wrk's.
type ConnectError struct {
	Host, Service string
	Err           error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("unable to connect to %s:%s %s", e.Host, e.Service, describe(e.Err))
}

func (e *ConnectError) Unwrap() error { return e.Err }

// resolve returns the target's addresses, in resolver order.
func resolve(ctx context.Context, u *url.URL) ([]net.Addr, error) {
	host, port := u.Hostname(), Port(u)
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, &ResolveError{Host: host, Service: port, Err: err}
	}
	pn, err := net.LookupPort("tcp", port)
	if err != nil {
		return nil, &ResolveError{Host: host, Service: port, Err: err}
	}
	addrs := make([]net.Addr, len(ips))
	for i, ip := range ips {
		addrs[i] = &net.TCPAddr{IP: ip.IP, Port: pn, Zone: ip.Zone}
	}
	return addrs, nil
}

// firstReachable returns the first address that accepts a TCP connection
// from d, so a dead target fails with one clear error instead of a run of
// errors. Each try lasts at most timeout, and all end when ctx does.
func firstReachable(ctx context.Context, u *url.URL, addrs []net.Addr, d net.Dialer, timeout time.Duration) (net.Addr, error) {
	var last error
	d.Timeout = timeout
	for _, a := range addrs {
		nc, err := d.DialContext(ctx, a.Network(), a.String())
		if err == nil {
			nc.Close()
			return a, nil
		}
		last = err
	}
	host, service := u.Hostname(), Port(u)
	if len(addrs) > 0 && addrs[0].Network() == "unix" {
		// Name the socket, not the URL's host, which is only the Host header.
		host, service = addrs[0].String(), "unix"
	}
	return nil, &ConnectError{Host: host, Service: service, Err: last}
}

// describe renders an error the way the C library words it
// ("Connection refused"), since wrk's messages come from strerror.
func describe(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return capitalize(errno.Error())
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "Name or service not known"
		}
		return capitalize(dnsErr.Err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Timeout() {
		return "Connection timed out"
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dialTimed connects to addr (the proxy's, when there is one) from source
// address source (-1: the system's choice) within the timeout, tunnels
// and does the TLS handshake as configured, and records the TCP and TLS
// times in stats (nil: not recorded). Cancelling ctx (the end of the run)
// abandons the dial or handshake at once.
func (d *dialer) dialTimed(ctx context.Context, addr net.Addr, source int, stats *connectStats) (net.Conn, error) {
	nd := &d.net
	if source >= 0 {
		nd = &d.bySource[source]
	}
	start := time.Now()
	nc, err := nd.DialContext(ctx, addr.Network(), addr.String())
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
	nc, err := d.dialTimed(dctx, addr, sourceOf(cfg.Transport.SourceAddrs, 0), nil)
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
