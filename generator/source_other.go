//go:build !linux && !darwin && !freebsd

package generator

// ephemeralPorts is Windows' default dynamic port range (IANA's); it may
// have been changed (netsh int ipv4 show dynamicport tcp).
func ephemeralPorts() (lo, hi int, ok bool) { return 49152, 65535, true }

// bindNoPort has nothing to set: bind picks the port.
func bindNoPort(uintptr) error { return nil }
