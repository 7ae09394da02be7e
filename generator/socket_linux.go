package generator

import (
	"errors"
	"net"
	"net/netip"
	"syscall"
	"unsafe"
)

// The event loop's socket calls on Linux (see poller.go).

// endpoint is a resolved socket address the loop connects to.
type endpoint struct {
	family int
	sa     syscall.Sockaddr
}

// toEndpoint converts a TCP or unix socket address; ok is false for
// anything else.
func toEndpoint(addr net.Addr) (endpoint, bool) {
	if ua, ok := addr.(*net.UnixAddr); ok {
		return endpoint{family: syscall.AF_UNIX, sa: &syscall.SockaddrUnix{Name: ua.Name}}, true
	}
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		var err error
		if ta, err = net.ResolveTCPAddr("tcp", addr.String()); err != nil {
			return endpoint{}, false
		}
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		sa := &syscall.SockaddrInet4{Port: ta.Port}
		copy(sa.Addr[:], ip4)
		return endpoint{family: syscall.AF_INET, sa: sa}, true
	}
	if ip6 := ta.IP.To16(); ip6 != nil {
		sa := &syscall.SockaddrInet6{Port: ta.Port}
		copy(sa.Addr[:], ip6)
		if ta.Zone != "" {
			if ifi, err := net.InterfaceByName(ta.Zone); err == nil {
				sa.ZoneId = uint32(ifi.Index)
			}
		}
		return endpoint{family: syscall.AF_INET6, sa: sa}, true
	}
	return endpoint{}, false
}

// sourceEndpoint is a local address to bind to, port 0.
func sourceEndpoint(a netip.Addr) endpoint {
	if a.Is4() {
		return endpoint{family: syscall.AF_INET, sa: &syscall.SockaddrInet4{Addr: a.As4()}}
	}
	return endpoint{family: syscall.AF_INET6, sa: &syscall.SockaddrInet6{Addr: a.As16()}}
}

// sysConnect starts a non-blocking connect, from source src when it is not
// nil; the socket is writable when it completes.
func sysConnect(ep endpoint, src *endpoint) (int, error) {
	proto := syscall.IPPROTO_TCP
	if ep.family == syscall.AF_UNIX {
		proto = 0
	}
	fd, err := syscall.Socket(ep.family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, proto)
	if err != nil {
		return -1, err
	}
	if proto == syscall.IPPROTO_TCP {
		// Requests go out as written, as wrk's do.
		_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	}
	if src != nil {
		if err := bindNoPort(uintptr(fd)); err != nil {
			syscall.Close(fd)
			return -1, err
		}
		if err := syscall.Bind(fd, src.sa); err != nil {
			syscall.Close(fd)
			return -1, err
		}
	}
	if err := syscall.Connect(fd, ep.sa); err != nil && !errors.Is(err, syscall.EINPROGRESS) && !errors.Is(err, syscall.EINTR) {
		syscall.Close(fd)
		return -1, err
	}
	return fd, nil
}

// sysConnectError is the outcome of a finished non-blocking connect.
func sysConnectError(fd int) error {
	v, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ERROR)
	if err != nil {
		return err
	}
	if v != 0 {
		return syscall.Errno(v)
	}
	return nil
}

// sysRead and sysWrite never block (the sockets are non-blocking), so they
// bypass the scheduler's system-call bookkeeping. n < 0 with errAgain means
// try again after the next event.
// recvfrom and sendto rather than read and write: they go straight to the
// socket layer, without the file layer's bookkeeping.
func sysRead(fd int, b []byte) (int, error) { return sysIO(syscall.SYS_RECVFROM, fd, b) }

func sysWrite(fd int, b []byte) (int, error) { return sysIO(syscall.SYS_SENDTO, fd, b) }

func sysIO(trap uintptr, fd int, b []byte) (int, error) {
	for {
		r1, _, errno := syscall.RawSyscall6(trap, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0, 0)
		switch errno {
		case 0:
			return int(r1), nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return -1, errAgain
		}
		return -1, errno
	}
}

func sysClose(fd int) { syscall.Close(fd) }
