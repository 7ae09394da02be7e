package generator

import "errors"

// readBufferSize is a connection's own input buffer to begin with, wrk's
// receive buffer size. The goroutine engine reads into it; the event loop
// only keeps there what a read into its shared buffer left unparsed.
const readBufferSize = 8 << 10

var errPendingTooLarge = errors.New("response framing over its size limit")

// inbuf holds the bytes read from a connection and not yet parsed: b[r:w].
// It grows only when the unparsed bytes fill it, doubling up to the
// codec's MaxPending; bodies pass through and are never kept here.
type inbuf struct {
	b    []byte
	r, w int
}

func (in *inbuf) reset() { in.r, in.w = 0, 0 }

func (in *inbuf) pending() bool { return in.r < in.w }

func (in *inbuf) unparsed() []byte { return in.b[in.r:in.w] }

// consumed drops n parsed bytes.
func (in *inbuf) consumed(n int) {
	in.r += n
	if in.r == in.w {
		in.r, in.w = 0, 0
	}
}

// space makes room after the unparsed bytes and returns it: they move to
// the front first, and the buffer doubles only when they fill it, up to
// limit.
func (in *inbuf) space(limit int) ([]byte, error) {
	if in.b == nil {
		in.b = make([]byte, readBufferSize)
	}
	if in.r > 0 {
		in.w = copy(in.b, in.b[in.r:in.w])
		in.r = 0
	}
	if in.w == len(in.b) {
		// The codec fails what is over its limit before this one does.
		if len(in.b) >= limit {
			return nil, errPendingTooLarge
		}
		grown := make([]byte, min(2*len(in.b), limit))
		copy(grown, in.b[:in.w])
		in.b = grown
	}
	return in.b[in.w:], nil
}

// keep stores data, bytes read elsewhere and left unparsed, to be parsed
// again with more.
func (in *inbuf) keep(data []byte) {
	if cap(in.b) < len(data) {
		in.b = make([]byte, max(len(data), readBufferSize))
	}
	in.b = in.b[:cap(in.b)]
	in.r, in.w = 0, copy(in.b, data)
}
