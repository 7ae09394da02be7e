package generator_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testserver"
)

// netnsChild marks the test binary run inside a network namespace of its
// own, whose ephemeral port range is netnsPorts.
const (
	netnsChild = "GOWRK_TEST_NETNS"
	netnsPorts = "40000 40063"
)

// In a network namespace with 64 ephemeral ports, connections over source
// addresses go past what one address holds, ports are picked per 4-tuple
// (IP_BIND_ADDRESS_NO_PORT), and a -c that cannot fit is refused.
func TestSourceAddrsBeyondOneAddressPorts(t *testing.T) {
	testenv.RequireRoot(t)
	unshare := testenv.Require(t, "unshare")
	ip := testenv.Require(t, "ip")
	script := fmt.Sprintf(`%s link set lo up && echo %s > /proc/sys/net/ipv4/ip_local_port_range && exec "$@"`, ip, netnsPorts)
	cmd := exec.Command(unshare, "--net", "--", "sh", "-c", script, "sh", os.Args[0], "-test.run=^TestSourceAddrsInNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), netnsChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestSourceAddrsInNamespace") {
		t.Fatalf("in a network namespace: %v\n%s", err, out)
	}
}

func TestSourceAddrsInNamespace(t *testing.T) {
	if os.Getenv(netnsChild) == "" {
		t.Skip("runs inside TestSourceAddrsBeyondOneAddressPorts")
	}
	srv := testserver.Start(t, false, answerFirst(0, testserver.OK))
	other := testserver.Start(t, false, answerFirst(0, testserver.OK))
	// 60 connections from 127.0.0.2 to another port leave it 2 ports for
	// any other destination, unless ports are picked per 4-tuple.
	hold := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		_ = rc.Control(func(fd uintptr) {
			err = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
		})
		return err
	}}
	for range 60 {
		c, err := hold.Dial("tcp", other.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}

	cfg := config(t, srv.URL+"/", 200, 2, 500*time.Millisecond)
	cfg.Transport.SourceAddrs = sourceAddrs(t, "127.0.0.2-127.0.0.5")
	res := run(t, cfg)
	if res.Errors.Connect != 0 {
		t.Errorf("%d connect errors", res.Errors.Connect)
	}
	// 127.0.0.2 also made the check before the run.
	want := map[string]int{"127.0.0.2": 51, "127.0.0.3": 50, "127.0.0.4": 50, "127.0.0.5": 50}
	if got := srv.Peers(); !mapsEqual(got, want) {
		t.Errorf("connections by source %v, want %v", got, want)
	}

	for _, tc := range []struct {
		conns   int
		sources string
		want    string
	}{
		{300, "127.0.0.2-127.0.0.5", "300 connections to " + srv.Addr + " need 75 from each of 4 source addresses, and the 64 ephemeral ports (40000-40063) allow 64: give 5 or more (--source-addrs)"},
		{65, "", "need 65 from each of 1 source addresses"},
	} {
		cfg := config(t, srv.URL+"/", tc.conns, 2, 500*time.Millisecond)
		if tc.sources != "" {
			cfg.Transport.SourceAddrs = sourceAddrs(t, tc.sources)
		}
		before := srv.Connections()
		_, err := generator.Run(context.Background(), cfg)
		if err == nil || !errors.Is(err, generator.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("-c %d over %q: %v, want %q", tc.conns, tc.sources, err, tc.want)
		}
		if n := srv.Connections() - before; n != 0 {
			t.Errorf("-c %d over %q: %d connections made before the refusal", tc.conns, tc.sources, n)
		}
	}
}
