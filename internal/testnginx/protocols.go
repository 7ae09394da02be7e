package testnginx

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/internal/testcert"
	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testserver"
)

// Protocols is a running nginx that speaks every protocol gowrk does.
type Protocols struct {
	// Ports: plain HTTP/1.1, h2c (prior knowledge), TLS HTTP/1.1 only, TLS
	// with h2 and http/1.1, TLS requiring a client certificate (h2 too).
	HTTP, H2C, TLS, H2, MTLS int
	// GoAway serves h2c and sends GOAWAY after every 20 requests on a
	// connection.
	GoAway int
	// Hang is the upstream behind paths ending in /hang: it takes requests
	// and never answers, so nginx logs 499 when the client gives up.
	Hang int
	// Unix is the path of a unix socket serving HTTP/1.1; UnixH2C one
	// serving h2c.
	Unix, UnixH2C string
	// CA is the PEM file of the CA that signed the server and client
	// certificates; ClientCert and ClientKey the client's pair;
	// OtherKey a key that matches neither certificate.
	CA, ClientCert, ClientKey, OtherKey string
	dir                                 string
}

// ProtocolEntry is one access-log line of a Protocols server.
type ProtocolEntry struct {
	Port     string // the port, or "unix"
	Protocol string // HTTP/1.1, HTTP/2.0
	Status   string
	Method   string
	URI      string
	Host     string
	TLS      string // TLS version, "" for plain text
	Reused   bool   // TLS session resumed
	Conn     string // nginx's serial number of the connection
}

// StartProtocols runs nginx until the test ends; it skips (or fails in CI)
// without nginx.
func StartProtocols(t testing.TB) *Protocols {
	t.Helper()
	bin := testenv.Require(t, "nginx")
	dir := t.TempDir()
	s := &Protocols{dir: dir}
	ports := freePorts(t, 6)
	s.HTTP, s.H2C, s.TLS, s.H2, s.MTLS, s.GoAway = ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]
	s.Unix = filepath.Join(dir, "h1.sock")
	s.UnixH2C = filepath.Join(dir, "h2c.sock")
	certs := testcert.Write(t, dir)
	s.CA, s.ClientCert, s.ClientKey, s.OtherKey = certs.CA, certs.ClientCert, certs.ClientKey, certs.OtherKey
	s.Hang = testserver.StartHang(t)
	for _, d := range []string{"logs", "tmp", "html"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "html", "ok.txt"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(config, s.HTTP, s.H2C, s.TLS, s.H2, s.MTLS, s.Unix, s.UnixH2C, s.GoAway, s.Hang)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	launch(t, bin, dir, filepath.Join(dir, "nginx.conf"), ports...)
	return s
}

// URL is scheme://127.0.0.1:port + path.
func (s *Protocols) URL(scheme string, port int, path string) string {
	return fmt.Sprintf("%s://127.0.0.1:%d%s", scheme, port, path)
}

// Log returns the access log so far.
func (s *Protocols) Log(t testing.TB) []ProtocolEntry {
	t.Helper()
	return s.readLog(t, "access")
}

// CaseLog returns the log of the requests under /m/n/.
func (s *Protocols) CaseLog(t testing.TB, n int) []ProtocolEntry {
	t.Helper()
	return s.readLog(t, fmt.Sprintf("m%d", n))
}

func (s *Protocols) readLog(t testing.TB, name string) []ProtocolEntry {
	f, err := os.Open(filepath.Join(s.dir, "logs", name+".log"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	defer f.Close()
	var out []ProtocolEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "|")
		if len(fs) != 9 {
			continue
		}
		port := fs[0]
		if port == "" {
			port = "unix"
		}
		tlsv := fs[6]
		if tlsv == "-" {
			tlsv = ""
		}
		out = append(out, ProtocolEntry{Port: port, Protocol: fs[1], Status: fs[2], Method: fs[3], URI: fs[4], Host: fs[5], TLS: tlsv, Reused: fs[7] == "r", Conn: fs[8]})
	}
	return out
}

// Count returns how many log entries match.
func Count(entries []ProtocolEntry, match func(ProtocolEntry) bool) int {
	n := 0
	for _, e := range entries {
		if match(e) {
			n++
		}
	}
	return n
}

// config is nginx 1.22's syntax ("listen ... http2"). One process, so
// killing it stops the server.
const config = `master_process off;
daemon off;
pid nginx.pid;
events { worker_connections 1024; }
http {
    log_format probe '$server_port|$server_protocol|$status|$request_method|$request_uri|$http_host|$ssl_protocol|$ssl_session_reused|$connection';
    # Requests under /m/N/ are case N's: logged apart, and served at most
    # 1000 a second each (delayed, not refused), so that a closed-loop run
    # logs a few thousand lines.
    map $request_uri $case_log { ~/m/(?<n>[0-9]+)/ m$n; default access; }
    map $request_uri $case_key { ~(?<c>/m/[0-9]+)/ $c; default ""; }
    limit_req_zone $case_key zone=cases:1m rate=1000r/s;
    access_log logs/$case_log.log probe;
    open_log_file_cache max=256 inactive=60s;
    client_body_temp_path tmp;
    proxy_temp_path tmp;
    fastcgi_temp_path tmp;
    uwsgi_temp_path tmp;
    scgi_temp_path tmp;
    keepalive_requests 1000000;
    ssl_certificate server.pem;
    ssl_certificate_key server.key;
    ssl_session_cache shared:tls:1m;
    ssl_session_tickets on;
    server {
        listen 127.0.0.1:%d;
        listen 127.0.0.1:%d http2;
        listen 127.0.0.1:%d ssl;
        listen 127.0.0.1:%d ssl http2;
        listen unix:%[6]s;
        listen unix:%[7]s http2;
        location = /close { keepalive_timeout 0; return 200 "bye"; }
        location = /hello.txt { default_type text/plain; return 200 "hello"; }
        location = /missing { return 404; }
        location ~ /err$ { limit_req zone=cases burst=100000; root html; try_files /none =503; }
        location ~ ^(/m/\d+)/redir$ { absolute_redirect off; return 302 $1/a; }
        location ~ /hang$ { proxy_pass http://127.0.0.1:%[9]d; proxy_read_timeout 300s; }
        location /m/ { limit_req zone=cases burst=100000; root html; default_type text/plain; try_files /ok.txt =404; }
        location / { default_type text/plain; return 200 "ok"; }
    }
    server {
        listen 127.0.0.1:%[5]d ssl http2;
        ssl_client_certificate ca.pem;
        ssl_verify_client on;
        location / { default_type text/plain; return 200 "mtls"; }
    }
    server {
        listen 127.0.0.1:%[8]d http2;
        keepalive_requests 20;
        location / { default_type text/plain; return 200 "ok"; }
    }
}
`
