// Package h3 is HTTP/3's framing of one request stream (RFC 9114): the
// request as a HEADERS frame (QPACK, static table only) and DATA frames,
// the response read back from the same QUIC stream up to its end. A QUIC
// stream carries one request, so a Codec is one flight and then done; the
// engine opens the next stream. QUIC itself, its connections and control
// streams, are the engine's (generator/quic.go, over quic-go).
package h3

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"github.com/quic-go/qpack"

	"github.com/gowrk/gowrk/generator/wire"
)

// HTTP/3 frame types (RFC 9114, section 7.2).
const (
	frameData        = 0x0
	frameHeaders     = 0x1
	framePushPromise = 0x5
)

const (
	// maxHeaderBlock bounds a response's header section, as HTTP/1.1's
	// parser bounds its own.
	maxHeaderBlock = 80 << 10
	// maxFrameHead is a frame's type and length, two varints of up to 8
	// bytes each.
	maxFrameHead = 16
)

// Ways a response stream can be broken.
var (
	ErrFrame         = errors.New("HTTP/3 frame error")
	ErrHeaderTooBig  = errors.New("HTTP/3 response headers over 80 KiB")
	ErrNoResponse    = errors.New("HTTP/3 stream ended without a response")
	ErrBodyTooLarge  = errors.New("response body over the body cap")
	ErrBodyTruncated = errors.New("HTTP/3 stream ended mid-frame")
)

// Codec is one HTTP/3 request stream. It implements wire.Codec and
// wire.HalfCloser: the request ends when the stream's sending side closes.
type Codec struct {
	scheme, authority string
	keep              bool
	maxBody           int

	enc   *qpack.Encoder
	block bytes.Buffer
	lower []byte
	dec   *qpack.Decoder

	out     []byte
	written int
	busy    bool
	sent    bool // the request is all in out

	// The frame being read: its type and the payload bytes left.
	inFrame bool
	typ     uint64
	left    uint64
	status  int
	head    bool
	hdr     []byte
	fields  []byte // the header lines, before the status line goes first
	body    []byte

	// The last request encoded, so that a static request is encoded once.
	lastRaw, lastFrames []byte
	lastHead            bool
}

var (
	_ wire.Codec      = (*Codec)(nil)
	_ wire.HalfCloser = (*Codec)(nil)
)

// NewCodec returns a codec whose requests have scheme and, unless a Host
// header says otherwise, authority; keep keeps each response's headers and
// up to maxBody bytes of body for Hook.
func NewCodec(scheme, authority string, keep bool, maxBody int) *Codec {
	c := &Codec{scheme: scheme, authority: authority, keep: keep, maxBody: maxBody, dec: qpack.NewDecoder()}
	c.enc = qpack.NewEncoder(&c.block)
	return c
}

// WriteField adds one field to the header block being encoded.
func (c *Codec) WriteField(name, value string) {
	_ = c.enc.WriteField(qpack.HeaderField{Name: name, Value: value})
}

// Reset prepares for a new stream.
func (c *Codec) Reset() {
	c.out, c.written = c.out[:0], 0
	c.busy, c.sent, c.inFrame = false, false, false
	c.status, c.hdr, c.body = 0, c.hdr[:0], c.body[:0]
}

// Room is 1 on a new stream, 0 once it carries its request.
func (c *Codec) Room() int {
	if c.busy || c.sent {
		return 0
	}
	return 1
}

// Send frames the request: HEADERS, then DATA with the body.
func (c *Codec) Send(_ int, raw []byte, count int, _ []uint64) error {
	if count != 1 {
		return wire.ErrPipelined
	}
	if !bytes.Equal(raw, c.lastRaw) || c.lastFrames == nil {
		c.block.Reset()
		body, head, err := wire.Fields(raw, c.scheme, c.authority, &c.lower, c)
		if err != nil {
			return err
		}
		_ = c.enc.Close()
		f := appendFrame(c.lastFrames[:0], frameHeaders, c.block.Bytes())
		if len(body) > 0 {
			f = appendFrame(f, frameData, body)
		}
		c.lastRaw, c.lastFrames, c.lastHead = append(c.lastRaw[:0], raw...), f, head
	}
	c.out = append(c.out[:0], c.lastFrames...)
	c.written, c.busy, c.sent, c.head = 0, true, true, c.lastHead
	return nil
}

func appendFrame(b []byte, typ uint64, payload []byte) []byte {
	b = appendVarint(b, typ)
	b = appendVarint(b, uint64(len(payload)))
	return append(b, payload...)
}

// Output is what is left of the request.
func (c *Codec) Output() []byte { return c.out[c.written:] }

// Wrote consumes n bytes of Output.
func (c *Codec) Wrote(n int) { c.written += n }

// CloseWrite reports whether the request is all written, so the stream's
// sending side closes.
func (c *Codec) CloseWrite() bool { return c.sent && c.written == len(c.out) }

// Cancel cannot give up a request without ending its stream.
func (c *Codec) Cancel(int) bool { return false }

// Reusable is false: a stream carries one request.
func (c *Codec) Reusable() bool { return !c.sent }

// Hook is the response's headers, as HTTP/1.1, and body.
func (c *Codec) Hook() (head, body []byte) { return c.hdr, c.body }

// MaxPending is a frame head and the largest header block.
func (c *Codec) MaxPending() int { return maxFrameHead + maxHeaderBlock }

// Parse reads the response's frames. The response is complete only when
// the stream ends (EOF): a server may send trailers after the body.
func (c *Codec) Parse(in []byte) (n int, ev wire.Event, err error) {
	for n < len(in) {
		if !c.inFrame {
			typ, k := readVarint(in[n:])
			if k == 0 {
				return n, ev, c.checkHead(len(in) - n)
			}
			length, m := readVarint(in[n+k:])
			if m == 0 {
				return n, ev, c.checkHead(len(in) - n)
			}
			c.typ, c.left, c.inFrame = typ, length, true
			n += k + m
			switch {
			case typ == framePushPromise:
				return n, ev, ErrFrame // push is never allowed
			case typ == frameHeaders && length > maxHeaderBlock:
				return n, ev, ErrHeaderTooBig
			}
		}
		switch c.typ {
		case frameHeaders:
			if uint64(len(in)-n) < c.left {
				return n, ev, nil // a header block is decoded whole
			}
			block := in[n : n+int(c.left)]
			n += int(c.left)
			c.inFrame = false
			if err := c.headers(block); err != nil {
				return n, ev, err
			}
		case frameData:
			take := min(uint64(len(in)-n), c.left)
			if c.status == 0 {
				return n, ev, ErrNoResponse
			}
			if c.keep && !c.head {
				if len(c.body)+int(take) > c.maxBody {
					return n, ev, ErrBodyTooLarge
				}
				c.body = append(c.body, in[n:n+int(take)]...)
			}
			n += int(take)
			c.left -= take
			c.inFrame = c.left > 0
		default: // unknown and reserved frame types are skipped
			take := min(uint64(len(in)-n), c.left)
			n += int(take)
			c.left -= take
			c.inFrame = c.left > 0
		}
	}
	return n, ev, nil
}

// checkHead fails pending bytes that cannot be the start of a frame head.
func (c *Codec) checkHead(pending int) error {
	if pending >= maxFrameHead {
		return ErrFrame
	}
	return nil
}

// headers takes a header block: the response's, an interim one, or
// trailers (after the final status), which are left out.
func (c *Codec) headers(block []byte) error {
	if c.status >= 200 {
		return nil // trailers
	}
	if !c.keep {
		if s := staticStatus(block); s != 0 {
			c.status = s
			if c.status < 200 {
				c.status = 0
			}
			return nil
		}
	}
	decode := c.dec.Decode(block)
	status := 0
	c.fields = c.fields[:0]
	for {
		f, err := decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ErrFrame
		}
		if f.Name == ":status" {
			n, err := strconv.Atoi(f.Value)
			if err != nil || n < 100 || n > 999 {
				return ErrFrame
			}
			status = n
			continue
		}
		if c.keep && len(f.Name) > 0 && f.Name[0] != ':' && len(c.fields) < maxHeaderBlock {
			c.fields = append(c.fields, f.Name...)
			c.fields = append(c.fields, ": "...)
			c.fields = append(c.fields, f.Value...)
			c.fields = append(c.fields, "\r\n"...)
		}
	}
	if status == 0 {
		return ErrNoResponse
	}
	if status < 200 {
		return nil // interim: the final response follows
	}
	c.status = status
	if c.keep {
		c.hdr = append(c.hdr[:0], "HTTP/1.1 "...)
		c.hdr = strconv.AppendInt(c.hdr, int64(status), 10)
		c.hdr = append(c.hdr, " \r\n"...)
		c.hdr = append(append(c.hdr, c.fields...), "\r\n"...)
	}
	return nil
}

// EOF ends the response: the stream is over.
func (c *Codec) EOF(int) (wire.Event, error) {
	switch {
	case !c.busy:
		return wire.Event{}, nil
	case c.inFrame:
		return wire.Event{}, ErrBodyTruncated
	case c.status == 0:
		return wire.Event{}, ErrNoResponse
	}
	c.busy = false
	return wire.Event{Kind: wire.Response, Status: c.status, Close: true}, nil
}

// staticStatus is the status a header block starts with when it is one of
// QPACK's static table's (RFC 9204, appendix A), else 0.
func staticStatus(block []byte) int {
	// The prefix: Required Insert Count and Base, both 0 without a dynamic
	// table.
	if len(block) < 3 || block[0] != 0 || block[1] != 0 {
		return 0
	}
	b := block[2]
	if b&0xc0 != 0xc0 { // an indexed field line from the static table
		return 0
	}
	idx := int(b & 0x3f)
	if idx == 0x3f {
		if len(block) < 4 || block[3]&0x80 != 0 {
			return 0
		}
		idx += int(block[3])
	}
	switch idx {
	case 24:
		return 103
	case 25:
		return 200
	case 26:
		return 304
	case 27:
		return 404
	case 28:
		return 503
	case 63:
		return 100
	case 64:
		return 204
	case 65:
		return 206
	case 66:
		return 302
	case 67:
		return 400
	case 68:
		return 403
	case 69:
		return 421
	case 70:
		return 425
	case 71:
		return 500
	}
	return 0
}

// appendVarint appends QUIC's variable-length integer (RFC 9000, 16).
func appendVarint(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v))
	case v < 1<<14:
		return append(b, byte(v>>8)|0x40, byte(v))
	case v < 1<<30:
		return append(b, byte(v>>24)|0x80, byte(v>>16), byte(v>>8), byte(v))
	}
	return append(b, byte(v>>56)|0xc0, byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// readVarint reads one; k is 0 when it is not all there.
func readVarint(b []byte) (v uint64, k int) {
	if len(b) == 0 {
		return 0, 0
	}
	k = 1 << (b[0] >> 6)
	if len(b) < k {
		return 0, 0
	}
	v = uint64(b[0] & 0x3f)
	for _, x := range b[1:k] {
		v = v<<8 | uint64(x)
	}
	return v, k
}
