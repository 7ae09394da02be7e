// Package h2 is HTTP/2 as gowrk's engines speak it: a client codec over
// one connection's byte stream (prior-knowledge h2c, or h2 after ALPN),
// frames written with x/net/http2's Framer and header blocks coded with its
// HPACK. It does no I/O and allocates nothing per stream once warm.
package h2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strconv"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gowrk/gowrk/generator/wire"
)

const (
	// Receive windows: large, so flow control never throttles the server;
	// refilled once half is used.
	streamWindow = 1 << 24
	connWindow   = 1 << 30
	// maxFrame is the largest frame accepted, the protocol's default (the
	// settings sent do not raise it).
	maxFrame    = 16 << 10
	frameHeader = 9
	maxStreamID = 1<<31 - 1
	// maxOutput bounds what waits to be written: a server that sends frames
	// needing an answer (PING, SETTINGS) but does not read ours fails the
	// connection instead of growing it.
	maxOutput = 1 << 20
	// maxHeaderList bounds a decoded header block, as HTTP/1.1's parser
	// bounds a header section.
	maxHeaderList = 80 << 10
)

// Ways an HTTP/2 connection or stream breaks.
var (
	ErrProtocol      = errors.New("HTTP/2 protocol error")
	ErrFrameSize     = errors.New("HTTP/2 frame too large")
	ErrNoResponse    = errors.New("HTTP/2 stream ended without a response")
	ErrBodyTooLarge  = errors.New("response body over the body cap")
	ErrOutputOverrun = errors.New("HTTP/2 server does not read what it asks for")
)

// stream is one flight's slot.
type stream struct {
	flight int    // the slot's index
	id     uint32 // 0 when the slot is free
	status int
	head   bool
	ended  bool   // END_STREAM seen on the current header block
	body   []byte // request body not yet sent (in owned)
	owned  []byte // storage for a body that waits for window
	win    int64  // send window
	recv   uint32 // bytes received since the last stream WINDOW_UPDATE
	hdr    []byte // for Hook: the header section as HTTP/1.1
	resp   []byte // for Hook: the body, up to the cap
}

// dataFrame is a DATA frame being read: its payload passes through as it
// arrives, so no frame needs to be held whole.
type dataFrame struct {
	active  bool
	s       *stream // nil when its stream is gone
	flags   http2.Flags
	data    int // payload bytes left
	pad     int // padding bytes left after them
	padRead bool
}

// Codec is a client's HTTP/2 connection. Flights are streams, one request
// each; Room is the streams the server and --streams allow.
type Codec struct {
	scheme, authority string
	keep              bool
	maxBody           int

	out     []byte
	written int
	fr      *http2.Framer
	dec     *hpack.Decoder
	enc     *encoder

	slots    []stream
	open     int
	nextID   uint32
	limit    int   // concurrent streams the server allows
	sendWin  int64 // connection send window
	initWin  int64 // the server's initial stream window
	maxSend  int   // largest frame the server accepts
	recv     uint32
	goaway   bool
	lastID   uint32
	cur      *stream // stream of the header block being decoded
	curID    uint32  // its id, also set when the stream is gone
	frame    dataFrame
	refused  []int // flights GOAWAY refused, still to report
	hookHead []byte
	hookBody []byte

	// The last request encoded, so that a static request is encoded once.
	lastRaw, lastBlock, lastBody []byte
	lastHead                     bool
}

// appender is the Framer's writer: frames go to the codec's output.
type appender struct{ c *Codec }

func (a appender) Write(p []byte) (int, error) {
	a.c.out = append(a.c.out, p...)
	return len(p), nil
}

// NewCodec returns a codec for streams concurrent streams; scheme and
// authority are the requests' :scheme and default :authority. keep keeps
// each response's headers and up to maxBody bytes of body for Hook.
func NewCodec(streams int, scheme, authority string, keep bool, maxBody int) *Codec {
	c := &Codec{
		scheme: scheme, authority: authority, keep: keep, maxBody: maxBody,
		slots: make([]stream, max(streams, 1)),
		enc:   newEncoder(scheme, authority),
	}
	for i := range c.slots {
		c.slots[i].flight = i
	}
	c.fr = http2.NewFramer(appender{c}, nil)
	return c
}

var _ wire.Codec = (*Codec)(nil)

// Reset starts a connection: the preface, settings and the connection
// window's raise go out first.
func (c *Codec) Reset() {
	for i := range c.slots {
		c.slots[i].id = 0
	}
	c.out, c.written = c.out[:0], 0
	c.open, c.nextID, c.goaway, c.lastID = 0, 1, false, 0
	c.limit = len(c.slots)
	c.sendWin, c.initWin, c.maxSend, c.recv = 65535, 65535, maxFrame, 0
	c.cur, c.curID, c.frame, c.refused = nil, 0, dataFrame{}, c.refused[:0]
	// A new connection starts a new HPACK context.
	c.dec = hpack.NewDecoder(4096, c.onField)
	c.dec.SetMaxStringLength(maxHeaderList)
	c.out = append(c.out, http2.ClientPreface...)
	_ = c.fr.WriteSettings(
		http2.Setting{ID: http2.SettingEnablePush, Val: 0},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: streamWindow},
		http2.Setting{ID: http2.SettingMaxHeaderListSize, Val: maxHeaderList},
	)
	_ = c.fr.WriteWindowUpdate(0, connWindow-65535)
}

// Room is how many more streams may open now.
func (c *Codec) Room() int {
	if !c.Reusable() {
		return 0
	}
	return max(min(c.limit, len(c.slots))-c.open, 0)
}

// Reusable is false after GOAWAY or when stream ids run out.
func (c *Codec) Reusable() bool { return !c.goaway && c.nextID <= maxStreamID }

// Send opens a stream for one request.
func (c *Codec) Send(flight int, raw []byte, count int, _ []uint64) error {
	if count != 1 {
		return ErrPipelined
	}
	if !bytes.Equal(raw, c.lastRaw) || c.lastBlock == nil {
		block, body, head, err := c.enc.encode(raw)
		if err != nil {
			return err
		}
		c.lastRaw = append(c.lastRaw[:0], raw...)
		c.lastBlock = append(c.lastBlock[:0], block...)
		c.lastBody = c.lastRaw[len(raw)-len(body):]
		c.lastHead = head
	}
	s := &c.slots[flight]
	s.id = c.nextID
	c.nextID += 2
	s.status, s.head, s.ended = 0, c.lastHead, false
	s.body, s.win, s.recv = c.lastBody, c.initWin, 0
	s.hdr, s.resp = s.hdr[:0], s.resp[:0]
	c.open++
	c.writeHeaders(s.id, c.lastBlock, len(s.body) == 0)
	c.sendBody(s)
	if len(s.body) > 0 {
		// The rest waits for window; the request bytes may not live as long.
		s.owned = append(s.owned[:0], s.body...)
		s.body = s.owned
	}
	return nil
}

func (c *Codec) writeHeaders(id uint32, block []byte, endStream bool) {
	first := block
	if len(first) > c.maxSend {
		first = block[:c.maxSend]
	}
	_ = c.fr.WriteHeaders(http2.HeadersFrameParam{
		StreamID: id, BlockFragment: first, EndStream: endStream, EndHeaders: len(first) == len(block),
	})
	for block = block[len(first):]; len(block) > 0; {
		n := min(len(block), c.maxSend)
		_ = c.fr.WriteContinuation(id, n == len(block), block[:n])
		block = block[n:]
	}
}

// sendBody writes as much of the stream's request body as the windows
// allow and the output has room for; WINDOW_UPDATE frames and Wrote send
// the rest.
func (c *Codec) sendBody(s *stream) {
	for len(s.body) > 0 && c.sendWin > 0 && s.win > 0 && len(c.out)-c.written < maxOutput/2 {
		n := int(min(int64(len(s.body)), int64(c.maxSend), c.sendWin, s.win))
		_ = c.fr.WriteData(s.id, n == len(s.body), s.body[:n])
		s.body = s.body[n:]
		c.sendWin -= int64(n)
		s.win -= int64(n)
	}
}

// resume sends request bodies held back.
func (c *Codec) resume() {
	for i := range c.slots {
		if s := &c.slots[i]; s.id != 0 && len(s.body) > 0 {
			c.sendBody(s)
		}
	}
}

// Output is the frames waiting to be written.
func (c *Codec) Output() []byte { return c.out[c.written:] }

// Wrote consumes n bytes of Output; once it is all written, held-back
// bodies fill it again.
func (c *Codec) Wrote(n int) {
	c.written += n
	if c.written == len(c.out) {
		c.out, c.written = c.out[:0], 0
		c.resume()
	}
}

// Cancel resets a stream that timed out; the connection goes on.
func (c *Codec) Cancel(flight int) bool {
	s := &c.slots[flight]
	if s.id != 0 {
		_ = c.fr.WriteRSTStream(s.id, http2.ErrCodeCancel)
		c.free(s)
	}
	return true
}

// free ends a stream's flight.
func (c *Codec) free(s *stream) {
	if s.id == 0 {
		return
	}
	if c.frame.s == s {
		c.frame.s = nil
	}
	if c.cur == s {
		c.cur = nil
	}
	s.id, s.body = 0, nil
	c.open--
}

// Hook is the last response's headers, as HTTP/1.1, and body.
func (c *Codec) Hook() (head, body []byte) { return c.hookHead, c.hookBody }

// MaxPending is one frame header and the largest frame's payload.
func (c *Codec) MaxPending() int { return frameHeader + maxFrame }

// EOF with streams open loses them; with none it is a clean close.
func (c *Codec) EOF(int) (wire.Event, error) {
	if c.open > 0 {
		return wire.Event{}, io.ErrUnexpectedEOF
	}
	return wire.Event{}, nil
}

// Parse reads frames until one makes an event or the bytes run out.
func (c *Codec) Parse(in []byte) (n int, ev wire.Event, err error) {
	for {
		if len(c.refused) > 0 {
			ev = wire.Event{Kind: wire.Refused, Flight: c.refused[0]}
			c.refused = append(c.refused[:0], c.refused[1:]...)
			return n, ev, nil
		}
		if len(c.out)-c.written > maxOutput {
			return n, ev, ErrOutputOverrun
		}
		if c.frame.active {
			m, ev, err := c.dataPayload(in[n:])
			n += m
			if err != nil || ev.Kind != wire.None || c.frame.active {
				return n, ev, err
			}
			continue
		}
		rest := in[n:]
		if len(rest) < frameHeader {
			return n, ev, nil
		}
		length := int(rest[0])<<16 | int(rest[1])<<8 | int(rest[2])
		typ, flags := http2.FrameType(rest[3]), http2.Flags(rest[4])
		id := binary.BigEndian.Uint32(rest[5:]) & (1<<31 - 1)
		if length > maxFrame {
			return n, ev, ErrFrameSize
		}
		if c.curID != 0 && typ != http2.FrameContinuation {
			return n, ev, ErrProtocol
		}
		if typ == http2.FrameData {
			n += frameHeader
			if ev, err = c.dataStart(flags, id, length); err != nil || ev.Kind != wire.None {
				return n, ev, err
			}
			continue
		}
		if len(rest) < frameHeader+length {
			return n, ev, nil
		}
		n += frameHeader + length
		ev, err = c.frameDone(typ, flags, id, rest[frameHeader:frameHeader+length])
		if err != nil || ev.Kind != wire.None {
			return n, ev, err
		}
	}
}

func (c *Codec) stream(id uint32) *stream {
	if id == 0 {
		return nil
	}
	for i := range c.slots {
		if c.slots[i].id == id {
			return &c.slots[i]
		}
	}
	return nil
}

// dataStart begins a DATA frame: flow control counts it whole at once. A
// body before any response header fails its stream.
func (c *Codec) dataStart(flags http2.Flags, id uint32, length int) (wire.Event, error) {
	if id == 0 {
		return wire.Event{}, ErrProtocol
	}
	c.frame = dataFrame{active: true, s: c.stream(id), flags: flags, data: length, padRead: !flags.Has(http2.FlagDataPadded)}
	c.recv += uint32(length)
	if c.recv >= connWindow/2 {
		_ = c.fr.WriteWindowUpdate(0, c.recv)
		c.recv = 0
	}
	s := c.frame.s
	if s == nil {
		return wire.Event{}, nil
	}
	if s.status == 0 {
		flight := s.flight
		_ = c.fr.WriteRSTStream(s.id, http2.ErrCodeProtocol)
		c.free(s)
		return wire.Event{Kind: wire.Failed, Flight: flight, Err: ErrNoResponse}, nil
	}
	if !flags.Has(http2.FlagDataEndStream) {
		s.recv += uint32(length)
		if s.recv >= streamWindow/2 {
			_ = c.fr.WriteWindowUpdate(s.id, s.recv)
			s.recv = 0
		}
	}
	return wire.Event{}, nil
}

// dataPayload passes a DATA frame's payload, and its padding, through.
func (c *Codec) dataPayload(in []byte) (n int, ev wire.Event, err error) {
	f := &c.frame
	if !f.padRead {
		if len(in) == 0 {
			return 0, ev, nil
		}
		if f.data < 1 || int(in[0]) > f.data-1 {
			return 0, ev, ErrProtocol
		}
		f.pad, f.data, f.padRead = int(in[0]), f.data-1-int(in[0]), true
		n = 1
	}
	take := min(len(in)-n, f.data)
	if s := f.s; s != nil && c.keep && take > 0 {
		if len(s.resp)+take > c.maxBody {
			f.data -= take
			n += take
			_ = c.fr.WriteRSTStream(s.id, http2.ErrCodeCancel)
			ev = wire.Event{Kind: wire.Failed, Flight: s.flight, Err: ErrBodyTooLarge}
			c.free(s) // the rest of the frame passes for no stream
			f.active = f.data > 0 || f.pad > 0
			return n, ev, nil
		}
		s.resp = append(s.resp, in[n:n+take]...)
	}
	f.data -= take
	n += take
	skip := min(len(in)-n, f.pad)
	f.pad -= skip
	n += skip
	if f.data > 0 || f.pad > 0 {
		return n, ev, nil
	}
	f.active = false
	if s := f.s; s != nil && f.flags.Has(http2.FlagDataEndStream) {
		return n, c.complete(s), nil
	}
	return n, ev, nil
}

// complete ends a stream with its response.
func (c *Codec) complete(s *stream) wire.Event {
	flight := s.flight
	if s.status == 0 {
		_ = c.fr.WriteRSTStream(s.id, http2.ErrCodeProtocol)
		c.free(s)
		return wire.Event{Kind: wire.Failed, Flight: flight, Err: ErrNoResponse}
	}
	if c.keep {
		s.hdr = append(s.hdr, "\r\n"...)
		c.hookHead, c.hookBody = s.hdr, s.resp
	}
	ev := wire.Event{Kind: wire.Response, Flight: flight, Status: s.status}
	c.free(s)
	return ev
}

// frameDone handles a complete frame other than DATA.
func (c *Codec) frameDone(typ http2.FrameType, flags http2.Flags, id uint32, p []byte) (wire.Event, error) {
	switch typ {
	case http2.FrameHeaders:
		if id == 0 {
			return wire.Event{}, ErrProtocol
		}
		if flags.Has(http2.FlagHeadersPadded) {
			if len(p) < 1 || int(p[0]) > len(p)-1 {
				return wire.Event{}, ErrProtocol
			}
			p = p[1 : len(p)-int(p[0])]
		}
		if flags.Has(http2.FlagHeadersPriority) {
			if len(p) < 5 {
				return wire.Event{}, ErrProtocol
			}
			p = p[5:]
		}
		c.curID, c.cur = id, c.stream(id)
		// Without a hook only the status matters. When the block starts
		// with a status from the static table, as it usually does, the
		// decoder need not make strings of the other fields.
		emit := c.keep
		if s := c.cur; s != nil {
			s.ended = flags.Has(http2.FlagHeadersEndStream)
			if c.keep && s.status == 0 {
				s.hdr = s.hdr[:0]
			}
			if s.status == 0 && !c.keep {
				if s.status = staticStatus(p); s.status == 0 {
					emit = true
				}
			}
		}
		c.dec.SetEmitEnabled(emit)
		return c.headerBlock(p, flags.Has(http2.FlagHeadersEndHeaders))
	case http2.FrameContinuation:
		if id != c.curID || c.curID == 0 {
			return wire.Event{}, ErrProtocol
		}
		return c.headerBlock(p, flags.Has(http2.FlagContinuationEndHeaders))
	case http2.FrameSettings:
		return wire.Event{}, c.settings(flags, p)
	case http2.FramePing:
		if len(p) != 8 || id != 0 {
			return wire.Event{}, ErrProtocol
		}
		if !flags.Has(http2.FlagPingAck) {
			_ = c.fr.WritePing(true, [8]byte(p))
		}
	case http2.FrameWindowUpdate:
		if len(p) != 4 {
			return wire.Event{}, ErrProtocol
		}
		inc := int64(binary.BigEndian.Uint32(p) & (1<<31 - 1))
		if id == 0 {
			c.sendWin += inc
		} else if s := c.stream(id); s != nil {
			s.win += inc
		}
		c.resume()
	case http2.FrameGoAway:
		if len(p) < 8 {
			return wire.Event{}, ErrProtocol
		}
		c.goaway = true
		c.lastID = binary.BigEndian.Uint32(p) & (1<<31 - 1)
		for i := range c.slots {
			if s := &c.slots[i]; s.id > c.lastID {
				c.free(s)
				c.refused = append(c.refused, i)
			}
		}
	case http2.FrameRSTStream:
		if len(p) != 4 {
			return wire.Event{}, ErrProtocol
		}
		if s := c.stream(id); s != nil {
			flight := s.flight
			c.free(s)
			return wire.Event{Kind: wire.Reset, Flight: flight}, nil
		}
	case http2.FramePushPromise:
		return wire.Event{}, ErrProtocol // push is off in our SETTINGS
	}
	return wire.Event{}, nil // PRIORITY and unknown frames are ignored
}

func (c *Codec) settings(flags http2.Flags, p []byte) error {
	if flags.Has(http2.FlagSettingsAck) {
		return nil
	}
	if len(p)%6 != 0 {
		return ErrProtocol
	}
	for ; len(p) > 0; p = p[6:] {
		v := binary.BigEndian.Uint32(p[2:])
		switch http2.SettingID(binary.BigEndian.Uint16(p)) {
		case http2.SettingMaxConcurrentStreams:
			c.limit = int(min(v, 1<<20))
		case http2.SettingInitialWindowSize:
			if v > 1<<31-1 {
				return ErrProtocol
			}
			delta := int64(v) - c.initWin
			c.initWin = int64(v)
			for i := range c.slots {
				if c.slots[i].id != 0 {
					c.slots[i].win += delta
				}
			}
		case http2.SettingMaxFrameSize:
			if v < maxFrame || v > 1<<24-1 {
				return ErrProtocol
			}
			c.maxSend = int(v)
		}
	}
	_ = c.fr.WriteSettingsAck()
	c.resume()
	return nil
}

func (c *Codec) headerBlock(p []byte, end bool) (wire.Event, error) {
	if _, err := c.dec.Write(p); err != nil {
		return wire.Event{}, ErrProtocol
	}
	if !end {
		return wire.Event{}, nil
	}
	if err := c.dec.Close(); err != nil {
		return wire.Event{}, ErrProtocol
	}
	s := c.cur
	c.cur, c.curID = nil, 0
	if s == nil {
		return wire.Event{}, nil
	}
	if s.status >= 100 && s.status < 200 && !s.ended {
		s.status = 0 // informational; the final header block follows
		return wire.Event{}, nil
	}
	if s.ended {
		return c.complete(s), nil
	}
	return wire.Event{}, nil
}

// onField receives each decoded header field.
func (c *Codec) onField(f hpack.HeaderField) {
	s := c.cur
	if s == nil {
		return
	}
	if f.Name == ":status" {
		if s.status != 0 {
			return // trailers carry no status; a second one is ignored
		}
		n, err := strconv.Atoi(f.Value)
		if err != nil || n < 100 || n > 999 {
			n = 0
		}
		s.status = n
		if c.keep {
			s.hdr = append(s.hdr, "HTTP/1.1 "...)
			s.hdr = strconv.AppendInt(s.hdr, int64(n), 10)
			s.hdr = append(s.hdr, " \r\n"...)
		}
		return
	}
	if c.keep && len(f.Name) > 0 && f.Name[0] != ':' && len(s.hdr) < maxHeaderList {
		s.hdr = append(s.hdr, f.Name...)
		s.hdr = append(s.hdr, ": "...)
		s.hdr = append(s.hdr, f.Value...)
		s.hdr = append(s.hdr, "\r\n"...)
	}
}

// staticStatus is the status a header block starts with when it is one of
// HPACK's static-table entries (200, 204, 206, 304, 400, 404, 500), else 0.
func staticStatus(p []byte) int {
	// Skip dynamic table size updates (001xxxxx and their varint).
	for len(p) > 0 && p[0]&0xe0 == 0x20 {
		more := p[0]&0x1f == 0x1f
		p = p[1:]
		for more && len(p) > 0 {
			more = p[0]&0x80 != 0
			p = p[1:]
		}
	}
	if len(p) == 0 || p[0]&0x80 == 0 {
		return 0
	}
	if i := int(p[0] & 0x7f); i >= 8 && i <= 14 {
		return [...]int{200, 204, 206, 304, 400, 404, 500}[i-8]
	}
	return 0
}
