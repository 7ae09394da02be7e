package generator

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// maxSourceAddrs bounds a source address list, so that a wide CIDR
// ("::/64") is an error rather than a run that never starts.
const maxSourceAddrs = 1 << 16

// ParseSourceAddrs reads a list of source addresses: IPs, ranges
// ("127.0.0.2-127.0.0.9") and CIDR prefixes ("10.1.0.0/24", whose network
// and broadcast addresses are left out for IPv4), separated by commas. All
// are of one family, none twice.
func ParseSourceAddrs(s string) ([]netip.Addr, error) {
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	add := func(a netip.Addr) error {
		a = a.Unmap()
		if len(out) > 0 && a.Is4() != out[0].Is4() {
			return fmt.Errorf("%s and %s are of different families", out[0], a)
		}
		if seen[a] {
			return fmt.Errorf("%s is given twice", a)
		}
		if len(out) == maxSourceAddrs {
			return fmt.Errorf("more than %d addresses", maxSourceAddrs)
		}
		seen[a] = true
		out = append(out, a)
		return nil
	}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if err := parseSourceItem(item, add); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseSourceItem(item string, add func(netip.Addr) error) error {
	switch {
	case item == "":
		return errors.New("want IPs, ranges (127.0.0.2-127.0.0.9) or CIDR prefixes, separated by commas")
	case strings.Contains(item, "/"):
		p, err := netip.ParsePrefix(item)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR prefix", item)
		}
		p = p.Masked()
		first, last := p.Addr(), lastOf(p)
		if first.Is4() && p.Bits() < 31 {
			first, last = first.Next(), last.Prev()
		}
		return addRange(first, last, add)
	case strings.Contains(item, "-"):
		lo, hi, _ := strings.Cut(item, "-")
		first, err1 := netip.ParseAddr(strings.TrimSpace(lo))
		last, err2 := netip.ParseAddr(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil || first.Zone() != "" || last.Zone() != "" {
			return fmt.Errorf("%q is not a range of two IPs", item)
		}
		first, last = first.Unmap(), last.Unmap()
		if first.Is4() != last.Is4() || last.Less(first) {
			return fmt.Errorf("range %q does not go up within one family", item)
		}
		return addRange(first, last, add)
	default:
		a, err := netip.ParseAddr(item)
		if err != nil || a.Zone() != "" {
			return fmt.Errorf("%q is not an IP address", item)
		}
		return add(a)
	}
}

// addRange adds first..last; add refuses once there are too many.
func addRange(first, last netip.Addr, add func(netip.Addr) error) error {
	for a := first; ; a = a.Next() {
		if err := add(a); err != nil {
			return err
		}
		if a == last {
			return nil
		}
	}
}

// lastOf is the prefix's highest address.
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// sourceOf is the source address of the connection at place p of the
// run's connections (-1: none), so that connections spread evenly.
func sourceOf(sources []netip.Addr, p int) int {
	if len(sources) == 0 {
		return -1
	}
	return p % len(sources)
}

// reachableFrom keeps the target addresses of the source addresses'
// family (all without sources): a name with IPv4 and IPv6 addresses is
// reached over the family the sources can connect from.
func reachableFrom(sources []netip.Addr, addrs []net.Addr) ([]net.Addr, error) {
	if len(sources) == 0 {
		return addrs, nil
	}
	var kept []net.Addr
	for _, a := range addrs {
		ta, ok := a.(*net.TCPAddr)
		if !ok {
			return addrs, nil // a unix socket: refused with --source-addrs before
		}
		if d, _ := netip.AddrFromSlice(ta.IP); d.Unmap().Is4() == sources[0].Is4() {
			kept = append(kept, a)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("%w: --source-addrs are IPv%d, the target %s is not", ErrConfig, family(sources[0]), addrs[0].(*net.TCPAddr).IP)
	}
	return kept, nil
}

// checkSources refuses a run whose connections cannot all be made: a
// source address the host does not have, or more connections to one
// destination from one source address than there are ephemeral ports.
// conns are the TCP connections to dst (0 over QUIC, where connections
// share a UDP socket per source address).
func checkSources(sources []netip.Addr, dst net.Addr, conns int) error {
	if len(sources) > 0 {
		for _, a := range sources {
			ln, err := net.Listen("tcp", netip.AddrPortFrom(a, 0).String())
			if err != nil {
				return fmt.Errorf("%w: source address %s: %s", ErrConfig, a, describe(err))
			}
			ln.Close()
		}
	}
	if _, ok := dst.(*net.TCPAddr); !ok || conns == 0 {
		return nil
	}
	if lo, hi, ok := ephemeralPorts(); ok {
		return portsFit(conns, len(sources), dst, lo, hi)
	}
	return nil
}

// portsFit refuses conns connections to dst from n source addresses (0:
// the system's one) when one would need more than the lo-hi ports.
func portsFit(conns, n int, dst net.Addr, lo, hi int) error {
	n = max(n, 1)
	ports := hi - lo + 1
	if per := (conns + n - 1) / n; per > ports {
		need := (conns + ports - 1) / ports
		return fmt.Errorf("%w: %d connections to %s need %d from each of %d source addresses, and the %d ephemeral ports (%d-%d) allow %d: give %d or more (--source-addrs)",
			ErrConfig, conns, dst, per, n, ports, lo, hi, ports, need)
	}
	return nil
}

func family(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}
