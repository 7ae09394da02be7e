package h1

import "github.com/gowrk/gowrk/generator/wire"

// Codec is HTTP/1.1 on a connection: one flight at a time, written as the
// caller's bytes (no copy) and framed by the Parser. A flight of several
// requests is pipelined; their responses come back in order.
type Codec struct {
	p       Parser
	raw     []byte
	written int
	// The flight in progress: count requests, next the one whose response
	// is being read, heads marking HEAD requests.
	count, next int
	heads       []uint64
	busy        bool
	closing     bool // a response said the server closes after it
}

// NewCodec returns a codec; keep makes it keep each response's header
// section and up to maxBody bytes of its body for Hook (a larger body fails
// the connection with ErrBodyTooLarge).
func NewCodec(keep bool, maxBody int) *Codec {
	return &Codec{p: Parser{Keep: keep, MaxBody: maxBody}}
}

var _ wire.Codec = (*Codec)(nil)

// Reset forgets the connection before.
func (c *Codec) Reset() {
	c.p.Reset()
	c.raw, c.written, c.busy, c.closing = nil, 0, false, false
}

// Room is 1 when no flight is in progress and the server keeps the
// connection open.
func (c *Codec) Room() int {
	if c.busy || c.closing {
		return 0
	}
	return 1
}

// Send starts the flight; its bytes are written as they are.
func (c *Codec) Send(_ int, raw []byte, count int, heads []uint64) error {
	c.raw, c.written = raw, 0
	c.count, c.next, c.heads, c.busy = count, 0, heads, true
	c.p.Begin(c.isHead(0))
	return nil
}

func (c *Codec) isHead(i int) bool {
	return i/64 < len(c.heads) && c.heads[i/64]&(1<<(i%64)) != 0
}

// Output is what is left of the flight's bytes.
func (c *Codec) Output() []byte { return c.raw[c.written:] }

// Wrote consumes n bytes of Output.
func (c *Codec) Wrote(n int) { c.written += n }

// Parse frames the next response of the flight. With no flight in progress
// it takes nothing: bytes the server sends unasked wait for one.
func (c *Codec) Parse(in []byte) (int, wire.Event, error) {
	if !c.busy {
		return 0, wire.Event{}, nil
	}
	n, done, err := c.p.Parse(in)
	if err != nil || !done {
		return n, wire.Event{}, err
	}
	return n, c.responded(), nil
}

// responded ends the response just parsed.
func (c *Codec) responded() wire.Event {
	ev := wire.Event{Kind: wire.Response, Status: c.p.Status, Close: c.p.Close}
	c.closing = c.closing || c.p.Close
	c.next++
	if c.next == c.count {
		c.busy = false
	} else {
		c.p.Begin(c.isHead(c.next))
	}
	return ev
}

// EOF completes a body that runs until the close; anything else is a
// broken response, or ErrClosed when no response was due and the server
// had not said it closes (wrk counts that as a read error too).
func (c *Codec) EOF(pending int) (wire.Event, error) {
	if !c.busy {
		if c.closing {
			return wire.Event{}, nil // as the server said
		}
		return wire.Event{}, ErrClosed
	}
	done, err := c.p.EOF(pending)
	if !done {
		return wire.Event{}, err
	}
	c.p.Close = true
	return c.responded(), nil
}

// Cancel cannot give up a request without closing the connection.
func (c *Codec) Cancel(int) bool { return false }

// Reusable is false once a response said the server closes.
func (c *Codec) Reusable() bool { return !c.closing }

// Hook is the last response's header section and body.
func (c *Codec) Hook() (head, body []byte) { return c.p.Header, c.p.Body }

// MaxPending is the longest header section the parser accepts.
func (c *Codec) MaxPending() int { return MaxHeaderBytes }
