package generator_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
)

func TestParseSourceAddrs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "127.0.0.2", want: []string{"127.0.0.2"}},
		{in: "127.0.0.2-127.0.0.5", want: []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"}},
		{in: "10.0.0.255-10.0.1.1", want: []string{"10.0.0.255", "10.0.1.0", "10.0.1.1"}},
		{in: "10.1.0.0/30", want: []string{"10.1.0.1", "10.1.0.2"}},
		{in: "10.1.0.7/30", want: []string{"10.1.0.5", "10.1.0.6"}},
		{in: "10.1.0.0/31", want: []string{"10.1.0.0", "10.1.0.1"}},
		{in: "10.1.0.9/32", want: []string{"10.1.0.9"}},
		{in: " 127.0.0.2 , 127.0.0.9", want: []string{"127.0.0.2", "127.0.0.9"}},
		{in: "::ffff:127.0.0.2", want: []string{"127.0.0.2"}},
		{in: "fd00::1-fd00::3", want: []string{"fd00::1", "fd00::2", "fd00::3"}},
		{in: "fd00::/127", want: []string{"fd00::", "fd00::1"}},
		{in: "", err: "want IPs, ranges"},
		{in: "127.0.0.2,", err: "want IPs, ranges"},
		{in: "127.0.0", err: `"127.0.0" is not an IP address`},
		{in: "fe80::1%eth0", err: "is not an IP address"},
		{in: "127.0.0.5-127.0.0.2", err: "does not go up"},
		{in: "127.0.0.1-::1", err: "does not go up within one family"},
		{in: "127.0.0.1-x", err: "is not a range of two IPs"},
		{in: "10.0.0.0/33", err: "is not a CIDR prefix"},
		{in: "127.0.0.2,::1", err: "different families"},
		{in: "127.0.0.2,127.0.0.1-127.0.0.3", err: "127.0.0.2 is given twice"},
		{in: "10.0.0.0/8", err: "more than 65536 addresses"},
		{in: "::/0", err: "more than 65536 addresses"},
	} {
		got, err := generator.ParseSourceAddrs(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v %v, want error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		var s []string
		for _, a := range got {
			s = append(s, a.String())
		}
		if err != nil || !slices.Equal(s, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.in, s, err, tc.want)
		}
	}
}

func sourceAddrs(t *testing.T, list string) []netip.Addr {
	t.Helper()
	a, err := generator.ParseSourceAddrs(list)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Connections spread evenly over the source addresses, and the check
// before the run comes from the first.
func TestSourceAddrsSpreadConnections(t *testing.T) {
	for _, tc := range []struct {
		name string
		h2   bool
	}{{name: "http1"}, {name: "h2c", h2: true}} {
		t.Run(tc.name, func(t *testing.T) {
			var srvURL string
			var peers func() map[string]int
			if tc.h2 {
				srv := testserver.StartH2C(t, false, func(int64, string) testserver.H2Reply { return testserver.H2Reply{Status: 200} })
				srvURL, peers = srv.URL, srv.Peers
			} else {
				srv := testserver.Start(t, false, answerFirst(0, testserver.OK))
				srvURL, peers = srv.URL, srv.Peers
			}
			cfg := config(t, srvURL+"/", 8, 2, 300*time.Millisecond)
			cfg.Transport = generator.Transport{HTTP2: tc.h2, SourceAddrs: sourceAddrs(t, "127.0.0.2-127.0.0.5")}
			res := run(t, cfg)
			if res.Errors.Connect != 0 {
				t.Errorf("connect errors %d", res.Errors.Connect)
			}
			got := peers()
			// The first also made the check before the run.
			want := map[string]int{"127.0.0.2": 3, "127.0.0.3": 2, "127.0.0.4": 2, "127.0.0.5": 2}
			if tc.h2 {
				want["127.0.0.2"]++ // and HTTP/2's preflight
			}
			if !mapsEqual(got, want) {
				t.Errorf("connections by source %v, want %v", got, want)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSourceAddrsRefused(t *testing.T) {
	srv := testserver.Start(t, false, answerFirst(0, testserver.OK))
	for _, tc := range []struct {
		name, list, want string
		unix             bool
	}{
		{name: "not this host's", list: "192.0.2.7", want: "source address 192.0.2.7: Cannot assign requested address"},
		{name: "other family", list: "::1", want: "--source-addrs are IPv6, the target 127.0.0.1 is not"},
		{name: "unix socket", list: "127.0.0.2", unix: true, want: "a unix socket has no source address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(t, srv.URL+"/", 2, 1, 200*time.Millisecond)
			cfg.Transport.SourceAddrs = sourceAddrs(t, tc.list)
			if tc.unix {
				cfg.Transport.UnixSocket = "/nonexistent.sock"
			}
			_, err := generator.Run(context.Background(), cfg)
			if err == nil || !errors.Is(err, generator.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want a configuration error with %q", err, tc.want)
			}
			if n := srv.Connections(); n != 0 {
				t.Errorf("%d connections made", n)
			}
		})
	}
}

// FuzzParseSourceAddrs: any input gives an error or a list of distinct
// addresses of one family, no zones, within the bound.
func FuzzParseSourceAddrs(f *testing.F) {
	for _, s := range []string{"127.0.0.2", "127.0.0.2-127.0.0.9", "10.0.0.0/24,10.0.1.1", "fd00::1-fd00::9", "::ffff:1.2.3.4/120", "1.2.3.4-", ",", "0.0.0.0/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := generator.ParseSourceAddrs(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: error of more than one line: %v", s, err)
			}
			return
		}
		if len(got) == 0 || len(got) > 1<<16 {
			t.Fatalf("%q: %d addresses", s, len(got))
		}
		seen := map[netip.Addr]bool{}
		for _, a := range got {
			if !a.IsValid() || a.Zone() != "" || a.Is4() != got[0].Is4() || a.Is4In6() || seen[a] {
				t.Fatalf("%q: %v", s, got)
			}
			seen[a] = true
		}
	})
}
