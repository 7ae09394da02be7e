// Package wire is the contract between gowrk's engines and its protocols.
// A Codec frames one protocol on one connection's byte stream: the engine
// hands it each request and writes the bytes it asks for, hands it the
// bytes it reads and gets back one event at a time. A Codec does no I/O,
// reads no clock and counts nothing: what happens to a request (latency,
// status, errors, schedule) is the engine's bookkeeping, written once for
// every protocol.
//
// Requests travel in flights: a flight is what the engine started as one
// unit, one request or, for HTTP/1.1, a pipelined batch of them. A
// connection carries up to as many flights at a time as the engine gave it
// slots (the streams of an HTTP/2 connection, one for HTTP/1.1); the engine
// names a flight by its slot's index and only starts one when Room says so.
//
// Nothing a Codec does on the request path allocates once the connection is
// warm, and nothing it keeps grows with what the server sends: MaxPending
// bounds the input it may leave unparsed, and it fails a response rather
// than keep more.
package wire

// Kind is what an event says about a flight.
type Kind uint8

const (
	// None: Parse needs more bytes for the next event.
	None Kind = iota
	// Response: one response of the flight is complete (Status, Close). A
	// flight of n requests has n of them; the last ends it.
	Response
	// Reset: the server reset the flight's stream; the flight is over.
	Reset
	// Refused: the server will not process the flight (HTTP/2 GOAWAY above
	// its last stream): it never reached the application, and is neither a
	// response nor an error. The flight is over.
	Refused
	// Failed: the flight failed on its own (Err) while the connection goes
	// on, e.g. a body over the cap on one stream. The flight is over.
	Failed
)

// Event is one thing that happened on the connection.
type Event struct {
	Kind Kind
	// Flight is the slot index the engine gave the flight in Send.
	Flight int
	// Status is a Response's status code.
	Status int
	// Close says the server closes the connection after this response.
	Close bool
	// Err is a Failed flight's reason.
	Err error
}

// Codec is one protocol on one connection.
type Codec interface {
	// Reset prepares for a new connection; what must be sent before any
	// request (a preface, settings) is then in Output.
	Reset()
	// Room is how many more flights the connection can take now.
	Room() int
	// Send queues the flight raw in slot flight: count HTTP/1.1 requests
	// back to back (pipelined when more than one), heads marking the HEAD
	// requests among them (bit i%64 of heads[i/64]). raw must stay valid
	// until Output no longer holds it; an error is a request the protocol
	// cannot carry, which ends the run.
	Send(flight int, raw []byte, count int, heads []uint64) error
	// Output is what waits to be written; Wrote says the first n bytes of it
	// were.
	Output() []byte
	Wrote(n int)
	// Parse consumes bytes read from the server, at most up to the end of
	// one event, and says how many it took. Bytes it leaves unparsed must be
	// handed to it again, followed by more. An error breaks the connection:
	// every flight on it is lost.
	Parse(in []byte) (n int, ev Event, err error)
	// EOF is the server's end of the stream, with pending bytes handed to
	// Parse and left unparsed: it may complete a response (a body that runs
	// until the close). A nil error with no event is a clean close: nothing
	// was due.
	EOF(pending int) (Event, error)
	// Cancel gives up a flight that timed out. False means only closing the
	// connection can (HTTP/1.1); true that the connection goes on.
	Cancel(flight int) bool
	// Reusable reports whether the connection takes more flights once the
	// ones on it end: false after the server said it closes or goes away.
	Reusable() bool
	// Hook is the last Response's header section, as HTTP/1.1 bytes (status
	// line, header lines, empty line), and its body, both kept only when the
	// codec was made to keep them; valid until the next Parse.
	Hook() (head, body []byte)
	// MaxPending bounds the bytes Parse may leave unparsed: the input buffer
	// never needs to be larger.
	MaxPending() int
}

// HalfCloser is a codec whose request ends by closing the sending side of
// its stream (HTTP/3, a stream per request): once Output is written and
// CloseWrite says so, the engine closes it.
type HalfCloser interface {
	CloseWrite() bool
}
