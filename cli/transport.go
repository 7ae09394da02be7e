package cli

import (
	"crypto/tls"
	"errors"
	"net/netip"
	"net/url"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gowrk/gowrk/generator"
)

// maxStreams bounds --streams; servers allow far fewer (nginx: 128).
const maxStreams = 1 << 16

// TransportOptions are the flags wrk does not have: HTTP/2 and HTTP/3,
// TLS options, unix sockets and proxies.
type TransportOptions struct {
	HTTP2, HTTP3      bool
	Streams           uint64
	Verify            bool
	CACert, Cert, Key string
	SNI               string
	TLSMin, TLSMax    uint16
	NoTLSResume       bool
	UnixSocket        string
	Proxy             *url.URL
	SourceAddrs       []netip.Addr
}

// tlsVersionValue is --tls-min/--tls-max: 1.0, 1.1, 1.2 or 1.3.
type tlsVersionValue struct{ v *uint16 }

var tlsVersions = map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}

func (t tlsVersionValue) String() string { return "" }
func (t tlsVersionValue) Type() string   { return "VERSION" }
func (t tlsVersionValue) Set(s string) error {
	v, ok := tlsVersions[strings.TrimPrefix(strings.ToLower(s), "tls")]
	if !ok {
		return errors.New("want a TLS version: 1.0, 1.1, 1.2 or 1.3")
	}
	*t.v = v
	return nil
}

// sourceAddrsValue is --source-addrs: IPs, ranges and CIDR prefixes.
type sourceAddrsValue struct{ a *[]netip.Addr }

func (v sourceAddrsValue) String() string { return "" }
func (v sourceAddrsValue) Type() string   { return "LIST" }
func (v sourceAddrsValue) Set(s string) error {
	a, err := generator.ParseSourceAddrs(s)
	if err != nil {
		return err
	}
	*v.a = a
	return nil
}

// proxyValue is --proxy: http://[user:pass@]host:port.
type proxyValue struct{ u **url.URL }

func (p proxyValue) String() string { return "" }
func (p proxyValue) Type() string   { return "URL" }
func (p proxyValue) Set(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		return errors.New("want an http:// proxy URL, e.g. http://user:pass@127.0.0.1:3128")
	}
	*p.u = u
	return nil
}

func addTransportFlags(fs *pflag.FlagSet, o *TransportOptions) {
	fs.BoolVar(&o.HTTP2, "http2", false, "Speak HTTP/2 (h2 over https, h2c over http)")
	fs.BoolVar(&o.HTTP3, "http3", false, "Speak HTTP/3 over QUIC (https)")
	fs.Var(metricValue{&o.Streams, 1, maxStreams, "streams"}, "streams", "Concurrent HTTP/2 streams per connection")
	fs.BoolVar(&o.Verify, "verify", false, "Verify the server's certificate")
	fs.StringVar(&o.CACert, "cacert", "", "CA certificates (PEM) for --verify")
	fs.StringVar(&o.Cert, "cert", "", "Client certificate (PEM)")
	fs.StringVar(&o.Key, "key", "", "Client certificate's key (PEM)")
	fs.StringVar(&o.SNI, "sni", "", "TLS server name to send")
	fs.Var(tlsVersionValue{&o.TLSMin}, "tls-min", "Lowest TLS version")
	fs.Var(tlsVersionValue{&o.TLSMax}, "tls-max", "Highest TLS version")
	fs.BoolVar(&o.NoTLSResume, "no-tls-resume", false, "Full TLS handshake on every reconnect")
	fs.StringVar(&o.UnixSocket, "unix-socket", "", "Connect to this unix socket")
	fs.Var(proxyValue{&o.Proxy}, "proxy", "Send requests through this HTTP proxy")
	fs.Var(sourceAddrsValue{&o.SourceAddrs}, "source-addrs", "Local addresses to connect from")
}

// check rejects transport flags that make no sense together.
func (o *TransportOptions) check(fs *pflag.FlagSet, u *url.URL) error {
	// With --targets and no URL, the targets file names the scheme.
	https := u == nil || u.Scheme == "https"
	switch {
	case fs.Changed("streams") && !o.HTTP2 && !o.HTTP3:
		return errors.New("--streams needs --http2 or --http3")
	case o.HTTP2 && o.HTTP3:
		return errors.New("--http2 and --http3 cannot be used together")
	case o.HTTP3 && !https:
		return errors.New("--http3 needs an https:// URL")
	case o.HTTP3 && o.Proxy != nil:
		return errors.New("--http3 does not go through --proxy (QUIC runs over UDP)")
	case o.HTTP3 && o.UnixSocket != "":
		return errors.New("--http3 does not go over --unix-socket (QUIC runs over UDP)")
	case o.CACert != "" && !o.Verify:
		return errors.New("--cacert needs --verify")
	case (o.Cert == "") != (o.Key == ""):
		return errors.New("--cert and --key go together")
	case !https && (o.Verify || o.Cert != "" || o.SNI != "" || o.TLSMin != 0 || o.TLSMax != 0 || o.NoTLSResume):
		return errors.New("TLS options need an https:// URL")
	case o.TLSMin != 0 && o.TLSMax != 0 && o.TLSMin > o.TLSMax:
		return errors.New("--tls-min is above --tls-max")
	case o.UnixSocket != "" && o.Proxy != nil:
		return errors.New("--unix-socket and --proxy cannot be used together")
	case o.UnixSocket != "" && len(o.SourceAddrs) > 0:
		return errors.New("--source-addrs do not apply to --unix-socket")
	}
	return nil
}

func (o *TransportOptions) transport() generator.Transport {
	return generator.Transport{
		HTTP2:       o.HTTP2,
		HTTP3:       o.HTTP3,
		Streams:     int(o.Streams),
		UnixSocket:  o.UnixSocket,
		Proxy:       o.Proxy,
		SourceAddrs: o.SourceAddrs,
		TLS: generator.TLSOptions{
			Verify: o.Verify, CAFile: o.CACert, CertFile: o.Cert, KeyFile: o.Key, SNI: o.SNI,
			MinVersion: o.TLSMin, MaxVersion: o.TLSMax, NoResume: o.NoTLSResume,
		},
	}
}
