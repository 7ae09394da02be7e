package generator

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
)

// Transport holds what wrk cannot do: HTTP/2 and HTTP/3, TLS options,
// unix sockets and proxies. Its zero value is wrk's behaviour.
type Transport struct {
	// HTTP2 speaks HTTP/2: ALPN h2 over https, prior-knowledge h2c over http.
	HTTP2 bool
	// HTTP3 speaks HTTP/3 over QUIC (https only).
	HTTP3 bool
	// Streams is the number of concurrent streams per HTTP/2 or HTTP/3
	// connection (default 1).
	Streams int
	// UnixSocket, when set, is the path every connection dials; the URL
	// still gives Host and path.
	UnixSocket string
	// Proxy, when set, is an http:// proxy: requests go in absolute form for
	// http:// targets, through a CONNECT tunnel for https://, HTTP/2 and
	// scripted requests. The URL's userinfo is sent as Basic proxy auth.
	Proxy *url.URL
	// SourceAddrs, when set, are the local addresses connections come
	// from, spread evenly over them: each reaches one destination on as
	// many connections as there are ephemeral ports (see ParseSourceAddrs).
	SourceAddrs []netip.Addr
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

// ErrNoHTTP2 is an HTTPS server that does not offer h2 in ALPN.
var ErrNoHTTP2 = errors.New("server does not offer HTTP/2 (no h2 in ALPN)")

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

// validateTransport checks the transport options that need no I/O.
func validateTransport(cfg *Config) error {
	t := &cfg.Transport
	if t.Streams <= 0 {
		t.Streams = 1
	}
	if t.Streams > 1 && !t.HTTP2 && !t.HTTP3 {
		return fmt.Errorf("%w: streams need HTTP/2 or HTTP/3", ErrConfig)
	}
	if t.HTTP3 {
		switch {
		case t.HTTP2:
			return fmt.Errorf("%w: HTTP/2 or HTTP/3, not both", ErrConfig)
		case cfg.URL.Scheme != "https":
			return fmt.Errorf("%w: HTTP/3 needs an https:// URL", ErrConfig)
		case t.Proxy != nil:
			return fmt.Errorf("%w: HTTP/3 does not go through an HTTP proxy", ErrConfig)
		case t.UnixSocket != "":
			return fmt.Errorf("%w: HTTP/3 runs over UDP, not a unix socket", ErrConfig)
		}
	}
	if len(t.SourceAddrs) > 0 && t.UnixSocket != "" {
		return fmt.Errorf("%w: a unix socket has no source address", ErrConfig)
	}
	if t.Proxy != nil && t.UnixSocket != "" {
		return fmt.Errorf("%w: a unix socket and a proxy do not go together", ErrConfig)
	}
	if p := t.Proxy; p != nil && (p.Scheme != "http" || p.Host == "") {
		return fmt.Errorf("%w: proxy must be http://host:port", ErrConfig)
	}
	return nil
}
