package generator

import (
	"net"
	"net/netip"
	"strings"
	"testing"
)

func TestPortsFit(t *testing.T) {
	dst := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}
	for _, tc := range []struct {
		conns, sources int
		refused        string
	}{
		{conns: 100, sources: 0},
		{conns: 100, sources: 1},
		{conns: 101, sources: 0, refused: "101 connections to 127.0.0.1:80 need 101 from each of 1 source addresses, and the 100 ephemeral ports (1000-1099) allow 100: give 2 or more"},
		{conns: 400, sources: 4},
		{conns: 401, sources: 4, refused: "need 101 from each of 4 source addresses"},
		{conns: 100000, sources: 4, refused: "give 1000 or more"},
	} {
		err := portsFit(tc.conns, tc.sources, dst, 1000, 1099)
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%d over %d: %v", tc.conns, tc.sources, err)
		case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused) || strings.Contains(err.Error(), "\n")):
			t.Errorf("%d over %d: %v, want one line with %q", tc.conns, tc.sources, err, tc.refused)
		}
	}
}

func TestSourceOfSpreadsEvenly(t *testing.T) {
	if got := sourceOf(nil, 5); got != -1 {
		t.Errorf("no sources: %d, want -1", got)
	}
	sources := make([]int, 3)
	for p := range 10 {
		sources[sourceOf(make([]netip.Addr, 3), p)]++
	}
	if sources[0] != 4 || sources[1] != 3 || sources[2] != 3 {
		t.Errorf("10 connections over 3 sources: %v", sources)
	}
}

// A name with addresses of both families is reached over the sources'.
func TestReachableFromKeepsTheSourcesFamily(t *testing.T) {
	v6 := &net.TCPAddr{IP: net.ParseIP("::1"), Port: 80}
	v4 := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 80}
	got, err := reachableFrom([]netip.Addr{netip.MustParseAddr("127.0.0.2")}, []net.Addr{v6, v4})
	if err != nil || len(got) != 1 || got[0] != v4 {
		t.Fatalf("got %v, %v; want [%v]", got, err, v4)
	}
	if got, _ := reachableFrom(nil, []net.Addr{v6, v4}); len(got) != 2 {
		t.Errorf("without sources kept %v, want both", got)
	}
	_, err = reachableFrom([]netip.Addr{netip.MustParseAddr("::2")}, []net.Addr{v4})
	if err == nil || !strings.Contains(err.Error(), "--source-addrs are IPv6, the target 127.0.0.1 is not") {
		t.Errorf("err = %v", err)
	}
}
