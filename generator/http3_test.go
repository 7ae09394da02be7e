package generator_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quic-go/quic-go"
	"github.com/quic-go/quic-go/http3"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testcaddy"
	"github.com/gowrk/gowrk/internal/testcert"
)

// h3Server is quic-go's HTTP/3 server in the test's process, for faults
// Caddy does not make.
type h3Server struct {
	srv      *http3.Server
	url      string
	requests atomic.Int64
}

func startH3(t *testing.T, handler func(n int64, w http.ResponseWriter, r *http.Request)) *h3Server {
	t.Helper()
	return startH3With(t, nil, handler)
}

// startH3With lets configure adjust the server before it serves.
func startH3With(t *testing.T, configure func(*http3.Server), handler func(n int64, w http.ResponseWriter, r *http.Request)) *h3Server {
	t.Helper()
	certs := testcert.Write(t, t.TempDir())
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &h3Server{url: "https://" + udp.LocalAddr().String()}
	s.srv = &http3.Server{
		TLSConfig: http3.ConfigureTLSConfig(&tls.Config{Certificates: []tls.Certificate{certs.Server(t)}}),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handler(s.requests.Add(1), w, r)
		}),
	}
	if configure != nil {
		configure(s.srv)
	}
	go func() { _ = s.srv.Serve(udp) }()
	t.Cleanup(func() { s.srv.Close(); udp.Close() })
	return s
}

func h3Config(t *testing.T, rawURL string, conns, streams int, d time.Duration) generator.Config {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return generator.Config{URL: u, Connections: conns, Threads: 2, Duration: d, Timeout: time.Second,
		Transport: generator.Transport{HTTP3: true, Streams: streams}}
}

// HTTP/3 against Caddy: every request in its log as HTTP/3.0, the counts
// gowrk's, one QUIC handshake per connection.
func TestHTTP3AgainstCaddy(t *testing.T) {
	s := testcaddy.Start(t)
	cfg := h3Config(t, s.URL("/h3/a"), 4, 2, 500*time.Millisecond)
	cfg.ByEndpoint = true
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := s.Log(t)
	var h3, other int
	for _, e := range log {
		if e.URI != "/h3/a" {
			continue
		}
		if e.Proto == "HTTP/3.0" && e.Status == 200 {
			h3++
		} else {
			other++
		}
	}
	if res.Requests == 0 || uint64(h3) < res.Requests || uint64(h3) > res.Sent || other != 0 || res.Errors.Socket() != 0 {
		t.Errorf("caddy logged %d HTTP/3 requests (%d other); gowrk %d responses of %d sent, errors %+v", h3, other, res.Requests, res.Sent, res.Errors)
	}
	if res.Engine != generator.EngineGoroutine || res.Connect.QUIC == nil || res.Connect.QUIC.TotalCount() != 4 || res.Connect.TCP != nil {
		t.Errorf("engine %v, QUIC handshakes %v, TCP %v", res.Engine, res.Connect.QUIC, res.Connect.TCP)
	}
	if len(res.Endpoints) != 1 || res.Endpoints[0].Name != "GET /h3/a" || res.Endpoints[0].Requests != res.Requests {
		t.Errorf("endpoints %+v", res.Endpoints)
	}
}

// A server that answers the first n requests and then none: exactly n
// responses, and timeouts after.
func TestHTTP3ExactCountsAndTimeouts(t *testing.T) {
	s := startH3(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		if n > 300 {
			<-r.Context().Done()
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	cfg := h3Config(t, s.url+"/", 2, 2, 1500*time.Millisecond)
	cfg.Timeout = 300 * time.Millisecond
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 300 || res.StatusCodes[200] != 300 || res.Errors.Timeout < 4 || res.Errors.Read+res.Errors.Reset+res.Errors.Connect != 0 {
		t.Errorf("requests %d, errors %+v; want 300 and timeouts", res.Requests, res.Errors)
	}
}

// Streams the server resets are errors of their own class; the connection
// goes on.
func TestHTTP3StreamResets(t *testing.T) {
	s := startH3(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		if n%2 == 0 {
			panic(http.ErrAbortHandler)
		}
		_, _ = w.Write([]byte("ok"))
	})
	res, err := generator.Run(context.Background(), h3Config(t, s.url+"/", 2, 1, 500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors.Reset == 0 || res.Errors.Read+res.Errors.Timeout != 0 || res.Connect.QUIC.TotalCount() != 2 {
		t.Errorf("requests %d, errors %+v, handshakes %d", res.Requests, res.Errors, res.Connect.QUIC.TotalCount())
	}
	if diff := int64(res.Requests) - int64(res.Errors.Reset); diff < -2 || diff > 2 {
		t.Errorf("%d responses and %d resets, want as many of each", res.Requests, res.Errors.Reset)
	}
}

// A server that goes away mid-run (GOAWAY, then gone): the run counts what
// failed, reconnects with back-off, and ends on time.
func TestHTTP3ServerGone(t *testing.T) {
	s := startH3(t, func(_ int64, w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	go func() {
		time.Sleep(300 * time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
		s.srv.Close()
	}()
	start := time.Now()
	cfg := h3Config(t, s.url+"/", 2, 2, 1500*time.Millisecond)
	cfg.Timeout = 300 * time.Millisecond
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2500*time.Millisecond {
		t.Errorf("run took %v", took)
	}
	if res.Requests == 0 || res.Errors.Connect == 0 {
		t.Errorf("requests %d, errors %+v; want responses, then connect errors", res.Requests, res.Errors)
	}
}

// Bad input is one line before the run.
func TestHTTP3Refusals(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		tr   generator.Transport
		want string
	}{
		{"http://127.0.0.1:1/", generator.Transport{HTTP3: true}, "HTTP/3 needs an https:// URL"},
		{"https://127.0.0.1:1/", generator.Transport{HTTP3: true, HTTP2: true}, "not both"},
		{"https://127.0.0.1:1/", generator.Transport{HTTP3: true, UnixSocket: "/x"}, "not a unix socket"},
	} {
		cfg := h3Config(t, tc.raw, 2, 1, time.Second)
		cfg.Transport = tc.tr
		if _, err := generator.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, generator.ErrConfig) {
			t.Errorf("%+v: %v, want %q", tc.tr, err, tc.want)
		}
	}
	cfg := h3Config(t, "https://127.0.0.1:1/", 2, 1, time.Second)
	cfg.Engine = generator.EngineLoop
	if _, err := generator.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "cannot run HTTP/3") {
		t.Errorf("loop engine: %v", err)
	}
	// Nothing answers on the UDP port: one line, within the timeout.
	cfg = h3Config(t, "https://127.0.0.1:1/", 2, 1, time.Second)
	cfg.Timeout = 300 * time.Millisecond
	start := time.Now()
	if _, err := generator.Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "over QUIC") || time.Since(start) > 2*time.Second {
		t.Errorf("no server: %v after %v", err, time.Since(start))
	}
}

// The QUIC connections spread over the source addresses; the streams of
// one come from its address.
func TestHTTP3SourceAddrs(t *testing.T) {
	var mu sync.Mutex
	from := map[string]int{}
	s := startH3(t, func(_ int64, w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		mu.Lock()
		from[host]++
		mu.Unlock()
		_, _ = w.Write([]byte("ok"))
	})
	cfg := h3Config(t, s.url+"/", 4, 2, 300*time.Millisecond)
	cfg.Transport.SourceAddrs = sourceAddrs(t, "127.0.0.2,127.0.0.3")
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(from) != 2 || from["127.0.0.2"] == 0 || from["127.0.0.3"] == 0 || uint64(from["127.0.0.2"]+from["127.0.0.3"]) < res.Requests {
		t.Errorf("requests by source %v, %d counted", from, res.Requests)
	}
	if res.Connect.QUIC.TotalCount() != 4 {
		t.Errorf("%d QUIC handshakes, want 4", res.Connect.QUIC.TotalCount())
	}
}

type quicConnKey struct{}

// Reconnections resume the session with 0-RTT where the server allows it,
// and never with NoResume.
func TestHTTP3ZeroRTT(t *testing.T) {
	s := startH3With(t, func(srv *http3.Server) {
		srv.QUICConfig = &quic.Config{Allow0RTT: true}
		srv.ConnContext = func(ctx context.Context, c *quic.Conn) context.Context {
			return context.WithValue(ctx, quicConnKey{}, c)
		}
	}, func(n int64, w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
		if n%20 == 0 {
			// Every 20th request ends its connection, so the client dials
			// again, with the session ticket it holds by then.
			w.(http.Flusher).Flush()
			_ = r.Context().Value(quicConnKey{}).(*quic.Conn).CloseWithError(0, "")
		}
	})
	for _, noResume := range []bool{false, true} {
		cfg := h3Config(t, s.url+"/", 8, 1, 600*time.Millisecond)
		cfg.Transport.TLS.NoResume = noResume
		res, err := generator.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		handshakes := res.Connect.QUIC.TotalCount()
		t.Logf("NoResume %v: %d handshakes, %d with 0-RTT, %d requests", noResume, handshakes, res.Connect.ZeroRTT, res.Requests)
		if handshakes < 4 {
			t.Fatalf("NoResume %v: %d handshakes, want reconnections", noResume, handshakes)
		}
		if noResume && res.Connect.ZeroRTT != 0 {
			t.Errorf("NoResume: %d of %d connections used 0-RTT", res.Connect.ZeroRTT, handshakes)
		}
		// The first connections had no ticket yet; most later ones do.
		if !noResume && (res.Connect.ZeroRTT == 0 || res.Connect.ZeroRTT+uint64(cfg.Connections) < uint64(handshakes)) {
			t.Errorf("%d of %d connections used 0-RTT", res.Connect.ZeroRTT, handshakes)
		}
	}
}
