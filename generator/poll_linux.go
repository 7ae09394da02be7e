package generator

import (
	"errors"
	"net"
	"syscall"
	"unsafe"
)

// The event loop's Linux back end, in the manner of wrk's ae_epoll.c:
// edge-triggered epoll over non-blocking sockets. Every socket is
// registered once, for reading and writing, so a request costs no
// epoll_ctl call.

// loopSupported reports whether this platform has an event loop back end.
const loopSupported = true

// pollEvents is the interest set of every socket: edge-triggered, so an
// event means "something changed" and the loop reads or writes until the
// kernel says EAGAIN.
const pollEvents = syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | epollET

// epollET is EPOLLET as an unsigned bit: package syscall declares it negative.
const epollET = 1 << 31

// wakeIndex marks the poller's own wake-up descriptor in events.
const wakeIndex = -1

type poller struct {
	epfd, wakefd int
	raw          []syscall.EpollEvent
}

func newPoller(maxEvents int) (*poller, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	r1, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		syscall.Close(epfd)
		return nil, errno
	}
	p := &poller{epfd: epfd, wakefd: int(r1), raw: make([]syscall.EpollEvent, maxEvents)}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: wakeIndex}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p.wakefd, &ev); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// add registers fd; its events carry idx and gen.
func (p *poller) add(fd int, idx int32, gen uint32) error {
	ev := syscall.EpollEvent{Events: pollEvents, Fd: idx, Pad: int32(gen)}
	return syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev)
}

// wait fills evs with ready events, waiting up to msec milliseconds (0: not
// at all, -1: until one comes).
func (p *poller) wait(evs []pollEvent, msec int) int {
	raw := p.raw[:min(len(p.raw), len(evs))]
	var n int
	var err error
	if msec == 0 {
		// A poll that cannot block needs no hand-off to the scheduler.
		r1, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&raw[0])), uintptr(len(raw)), 0, 0, 0)
		n = int(r1)
		if errno != 0 {
			n, err = 0, errno
		}
	} else {
		n, err = syscall.EpollWait(p.epfd, raw, msec)
	}
	if err != nil || n < 0 {
		return 0
	}
	for i, e := range raw[:n] {
		var f pollFlags
		if e.Events&syscall.EPOLLIN != 0 {
			f |= pollIn
		}
		if e.Events&syscall.EPOLLOUT != 0 {
			f |= pollOut
		}
		if e.Events&(syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
			f |= pollErr | pollIn
		}
		if e.Events&(syscall.EPOLLRDHUP|syscall.EPOLLHUP) != 0 {
			f |= pollHup | pollIn
		}
		evs[i] = pollEvent{idx: e.Fd, gen: uint32(e.Pad), flags: f}
	}
	return n
}

// wake makes a wait in progress, or the next one, return at once.
func (p *poller) wake() {
	one := [8]byte{1}
	_, _ = syscall.Write(p.wakefd, one[:])
}

// drainWake consumes the wake-up so that the next wait blocks again.
func (p *poller) drainWake() {
	var b [8]byte
	_, _ = syscall.Read(p.wakefd, b[:])
}

func (p *poller) close() {
	syscall.Close(p.wakefd)
	syscall.Close(p.epfd)
}

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

// sysConnect starts a non-blocking connect; the socket is writable when it
// completes.
func sysConnect(ep endpoint) (int, error) {
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
