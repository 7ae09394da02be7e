package generator

import (
	"net"
	"time"

	"github.com/gowrk/gowrk/generator/wire/h1"
)

// Response is a complete response as a response() hook sees it: HTTP/1.1's
// view, which HTTP/2 responses are given too.
type Response = h1.Response

// Scripter supplies per-thread request sources and response hooks. A nil
// Scripter means every connection sends the static request built from Config.
// generator defines it; a scripting package implements it.
type Scripter interface {
	// NewThread prepares thread index (0-based) before the run starts. addr is
	// the address the thread will connect to; the returned ThreadScript may
	// change it through ThreadScript.Addr. ctl lets the script stop the thread.
	NewThread(index int, addr net.Addr, ctl ThreadControl) (ThreadScript, error)
}

// ThreadScript is one thread's hooks. The connections of a thread call them
// concurrently, so an implementation serializes access to its own state.
// Errors returned by any hook end the run with that error.
type ThreadScript interface {
	// Addr is the address this thread's connections dial.
	Addr() net.Addr
	// Static returns the request to send every time when the script builds
	// requests dynamically never; ok is false when Next must be called.
	Static() (req Request, ok bool)
	// Next returns the next request to write. Called only when Static is not ok.
	// The returned bytes stay valid until the next call by the same connection;
	// conn identifies the calling connection within the thread.
	Next(conn int) (Request, error)
	// HasDelay reports whether Delay must be called before each request.
	HasDelay() bool
	// Delay returns how long to wait before sending the next request.
	Delay() (time.Duration, error)
	// HasResponse reports whether Response must be called for each response.
	HasResponse() bool
	// Response is called for every complete response with its status, headers
	// and de-chunked body. resp is only valid during the call.
	Response(resp *Response) error
}

// ThreadControl is the engine's handle on a running thread, given to scripts.
type ThreadControl interface {
	// Stop ends this thread's connections; when every thread has stopped the
	// run ends early.
	Stop()
	// Done is closed when the run ends (its duration is over, it was
	// interrupted, or it failed), so a script can interrupt a hook that does
	// not return.
	Done() <-chan struct{}
}
