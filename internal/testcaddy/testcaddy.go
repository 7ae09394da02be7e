// Package testcaddy starts Caddy for tests: HTTPS with HTTP/1.1, HTTP/2 and
// HTTP/3 on one port (TCP and UDP), logging every request as JSON. Paths
// ending in /err answer 503, those ending in /hang go to an upstream that
// never answers; every other path answers 200 "ok".
package testcaddy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testcert"
	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testserver"
)

// Server is a running Caddy.
type Server struct {
	// Port serves https on TCP and UDP.
	Port int
	// CA is the PEM file of the CA that signed the server's certificate.
	CA  string
	dir string
}

// Entry is one logged request.
type Entry struct {
	Proto  string // HTTP/1.1, HTTP/2.0, HTTP/3.0
	Status int
	Method string
	URI    string
}

// URL is https://localhost:port + path.
func (s *Server) URL(path string) string { return fmt.Sprintf("https://localhost:%d%s", s.Port, path) }

// Start runs Caddy until the test ends; it skips (or fails in CI) without
// caddy.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := testenv.Require(t, "caddy")
	dir := t.TempDir()
	certs := testcert.Write(t, dir)
	s := &Server{dir: dir, CA: certs.CA, Port: freeUDPAndTCPPort(t)}
	conf := fmt.Sprintf(`{
	admin off
	auto_https off
	default_sni localhost
	servers {
		protocols h1 h2 h3
	}
}
:%d {
	tls %s %s
	log {
		output file %s
		format json
	}
	# route keeps the order written: Caddy would otherwise run respond
	# before reverse_proxy.
	route {
		@err path */err
		respond @err "no" 503
		@hang path */hang
		reverse_proxy @hang 127.0.0.1:%d
		respond "ok"
	}
}
`, s.Port, certs.ServerCert, certs.ServerKey, filepath.Join(dir, "access.log"), testserver.StartHang(t))
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", path, "--adapter", "caddyfile")
	// Caddy keeps its state under HOME and the XDG directories.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	out, err := os.Create(filepath.Join(dir, "caddy.out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	// Closed after the stop, which Start registers later and so runs first.
	t.Cleanup(func() { out.Close() })
	done := testenv.Start(t, "caddy", cmd)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port), time.Second)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "caddy.out"))
			t.Fatalf("caddy exited:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("caddy did not start listening: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Log returns the requests logged so far.
func (s *Server) Log(t testing.TB) []Entry {
	t.Helper()
	f, err := os.Open(filepath.Join(s.dir, "access.log"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Status  int `json:"status"`
			Request struct {
				Proto  string `json:"proto"`
				Method string `json:"method"`
				URI    string `json:"uri"`
			} `json:"request"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Request.Method == "" {
			continue
		}
		out = append(out, Entry{Proto: line.Request.Proto, Status: line.Status, Method: line.Request.Method, URI: line.Request.URI})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// freeUDPAndTCPPort returns a port free for both.
func freeUDPAndTCPPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		udp, err := net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		ln.Close()
		if err == nil {
			udp.Close()
			return port
		}
	}
	t.Fatal("no port free for TCP and UDP")
	return 0
}
