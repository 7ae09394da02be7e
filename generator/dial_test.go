package generator_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
)

// https targets are reached with SNI and without certificate checks, as wrk
// does: the test server's certificate is self-signed.
func TestHTTPSWithSNI(t *testing.T) {
	var served atomic.Int64
	var sni atomic.Value
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		sni.Store(h.ServerName)
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	res := run(t, config(t, url+"/", 2, 1, 500*time.Millisecond))
	if res.Requests == 0 || res.Errors.Socket() != 0 {
		t.Fatalf("requests %d errors %+v", res.Requests, res.Errors)
	}
	if got := uint64(served.Load()); got < res.Requests {
		t.Errorf("server served %d, gowrk counted %d", got, res.Requests)
	}
	if got, _ := sni.Load().(string); got != "localhost" {
		t.Errorf("SNI = %q, want localhost", got)
	}
}

func TestTooManyConnectionsForTheFileLimit(t *testing.T) {
	_, err := generator.Run(context.Background(), config(t, "http://127.0.0.1:1/", 1<<30, 1, time.Second))
	if !errors.Is(err, generator.ErrConfig) || !strings.Contains(err.Error(), "open files") {
		t.Errorf("err = %v, want a clear open-files message", err)
	}
}
