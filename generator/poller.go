package generator

import "errors"

// The event loop's view of the operating system, in the manner of wrk's
// ae.c over ae_epoll.c: this file is the contract, and one file per
// mechanism implements it (poller_epoll.go on Linux; poller_none.go where
// there is none yet, which leaves every run to the goroutine engine).
//
// A back end provides:
//
//	loopSupported                  whether this platform has one
//	newPoller(maxEvents)           a poller, with a wake-up descriptor
//	(*poller).add(fd, idx, gen)    register a socket once, for reading and
//	                               writing, edge-triggered; its events
//	                               carry idx and gen
//	(*poller).wait(evs, msec)      fill evs with ready sockets, waiting up
//	                               to msec milliseconds (0: not at all)
//	(*poller).wake()               make a wait in progress, or the next
//	                               one, return at once (from any goroutine)
//	(*poller).drainWake()          consume the wake-up (its event has idx
//	                               wakeIndex)
//	(*poller).close()
//
// and the non-blocking socket calls the loop makes (socket_*.go):
//
//	toEndpoint(addr)               a TCP or unix address the loop can dial
//	sourceEndpoint(ip)             a source address to bind to
//	sysConnect(ep, src)            start a non-blocking connect, from src
//	                               when not nil; the socket's first
//	                               writable event ends it
//	sysConnectError(fd)            the connect's outcome
//	sysRead, sysWrite              never block: errAgain means wait for
//	                               the next event
//	sysClose
//
// Edge-triggered means an event says "something changed": the loop reads
// until a read comes back short or with errAgain, and writes until the
// output is gone or errAgain, and expects no event for bytes it left.

// errAgain is a non-blocking call that must wait for the next event.
var errAgain = errors.New("resource temporarily unavailable")

// wakeIndex marks the poller's own wake-up descriptor in events.
const wakeIndex = -1

type pollFlags uint8

const (
	pollIn  pollFlags = 1 << iota // readable, or an error or hang-up to read
	pollOut                       // writable, or a connect finished
	pollErr                       // an error is pending
	pollHup                       // the server closed its side
)

// pollEvent is one ready socket: the connection's index and socket
// generation, so events for a socket already closed are ignored.
type pollEvent struct {
	idx   int32
	gen   uint32
	flags pollFlags
}
