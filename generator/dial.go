package generator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// dialer opens the connections of a run: TCP (or a unix socket), plus TLS
// with SNI and no certificate check for https, as wrk does, unless
// Config.Transport asks for more.
type dialer struct {
	net     net.Dialer
	tls     *tls.Config
	timeout time.Duration

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
	if p := cfg.Transport.Proxy; p != nil {
		d.proxy = p
		d.proxyAuth = proxyAuthorization(p)
	}
	return d, nil
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

// firstReachable returns the first address that accepts a TCP connection,
// so a dead target fails with one clear error instead of a run of errors.
// Each try lasts at most timeout, and all end when ctx does.
func firstReachable(ctx context.Context, u *url.URL, addrs []net.Addr, timeout time.Duration) (net.Addr, error) {
	var last error
	d := net.Dialer{Timeout: timeout}
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
