package generator_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testnginx"
	"github.com/gowrk/gowrk/internal/testserver"
)

// nginx starts a server for one test.
func nginx(t *testing.T) *testnginx.Protocols {
	t.Helper()
	return testnginx.StartProtocols(t)
}

func transportRun(t *testing.T, raw string, conns int, d time.Duration, tr generator.Transport) (*generator.Result, error) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg := generator.Config{URL: u, Connections: conns, Threads: 1, Duration: d, Transport: tr}
	return generator.Run(context.Background(), cfg)
}

func entriesFor(t *testing.T, s *testnginx.Protocols, path string) []testnginx.ProtocolEntry {
	t.Helper()
	var out []testnginx.ProtocolEntry
	for _, e := range s.Log(t) {
		if strings.HasPrefix(e.URI, path) {
			out = append(out, e)
		}
	}
	return out
}

// checkServed checks that the server saw every counted response, in the
// given protocol, and at most the ones still in flight when the run ended.
func checkServed(t *testing.T, res *generator.Result, entries []testnginx.ProtocolEntry, proto string, inflight int) {
	t.Helper()
	if res.Requests == 0 || res.Errors.Socket() != 0 || res.Errors.Status != 0 {
		t.Fatalf("requests %d, errors %+v", res.Requests, res.Errors)
	}
	n := testnginx.Count(entries, func(e testnginx.ProtocolEntry) bool { return e.Protocol == proto && e.Status == "200" })
	if n != len(entries) {
		t.Errorf("server saw %d requests, %d of them %s 200", len(entries), n, proto)
	}
	if uint64(n) < res.Requests || uint64(n) > res.Requests+uint64(inflight) {
		t.Errorf("server answered %d %s requests, gowrk counted %d (+%d in flight)", n, proto, res.Requests, inflight)
	}
}

func TestHTTP2OverTLS(t *testing.T) {
	s := nginx(t)
	for _, streams := range []int{1, 8} {
		path := "/h2tls" + string(rune('0'+streams))
		res, err := transportRun(t, s.URL("https", s.H2, path), 4, 400*time.Millisecond,
			generator.Transport{HTTP2: true, Streams: streams})
		if err != nil {
			t.Fatal(err)
		}
		checkServed(t, res, entriesFor(t, s, path), "HTTP/2.0", 4*streams)
		if res.Connect.TLS == nil || res.Connect.TLS.TotalCount() < 4 || res.Connect.TCP.TotalCount() < 4 {
			t.Errorf("connect timing: want a TCP and a TLS sample per connection")
		}
		if res.Connect.DNS.TotalCount() != 1 {
			t.Errorf("DNS samples %d, want the one lookup", res.Connect.DNS.TotalCount())
		}
	}
}

func TestH2C(t *testing.T) {
	s := nginx(t)
	res, err := transportRun(t, s.URL("http", s.H2C, "/h2c"), 2, 400*time.Millisecond,
		generator.Transport{HTTP2: true, Streams: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, res, entriesFor(t, s, "/h2c"), "HTTP/2.0", 8)
	if res.Connect.TLS != nil {
		t.Errorf("TLS timing on a plain-text run")
	}
}

func TestHTTP2Body(t *testing.T) {
	s := nginx(t)
	res, err := transportRun(t, s.URL("https", s.H2, "/hello.txt"), 1, 200*time.Millisecond,
		generator.Transport{HTTP2: true})
	if err != nil {
		t.Fatal(err)
	}
	// Each response is at least its 5-byte body in a DATA frame.
	if res.Requests == 0 || res.Bytes < res.Requests*5 || res.StatusCodes[200] != res.Requests {
		t.Errorf("requests %d, bytes %d, codes %v", res.Requests, res.Bytes, res.StatusCodes)
	}
}

func TestHTTP2GoAwayReconnects(t *testing.T) {
	s := nginx(t)
	res, err := transportRun(t, s.URL("http", s.GoAway, "/goaway"), 2, 500*time.Millisecond,
		generator.Transport{HTTP2: true, Streams: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, res, entriesFor(t, s, "/goaway"), "HTTP/2.0", 8)
	// 20 requests per connection: every further one came after a GOAWAY.
	if conns := res.Connect.TCP.TotalCount(); conns < int64(res.Requests/20) {
		t.Errorf("%d connections for %d requests, want one per 20", conns, res.Requests)
	}
}

func TestHTTP2NotOffered(t *testing.T) {
	s := nginx(t)
	_, err := transportRun(t, s.URL("https", s.TLS, "/"), 1, time.Second, generator.Transport{HTTP2: true})
	if !errors.Is(err, generator.ErrNoHTTP2) {
		t.Fatalf("err = %v, want ErrNoHTTP2", err)
	}
}

func TestUnixSocket(t *testing.T) {
	s := nginx(t)
	res, err := transportRun(t, "http://gowrk.test/unix1", 2, 300*time.Millisecond,
		generator.Transport{UnixSocket: s.Unix})
	if err != nil {
		t.Fatal(err)
	}
	entries := entriesFor(t, s, "/unix1")
	checkServed(t, res, entries, "HTTP/1.1", 2)
	if n := testnginx.Count(entries, func(e testnginx.ProtocolEntry) bool { return e.Port == "unix" && e.Host == "gowrk.test" }); n != len(entries) {
		t.Errorf("%d of %d requests came over the socket with the URL's host", n, len(entries))
	}
	// Both engines time the connects they make.
	if n := res.Connect.TCP.TotalCount(); n < 2 {
		t.Errorf("%d connects timed, want one per connection", n)
	}
	res, err = transportRun(t, "http://gowrk.test/unix2", 2, 300*time.Millisecond,
		generator.Transport{UnixSocket: s.UnixH2C, HTTP2: true, Streams: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, res, entriesFor(t, s, "/unix2"), "HTTP/2.0", 4)
}

func TestClientCertificate(t *testing.T) {
	s := nginx(t)
	with := generator.Transport{HTTP2: true, TLS: generator.TLSOptions{CertFile: s.ClientCert, KeyFile: s.ClientKey, Verify: true, CAFile: s.CA, SNI: "localhost"}}
	res, err := transportRun(t, s.URL("https", s.MTLS, "/mtls-with"), 2, 300*time.Millisecond, with)
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, res, entriesFor(t, s, "/mtls-with"), "HTTP/2.0", 2)

	// Without a certificate nginx answers 400 to every request.
	res, err = transportRun(t, s.URL("https", s.MTLS, "/mtls-without"), 1, 200*time.Millisecond, generator.Transport{HTTP2: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.StatusCodes[400] != res.Requests {
		t.Errorf("without a certificate: codes %v, want all 400", res.StatusCodes)
	}
	if n := testnginx.Count(entriesFor(t, s, "/mtls-without"), func(e testnginx.ProtocolEntry) bool { return e.Status != "400" }); n != 0 {
		t.Errorf("server answered %d requests without a certificate", n)
	}
}

func TestTLSOptionErrors(t *testing.T) {
	s := nginx(t)
	cases := map[string]generator.TLSOptions{
		"missing certificate": {CertFile: s.ClientCert + ".missing", KeyFile: s.ClientKey},
		"mismatched key":      {CertFile: s.ClientCert, KeyFile: s.OtherKey},
		"certificate only":    {CertFile: s.ClientCert},
		"missing CA":          {Verify: true, CAFile: s.CA + ".missing"},
	}
	for name, o := range cases {
		_, err := transportRun(t, s.URL("https", s.TLS, "/"), 1, time.Second, generator.Transport{TLS: o})
		if !errors.Is(err, generator.ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
	// Verification against the wrong name fails before the run.
	_, err := transportRun(t, s.URL("https", s.TLS, "/"), 1, time.Second,
		generator.Transport{TLS: generator.TLSOptions{Verify: true, CAFile: s.CA, SNI: "elsewhere.test"}})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("wrong SNI with --verify: err = %v", err)
	}
	// TLS 1.2 at most: the server saw TLSv1.2.
	res, err := transportRun(t, s.URL("https", s.TLS, "/tls12"), 1, 200*time.Millisecond,
		generator.Transport{TLS: generator.TLSOptions{MaxVersion: tls.VersionTLS12}})
	if err != nil {
		t.Fatal(err)
	}
	entries := entriesFor(t, s, "/tls12")
	if n := testnginx.Count(entries, func(e testnginx.ProtocolEntry) bool { return e.TLS == "TLSv1.2" }); res.Requests == 0 || n != len(entries) {
		t.Errorf("%d of %d requests over TLSv1.2", n, len(entries))
	}
}

func TestSessionResumption(t *testing.T) {
	s := nginx(t)
	for _, noResume := range []bool{false, true} {
		path := "/close?resume"
		if noResume {
			path = "/close?noresume"
		}
		res, err := transportRun(t, s.URL("https", s.TLS, path), 1, 300*time.Millisecond,
			generator.Transport{TLS: generator.TLSOptions{NoResume: noResume}})
		if err != nil {
			t.Fatal(err)
		}
		entries := entriesFor(t, s, path)
		reused := testnginx.Count(entries, func(e testnginx.ProtocolEntry) bool { return e.Reused })
		if res.Requests < 3 || len(entries) < 3 {
			t.Fatalf("requests %d, logged %d", res.Requests, len(entries))
		}
		if noResume && reused != 0 || !noResume && reused < len(entries)-1 {
			t.Errorf("no-resume=%v: %d of %d handshakes resumed", noResume, reused, len(entries))
		}
	}
}

func TestProxy(t *testing.T) {
	s := nginx(t)
	origin := func(port int) string { return strings.TrimPrefix(s.URL("http", port, ""), "http://") }

	// http://: absolute-form requests, Basic credentials on each.
	p := testserver.StartProxy(t, origin(s.HTTP), false)
	pu, _ := url.Parse("http://user:secret@" + p.Addr)
	res, err := transportRun(t, s.URL("http", s.HTTP, "/proxied"), 2, 300*time.Millisecond, generator.Transport{Proxy: pu})
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, res, entriesFor(t, s, "/proxied"), "HTTP/1.1", 2)
	lines, auth := p.Seen()
	if len(lines) == 0 || lines[len(lines)-1] != "GET "+s.URL("http", s.HTTP, "/proxied")+" HTTP/1.1" || auth[len(auth)-1] != "Basic dXNlcjpzZWNyZXQ=" {
		t.Errorf("proxy saw %q with %q", lines, auth)
	}

	// https:// and HTTP/2: a CONNECT tunnel to the target.
	p = testserver.StartProxy(t, origin(s.H2), false)
	pu, _ = url.Parse("http://" + p.Addr)
	res, err = transportRun(t, s.URL("https", s.H2, "/tunnel"), 2, 300*time.Millisecond, generator.Transport{Proxy: pu, HTTP2: true})
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, res, entriesFor(t, s, "/tunnel"), "HTTP/2.0", 2)
	lines, _ = p.Seen()
	if want := "CONNECT " + origin(s.H2) + " HTTP/1.1"; len(lines) == 0 || lines[len(lines)-1] != want {
		t.Errorf("proxy saw %q, want %q", lines, want)
	}

	// A proxy that refuses the tunnel fails the run at once.
	p = testserver.StartProxy(t, origin(s.H2), true)
	pu, _ = url.Parse("http://" + p.Addr)
	_, err = transportRun(t, s.URL("https", s.H2, "/refused"), 2, time.Second, generator.Transport{Proxy: pu})
	var pe *generator.ProxyError
	if !errors.As(err, &pe) || pe.Status != "403 Forbidden" {
		t.Errorf("err = %v, want the proxy's 403", err)
	}
}

// h2load (nghttp2) is the reference HTTP/2 client: the server logs its
// requests as it logs gowrk's, and both read the same bytes per response.
func TestHTTP2AgainstH2load(t *testing.T) {
	h2load := testenv.Require(t, "h2load")
	s := nginx(t)
	const n = 400
	out, err := exec.Command(h2load, "-n", fmt.Sprint(n), "-c", "2", "-m", "4", s.URL("http", s.H2C, "/ref-h2load")).CombinedOutput()
	if err != nil {
		t.Fatalf("h2load: %v\n%s", err, out)
	}
	var succeeded, total int
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "requests: ") {
			fmt.Sscanf(line, "requests: %d total, %d started, %d done, %d succeeded", new(int), new(int), new(int), &succeeded)
		}
		if strings.HasPrefix(line, "traffic: ") {
			_, rest, _ := strings.Cut(line, "(")
			fmt.Sscanf(rest, "%d) total", &total)
		}
	}
	if succeeded != n || total == 0 {
		t.Fatalf("h2load: %d succeeded, %d bytes\n%s", succeeded, total, out)
	}
	res, err := transportRun(t, s.URL("http", s.H2C, "/ref-gowrk"), 2, 400*time.Millisecond,
		generator.Transport{HTTP2: true, Streams: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkServed(t, res, entriesFor(t, s, "/ref-gowrk"), "HTTP/2.0", 8)
	ref := entriesFor(t, s, "/ref-h2load")
	if h2 := testnginx.Count(ref, func(e testnginx.ProtocolEntry) bool { return e.Protocol == "HTTP/2.0" }); h2 != n {
		t.Errorf("server logged %d HTTP/2 requests from h2load, want %d", h2, n)
	}
	// Per response: the same HEADERS and DATA frames; connection set-up
	// (SETTINGS, WINDOW_UPDATE, GOAWAY) spreads over many more responses
	// in gowrk's run, so it may read a little less.
	perH2load := float64(total) / n
	perGowrk := float64(res.Bytes) / float64(res.Requests)
	if perGowrk > perH2load*1.02 || perGowrk < perH2load*0.9 {
		t.Errorf("bytes per response: gowrk %.1f, h2load %.1f", perGowrk, perH2load)
	}
}

// A server that takes HTTP/2 streams and never answers: each connection's
// pending streams time out, the connection is replaced, and the run ends on
// time.
func TestHTTP2Timeouts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer nc.Close(); _, _ = io.Copy(io.Discard, nc) }()
		}
	}()
	u, _ := url.Parse("http://" + ln.Addr().String() + "/")
	cfg := generator.Config{URL: u, Connections: 1, Threads: 1, Duration: time.Second, Timeout: 150 * time.Millisecond,
		Transport: generator.Transport{HTTP2: true, Streams: 2}}
	start := time.Now()
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("run took %v", took)
	}
	if res.Requests != 0 || res.Errors.Timeout < 2 || res.Errors.Timeout > 16 || res.Errors.Read != 0 {
		t.Errorf("requests %d, errors %+v; want only timeouts, two per expired connection", res.Requests, res.Errors)
	}
	if n := reasonCount(res, generator.ClassTimeout, "timeout"); n != res.Errors.Timeout {
		t.Errorf("%d timeouts have the reason \"timeout\", want all %d", n, res.Errors.Timeout)
	}
	if res.Connect.TCP.TotalCount() < 2 {
		t.Errorf("%d connections: a timed-out connection is replaced", res.Connect.TCP.TotalCount())
	}
}

// Scripted requests are sent as the script builds them, so through a
// proxy they go in a CONNECT tunnel even for http:// targets; over HTTP/2
// a response() hook sees every response.
func TestProxyScriptedHTTP2(t *testing.T) {
	s := nginx(t)
	origin := strings.TrimPrefix(s.URL("http", s.H2C, ""), "http://")
	p := testserver.StartProxy(t, origin, false)
	pu, _ := url.Parse("http://" + p.Addr)
	u, _ := url.Parse(s.URL("http", s.H2C, "/scripted"))
	script := &bodyScript{}
	cfg := generator.Config{URL: u, Connections: 2, Threads: 1, Duration: 300 * time.Millisecond, Script: script,
		Transport: generator.Transport{HTTP2: true, Streams: 2, Proxy: pu}}
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// bodyThread sends GET / with Host x.
	entries := testnginx.Count(s.Log(t), func(e testnginx.ProtocolEntry) bool { return e.URI == "/" && e.Host == "x" && e.Protocol == "HTTP/2.0" })
	if res.Requests == 0 || res.Errors.Socket() != 0 || script.bodies.Load() != int64(res.Requests) || entries < int(res.Requests) {
		t.Errorf("requests %d, errors %+v, hook saw %d, server %d", res.Requests, res.Errors, script.bodies.Load(), entries)
	}
	lines, _ := p.Seen()
	for _, l := range lines {
		if l != "CONNECT "+origin+" HTTP/1.1" {
			t.Errorf("proxy saw %q", l)
		}
	}
}
