package cli

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/internal/testnginx"
)

// oneLine checks a run that must not start: exit 1, one line on stderr
// containing want, nothing on stdout.
func oneLine(t *testing.T, want string, args ...string) {
	t.Helper()
	code, stdout, stderr := runMain(args...)
	if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) || stackTrace.MatchString(stderr) {
		t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", args, code, stdout, stderr, want)
	}
}

func TestTransportFlagErrors(t *testing.T) {
	cases := map[string][]string{
		"needs --http2":                  {"--streams", "4", "http://127.0.0.1:1/"},
		"want auto, loop":                {"--engine", "epoll", "http://127.0.0.1:1/"},
		"the loop engine cannot run TLS": {"--engine", "loop", "https://127.0.0.1:1/"},
		"need an https:// ":              {"--verify", "http://127.0.0.1:1/"},
		"go together":                    {"--cert", "a.pem", "https://127.0.0.1:1/"},
		"--cacert needs":                 {"--cacert", "ca.pem", "https://127.0.0.1:1/"},
		"TLS version":                    {"--tls-min", "1.4", "https://127.0.0.1:1/"},
		"above --tls-max":                {"--tls-min", "1.3", "--tls-max", "1.2", "https://127.0.0.1:1/"},
		"http:// proxy URL":              {"--proxy", "socks5://127.0.0.1:1", "http://127.0.0.1:1/"},
		"cannot be used":                 {"--proxy", "http://127.0.0.1:1", "--unix-socket", "/x", "http://127.0.0.1:1/"},
		"streams from 1":                 {"--http2", "--streams", "0", "http://127.0.0.1:1/"},
		"unable to connect":              {"--unix-socket", "/nonexistent/gowrk.sock", "http://127.0.0.1/"},
	}
	for want, args := range cases {
		oneLine(t, want, args...)
	}
}

func TestTransportRunErrors(t *testing.T) {
	s := testnginx.StartProtocols(t)
	tlsURL := s.URL("https", s.TLS, "/")
	oneLine(t, "does not offer HTTP/2", "-d", "1", "-c", "1", "-t", "1", "--http2", tlsURL)
	oneLine(t, "client certificate", "-d", "1", "-c", "1", "-t", "1", "--cert", s.ClientCert+".missing", "--key", s.ClientKey, tlsURL)
	oneLine(t, "private key does not match", "-d", "1", "-c", "1", "-t", "1", "--cert", s.ClientCert, "--key", s.OtherKey, tlsURL)
	oneLine(t, "certificate", "-d", "1", "-c", "1", "-t", "1", "--verify", tlsURL)

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
			go func() {
				defer nc.Close()
				br := bufio.NewReader(nc)
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				io.WriteString(nc, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
			}()
		}
	}()
	oneLine(t, "refused CONNECT: 407", "-d", "1", "-c", "1", "-t", "1", "--proxy", "http://"+ln.Addr().String(), tlsURL)
}

func TestHTTP2Script(t *testing.T) {
	s := testnginx.StartProtocols(t)
	script := filepath.Join(t.TempDir(), "h2.lua")
	// request() builds HTTP/1.1 bytes with a body; response() checks what
	// the HTTP/2 response looks like and done() prints the tallies.
	lua := `
local seen, bad = 0, 0
request = function()
  return wrk.format("POST", "/h2script", {["Content-Type"] = "text/plain"}, "payload")
end
response = function(status, headers, body)
  if status == 200 and body == "ok" and headers["content-type"] == "text/plain" then
    seen = seen + 1
  else
    bad = bad + 1
    print(status, body, headers["content-type"])
  end
end
done = function(summary, latency, requests)
  io.write(string.format("done %d\n", summary.requests))
end
`
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain("-d", "1", "-c", "2", "-t", "1", "--http2", "--streams", "4", "--connect-times", "-s", script, s.URL("https", s.H2, "/"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var done int
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "done ") {
			fmt.Sscanf(line, "done %d", &done)
		}
		if strings.HasPrefix(line, "200") || strings.Contains(line, "nil") {
			t.Errorf("response() saw %q", line)
		}
	}
	entries := s.Log(t)
	posts := testnginx.Count(entries, func(e testnginx.ProtocolEntry) bool {
		return e.URI == "/h2script" && e.Method == "POST" && e.Protocol == "HTTP/2.0" && e.Status == "200"
	})
	if done == 0 || posts < done || posts > done+8 {
		t.Errorf("gowrk counted %d, server answered %d HTTP/2 POSTs", done, posts)
	}
	for _, want := range []string{"  Connect Timing", "    TCP", "    TLS", "    DNS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--connect-times: no %q in\n%s", want, stdout)
		}
	}
}
