//go:build linux

// Command delayserver answers every HTTP/1.1 request after a fixed delay
// taken from its path (/1ms, /10ms, /250us), precisely: bench/generator.sh
// compares the latency gowrk and wrk report against it, so the delay must
// not depend on how requests arrive. A sleeping server wakes up late by up
// to a millisecond (timer wake-ups have that granularity), by an amount
// that depends on when the request came in. This one is a single-threaded
// epoll loop that sleeps while the next reply is far off and busy-polls
// (epoll_wait with a zero timeout) in the last stretch, so each reply
// leaves within microseconds of its due time. Pin it to a core of its own:
// busy-polling keeps that core busy.
//
// Usage: delayserver [-addr 127.0.0.1:18081]
package main

import (
	"bytes"
	"container/heap"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

var response = []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")

// busyPoll is how long before a due time the loop stops sleeping.
const busyPoll = 2 * time.Millisecond

// reply is a response due at a time on a connection.
type reply struct {
	due time.Time
	fd  int
}

type replies []reply

func (r replies) Len() int           { return len(r) }
func (r replies) Less(i, j int) bool { return r[i].due.Before(r[j].due) }
func (r replies) Swap(i, j int)      { r[i], r[j] = r[j], r[i] }
func (r *replies) Push(x any)        { *r = append(*r, x.(reply)) }
func (r *replies) Pop() any {
	old := *r
	x := old[len(old)-1]
	*r = old[:len(old)-1]
	return x
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "address to listen on")
	flag.Parse()
	err := run(*addr)
	fmt.Fprintln(os.Stderr, "delayserver:", err)
	os.Exit(1)
}

// run serves addr until an error stops it.
func run(addr string) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Is4() {
		return fmt.Errorf("address %q: want IPv4 host:port", addr)
	}
	ln, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return err
	}
	_ = unix.SetsockoptInt(ln, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if err := unix.Bind(ln, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}); err != nil {
		return err
	}
	if err := unix.Listen(ln, 1024); err != nil {
		return err
	}
	ep, err := unix.EpollCreate1(0)
	if err != nil {
		return err
	}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, ln, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(ln)}); err != nil {
		return err
	}
	pending := map[int][]byte{} // bytes of an unfinished request head per fd
	var due replies
	events := make([]unix.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	for {
		timeout := -1
		if len(due) > 0 {
			wait := time.Until(due[0].due) - busyPoll
			timeout = max(int(wait/time.Millisecond), 0)
		}
		n, err := unix.EpollWait(ep, events, timeout)
		if err != nil && err != unix.EINTR {
			return err
		}
		now := time.Now()
		for _, ev := range events[:max(n, 0)] {
			fd := int(ev.Fd)
			if fd == ln {
				for {
					c, _, err := unix.Accept4(ln, unix.SOCK_NONBLOCK)
					if err != nil {
						break
					}
					_ = unix.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
					_ = unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, c, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(c)})
				}
				continue
			}
			for {
				m, err := unix.Read(fd, buf)
				if m <= 0 {
					if err != unix.EAGAIN {
						_ = unix.Close(fd)
						delete(pending, fd)
					}
					break
				}
				// Each complete head (no bodies) is a reply due its delay
				// after the read that completed it.
				data := append(pending[fd], buf[:m]...)
				for {
					end := bytes.Index(data, []byte("\r\n\r\n"))
					if end < 0 {
						break
					}
					heap.Push(&due, reply{due: now.Add(parseDelay(data[:end])), fd: fd})
					data = data[end+4:]
				}
				pending[fd] = append(pending[fd][:0], data...)
			}
		}
		for len(due) > 0 && !time.Now().Before(due[0].due) {
			r := heap.Pop(&due).(reply)
			_, _ = unix.Write(r.fd, response)
		}
	}
}

// parseDelay reads the delay from a request head, "GET /1ms HTTP/1.1...".
func parseDelay(head []byte) time.Duration {
	f := bytes.Fields(head)
	if len(f) < 2 {
		return 0
	}
	d, err := time.ParseDuration(string(bytes.TrimPrefix(f[1], []byte("/"))))
	if err != nil || d < 0 {
		return 0
	}
	return d
}
