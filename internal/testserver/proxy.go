package testserver

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// Proxy is an HTTP proxy for tests: CONNECT tunnels and absolute-form
// requests, both to one origin, whatever they ask for. It records the
// first line and the credentials of each connection and pipes bytes.
type Proxy struct {
	// Addr is host:port.
	Addr   string
	ln     net.Listener
	refuse bool
	mu     sync.Mutex
	lines  []string
	auth   []string
}

// StartProxy starts a proxy to origin (host:port) until the test ends;
// refuse makes it answer every CONNECT with 403.
func StartProxy(t testing.TB, origin string, refuse bool) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, refuse: refuse, Addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(nc, origin)
		}
	}()
	return p
}

func (p *Proxy) serve(nc net.Conn, origin string) {
	defer nc.Close()
	br := bufio.NewReader(nc)
	var head []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		head = append(head, line)
		if line == "\r\n" {
			break
		}
	}
	auth := ""
	for _, h := range head {
		if v, ok := strings.CutPrefix(h, "Proxy-Authorization: "); ok {
			auth = strings.TrimSpace(v)
		}
	}
	p.mu.Lock()
	p.lines = append(p.lines, strings.TrimSpace(head[0]))
	p.auth = append(p.auth, auth)
	p.mu.Unlock()
	tunnel := strings.HasPrefix(head[0], "CONNECT ")
	if tunnel && p.refuse {
		_, _ = io.WriteString(nc, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		return
	}
	up, err := net.Dial("tcp", origin)
	if err != nil {
		return
	}
	defer up.Close()
	if tunnel {
		_, _ = io.WriteString(nc, "HTTP/1.1 200 Connection established\r\n\r\n")
	} else {
		_, _ = io.WriteString(up, strings.Join(head, ""))
	}
	go func() { _, _ = io.Copy(up, br); up.Close() }()
	_, _ = io.Copy(nc, up)
}

// Seen returns the first line and the credentials of every connection so
// far.
func (p *Proxy) Seen() (lines, auth []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...), append([]string(nil), p.auth...)
}
