// Package testnginx starts nginx for tests, as a private instance under a
// scratch prefix on free loopback ports, so it runs without root: Start
// serves plain HTTP/1.1 with locations a test adds and logs each request's
// method, path, X-Test header and body; StartProtocols serves every protocol
// gowrk speaks (h2c, TLS with and without h2, client certificates, unix
// sockets) and logs what each connection negotiated.
package testnginx

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testenv"
)

// Server is a running nginx.
type Server struct {
	// URL is "http://127.0.0.1:port".
	URL string
	dir string
}

// Entry is one logged request.
type Entry struct {
	Method, Path, Header, Body string
}

// Start runs nginx until the test ends. locations is added to the server
// block, e.g. `location /down { return 503; }`; every other path answers
// 200. A location that proxies to $sink logs the request body, which
// nginx reads only to pass it on: `location /echo { proxy_pass $sink; }`,
// $sink standing for a second server's URL, without a path.
func Start(t testing.TB, locations string) *Server {
	t.Helper()
	bin := testenv.Require(t, "nginx")
	dir := t.TempDir()
	// nginx's workers run as another user when started as root.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"tmp", "logs"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o777); err != nil {
			t.Fatal(err)
		}
	}
	ports := freePorts(t, 2)
	port, sinkPort := ports[0], ports[1]
	sink := fmt.Sprintf("http://127.0.0.1:%d", sinkPort)
	conf := fmt.Sprintf(`worker_processes 1;
daemon off;
error_log stderr crit;
pid nginx.pid;
events { worker_connections 1024; }
http {
    log_format t escape=json '$request_method\t$uri\t$http_x_test\t$request_body';
    access_log logs/access.log t;
    client_body_temp_path tmp;
    proxy_temp_path tmp;
    fastcgi_temp_path tmp;
    uwsgi_temp_path tmp;
    scgi_temp_path tmp;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:%d;
        %s
        location / {
            default_type text/plain;
            return 200 "ok\n";
        }
    }
    server {
        listen 127.0.0.1:%d;
        access_log off;
        location / { return 200 "ok\n"; }
    }
}
`, port, strings.ReplaceAll(locations, "$sink", sink), sinkPort)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	launch(t, bin, dir, confPath, port)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	return &Server{URL: "http://" + addr, dir: dir}
}

// launch starts nginx with conf under the prefix dir, stops it when the test
// ends, and waits until it listens on every port.
func launch(t testing.TB, bin, dir, conf string, ports ...int) {
	t.Helper()
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "logs", "error.log"))
	done := testenv.Start(t, "nginx", cmd)
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ports {
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-done:
				log, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
				t.Fatalf("nginx exited before listening on %s:\n%s", addr, log)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("nginx did not start listening on %s: %v", addr, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// freePorts returns n distinct free loopback ports: they are all held
// open together while picked, so that none is handed out twice.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// Log is the requests logged so far. nginx writes a request's line once
// it has answered it.
func (s *Server) Log(t testing.TB) []Entry {
	t.Helper()
	f, err := os.Open(filepath.Join(s.dir, "logs", "access.log"))
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
		parts := strings.SplitN(sc.Text(), "\t", 4)
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		out = append(out, Entry{Method: parts[0], Path: parts[1], Header: unescape(parts[2]), Body: unescape(parts[3])})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// unescape undoes escape=json for the quotes and backslashes tests use.
func unescape(s string) string {
	return strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\n`, "\n").Replace(s)
}
