package generator

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ephemeralPorts is the range the kernel picks a connection's local port
// from, for each source address and destination.
func ephemeralPorts() (lo, hi int, ok bool) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscan(string(b), &lo, &hi); err != nil || lo > hi {
		return 0, 0, false
	}
	return lo, hi, true
}

// bindNoPort lets bind take a source address and leave the port to
// connect, which picks one free for the whole 4-tuple: without it, bind
// picks a port free for every destination and one source address holds
// no more connections than there are ephemeral ports in all.
func bindNoPort(fd uintptr) error {
	return unix.SetsockoptInt(int(fd), syscall.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
}
