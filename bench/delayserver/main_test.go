//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

func TestParseDelay(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"GET /1ms HTTP/1.1\r\nHost: x":   time.Millisecond,
		"GET /250us HTTP/1.1":            250 * time.Microsecond,
		"GET / HTTP/1.1":                 0,
		"GET /-5ms HTTP/1.1":             0,
		"garbage":                        0,
		"GET /10ms?x=1 HTTP/1.1\r\n\r\n": 0,
	} {
		if got := parseDelay([]byte(in)); got != want {
			t.Errorf("parseDelay(%q) = %v, want %v", in, got, want)
		}
	}
}

// Replies come in request order on a connection, none before its delay.
func TestRepliesAfterTheDelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	go func() { _ = run(addr) }()
	var c net.Conn
	for range 100 {
		if c, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for _, d := range []time.Duration{20 * time.Millisecond, 0, 5 * time.Millisecond} {
		start := time.Now()
		if _, err := c.Write([]byte("GET /" + d.String() + " HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, len(response))
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		if string(buf) != string(response) {
			t.Errorf("response %q", buf)
		}
		if elapsed := time.Since(start); elapsed < d {
			t.Errorf("/%v answered after %v", d, elapsed)
		}
	}
}
