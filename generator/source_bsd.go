//go:build darwin || freebsd

package generator

import "syscall"

// ephemeralPorts is the range the kernel picks a connection's local port
// from.
func ephemeralPorts() (lo, hi int, ok bool) {
	first, err1 := syscall.SysctlUint32("net.inet.ip.portrange.first")
	last, err2 := syscall.SysctlUint32("net.inet.ip.portrange.last")
	if err1 != nil || err2 != nil || first > last {
		return 0, 0, false
	}
	return int(first), int(last), true
}

// bindNoPort has nothing to set: bind picks the port, free for every
// destination, so each source address holds up to the range's connections.
func bindNoPort(uintptr) error { return nil }
