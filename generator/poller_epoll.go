//go:build linux

package generator

import (
	"syscall"
	"unsafe"
)

// The event loop's epoll back end (see poller.go): edge-triggered epoll
// over non-blocking sockets. Every socket is registered once, for reading
// and writing, so a request costs no epoll_ctl call.

// loopSupported reports whether this platform has an event loop back end.
const loopSupported = true

// pollEvents is the interest set of every socket: edge-triggered, so an
// event means "something changed" and the loop reads or writes until the
// kernel says EAGAIN.
const pollEvents = syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | epollET

// epollET is EPOLLET as an unsigned bit: package syscall declares it negative.
const epollET = 1 << 31

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
