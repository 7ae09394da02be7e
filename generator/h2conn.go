package generator

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

const (
	// Receive windows: large, so flow control never throttles the server;
	// refilled once half is used.
	h2StreamWindow = 1 << 24
	h2ConnWindow   = 1 << 30
	// h2MaxFrame is the largest frame accepted, the protocol's default.
	h2MaxFrame    = 16 << 10
	h2MaxStreamID = 1<<31 - 1
)

var (
	errH2Protocol   = errors.New("HTTP/2 protocol error")
	errH2FrameSize  = errors.New("HTTP/2 frame too large")
	errH2NoResponse = errors.New("HTTP/2 stream ended without a response")
)

// h2stream is one stream slot of a connection.
type h2stream struct {
	id      uint32 // 0 when the slot is free
	start   time.Duration
	status  int
	head    bool
	ended   bool   // END_STREAM seen on the current header block
	body    []byte // request body not yet sent
	sendWin int64
	recv    uint32 // bytes received since the last stream WINDOW_UPDATE
	hdr     []byte // for a response() hook: the header section as HTTP/1.1
	resp    []byte // for a response() hook: the body, up to MaxBody
}

// h2conn is the HTTP/2 side of a goroutine-engine connection: the conn
// keeps its socket, counters and timeout bookkeeping, h2conn the framing.
// Frames are read with a fixed buffer (no allocation per frame); they are
// written with x/net/http2's Framer through a buffered writer flushed
// before every blocking read.
type h2conn struct {
	c   *conn
	br  *bufio.Reader
	bw  *bufio.Writer
	fr  *http2.Framer
	dec *hpack.Decoder
	enc *h2Encoder

	hdr     [9]byte
	payload []byte

	streams  []h2stream
	open     int
	nextID   uint32
	limit    int // concurrent streams: --streams, capped by the server
	sendWin  int64
	initWin  int64 // the server's initial stream window
	maxFrame int
	recv     uint32 // connection bytes received since the last WINDOW_UPDATE
	goaway   bool
	lastID   uint32
	cur      *h2stream // stream of the header block being decoded
	curID    uint32    // its id, also set when the stream is gone
	keep     bool      // a response() hook needs headers and body

	static     []byte // the static request's header block
	staticBody []byte
	staticHead bool
}

// h2Reader counts the bytes the connection reads.
type h2Reader struct{ c *conn }

func (r h2Reader) Read(p []byte) (int, error) {
	n, err := r.c.nc.Read(p)
	r.c.read += uint64(n)
	return n, err
}

func newH2Conn(c *conn) *h2conn {
	r := c.th.run
	scheme := "http"
	if r.cfg.URL.Scheme == "https" {
		scheme = "https"
	}
	h := &h2conn{
		c:       c,
		payload: make([]byte, h2MaxFrame),
		streams: make([]h2stream, r.cfg.Transport.Streams),
		enc:     newH2Encoder(scheme, r.cfg.URL.Host),
		keep:    c.hook != nil,
	}
	h.br = bufio.NewReaderSize(h2Reader{c}, 32<<10)
	h.bw = bufio.NewWriterSize(writerTo{c}, 32<<10)
	h.fr = http2.NewFramer(h.bw, nil)
	h.dec = hpack.NewDecoder(4096, h.onField)
	h.dec.SetMaxStringLength(MaxHeaderBytes)
	return h
}

// writerTo writes to the connection's current socket.
type writerTo struct{ c *conn }

func (w writerTo) Write(p []byte) (int, error) { return w.c.nc.Write(p) }

// loopH2 is conn.loop for HTTP/2: connect, run streams until the
// connection fails or the server sends GOAWAY, reconnect.
func (c *conn) loopH2() {
	r := c.th.run
	h := newH2Conn(c)
	if !c.th.dynamic {
		block, body, head, err := h.enc.encode(c.th.static.Bytes)
		if err != nil {
			r.fail(err)
			return
		}
		h.static = append([]byte(nil), block...)
		h.staticBody, h.staticHead = body, head
	}
	backoff := time.Duration(0)
	for !c.stopping() {
		if c.nc == nil {
			err := c.connect()
			if err == nil {
				err = h.start()
				if err != nil {
					c.disconnect()
				}
			}
			if err != nil {
				if !c.dialFailed(err, &backoff) {
					return
				}
				continue
			}
			backoff = 0
		}
		if err := h.serve(); err != nil {
			r.fail(err)
			return
		}
	}
}

// start sends the connection preface and settings on a new connection.
func (h *h2conn) start() error {
	h.br.Reset(h2Reader{h.c})
	h.bw.Reset(writerTo{h.c})
	for i := range h.streams {
		h.streams[i].id = 0
	}
	h.open, h.nextID, h.goaway, h.lastID = 0, 1, false, 0
	h.limit = len(h.streams)
	h.sendWin, h.initWin, h.maxFrame, h.recv = 65535, 65535, h2MaxFrame, 0
	h.cur, h.curID = nil, 0
	h.dec = hpack.NewDecoder(4096, h.onField)
	h.dec.SetMaxStringLength(MaxHeaderBytes)
	if _, err := h.bw.WriteString(http2.ClientPreface); err != nil {
		return err
	}
	if err := h.fr.WriteSettings(
		http2.Setting{ID: http2.SettingEnablePush, Val: 0},
		http2.Setting{ID: http2.SettingInitialWindowSize, Val: h2StreamWindow},
		http2.Setting{ID: http2.SettingMaxHeaderListSize, Val: MaxHeaderBytes},
	); err != nil {
		return err
	}
	if err := h.fr.WriteWindowUpdate(0, h2ConnWindow-65535); err != nil {
		return err
	}
	return nil
}

// serve runs streams on the connection until it fails (counted), the
// server sends GOAWAY and the streams it accepted are done, or the run
// ends. It returns only fatal errors.
func (h *h2conn) serve() error {
	c := h.c
	for {
		if err := h.fill(); err != nil {
			return err
		}
		if h.open == 0 && (h.goaway || c.stopping()) {
			// GOAWAY: the streams the server accepted are done; the others
			// were never counted and are sent again after reconnecting.
			c.disconnect()
			return nil
		}
		if h.br.Buffered() == 0 {
			if err := h.bw.Flush(); err != nil {
				h.fail(err, &c.totals.Errors.Write, ClassWrite)
				return nil
			}
			// As in the HTTP/1.1 loop: let the other connections run while
			// the server works, so the next read finds responses waiting
			// instead of failing with EAGAIN.
			runtime.Gosched()
		}
		ok, err := h.readFrame()
		if err != nil || !ok {
			return err
		}
	}
}

// fill opens streams up to the limit.
func (h *h2conn) fill() error {
	c := h.c
	for h.open < h.limit && !h.goaway && !c.stopping() {
		if h.nextID > h2MaxStreamID {
			h.goaway, h.lastID = true, h2MaxStreamID
			break
		}
		if ok, err := c.awaitDelay(); !ok || err != nil {
			return err
		}
		var s *h2stream
		for i := range h.streams {
			if h.streams[i].id == 0 {
				s = &h.streams[i]
				break
			}
		}
		block, body, head := h.static, h.staticBody, h.staticHead
		if c.th.dynamic {
			req, err := c.nextRequest()
			if err != nil {
				return err
			}
			if req.Count != 1 {
				return errH2Pipelined
			}
			if block, body, head, err = h.enc.encode(req.Bytes); err != nil {
				return err
			}
		}
		s.id = h.nextID
		h.nextID += 2
		s.start = c.th.run.clock()
		s.status, s.head, s.ended = 0, head, false
		s.body, s.sendWin, s.recv = body, h.initWin, 0
		s.hdr, s.resp = s.hdr[:0], s.resp[:0]
		h.open++
		if err := h.writeHeaders(s.id, block, len(body) == 0); err != nil {
			h.fail(err, &c.totals.Errors.Write, ClassWrite)
			return nil
		}
		if err := h.sendBody(s); err != nil {
			h.fail(err, &c.totals.Errors.Write, ClassWrite)
			return nil
		}
		c.sent++
		h.setInflight()
	}
	return nil
}

func (h *h2conn) writeHeaders(id uint32, block []byte, endStream bool) error {
	first := block
	if len(first) > h.maxFrame {
		first = block[:h.maxFrame]
	}
	err := h.fr.WriteHeaders(http2.HeadersFrameParam{
		StreamID: id, BlockFragment: first, EndStream: endStream, EndHeaders: len(first) == len(block),
	})
	for block = block[len(first):]; err == nil && len(block) > 0; {
		n := min(len(block), h.maxFrame)
		err = h.fr.WriteContinuation(id, n == len(block), block[:n])
		block = block[n:]
	}
	return err
}

// sendBody sends as much of the stream's request body as the server's
// windows allow; WINDOW_UPDATE frames send the rest.
func (h *h2conn) sendBody(s *h2stream) error {
	for len(s.body) > 0 && h.sendWin > 0 && s.sendWin > 0 {
		n := int(min(int64(len(s.body)), int64(h.maxFrame), h.sendWin, s.sendWin))
		if err := h.fr.WriteData(s.id, n == len(s.body), s.body[:n]); err != nil {
			return err
		}
		s.body = s.body[n:]
		h.sendWin -= int64(n)
		s.sendWin -= int64(n)
	}
	return nil
}

// setInflight publishes the oldest pending stream's start for the
// thread's timeout check.
func (h *h2conn) setInflight() {
	var oldest time.Duration
	for i := range h.streams {
		if s := &h.streams[i]; s.id != 0 && (oldest == 0 || s.start < oldest) {
			oldest = s.start
		}
	}
	h.c.inflight.Store(int64(oldest))
}

func (h *h2conn) stream(id uint32) *h2stream {
	if id == 0 {
		return nil
	}
	for i := range h.streams {
		if h.streams[i].id == id {
			return &h.streams[i]
		}
	}
	return nil
}

// fail counts a connection failure and drops the connection: a timeout for
// each stream pending longer than the timeout when the monitor expired
// it, else one error in counter.
func (h *h2conn) fail(err error, counter *uint64, class ErrorClass) {
	c := h.c
	if c.expired.Load() || errors.Is(err, os.ErrDeadlineExceeded) {
		now := c.th.run.clock()
		n := uint64(0)
		for i := range h.streams {
			if s := &h.streams[i]; s.id != 0 && now-s.start > c.th.run.cfg.Timeout {
				n++
			}
		}
		if !c.stopping() {
			for range max(n, 1) {
				c.totals.Errors.Timeout++
				c.th.stats.countError(ClassTimeout, os.ErrDeadlineExceeded, c.endpoint)
			}
			c.publish()
		}
		c.disconnect()
	} else {
		c.socketError(counter, class, err)
	}
	for i := range h.streams {
		h.streams[i].id = 0
	}
	h.open = 0
}

// readFrame reads and handles one frame. ok is false when the connection
// failed (counted and dropped); err is a script failure.
func (h *h2conn) readFrame() (ok bool, err error) {
	c := h.c
	if _, err := io.ReadFull(h.br, h.hdr[:]); err != nil {
		h.fail(err, &c.totals.Errors.Read, ClassRead)
		return false, nil
	}
	length := int(h.hdr[0])<<16 | int(h.hdr[1])<<8 | int(h.hdr[2])
	typ, flags := http2.FrameType(h.hdr[3]), http2.Flags(h.hdr[4])
	id := binary.BigEndian.Uint32(h.hdr[5:]) & (1<<31 - 1)
	if length > len(h.payload) {
		h.fail(errH2FrameSize, &c.totals.Errors.Read, ClassRead)
		return false, nil
	}
	p := h.payload[:length]
	if _, err := io.ReadFull(h.br, p); err != nil {
		h.fail(err, &c.totals.Errors.Read, ClassRead)
		return false, nil
	}
	if h.curID != 0 && typ != http2.FrameContinuation {
		h.fail(errH2Protocol, &c.totals.Errors.Read, ClassRead)
		return false, nil
	}
	if err := h.handle(typ, flags, id, p); err != nil {
		if se, ok := err.(scriptError); ok {
			return false, se.err
		}
		h.fail(err, &c.totals.Errors.Read, ClassRead)
		return false, nil
	}
	return true, nil
}

// scriptError wraps a response() hook failure, which ends the run.
type scriptError struct{ err error }

func (e scriptError) Error() string { return e.err.Error() }

func (h *h2conn) handle(typ http2.FrameType, flags http2.Flags, id uint32, p []byte) error {
	switch typ {
	case http2.FrameData:
		return h.data(flags, id, p)
	case http2.FrameHeaders:
		if flags.Has(http2.FlagHeadersPadded) {
			if len(p) < 1 || int(p[0]) > len(p)-1 {
				return errH2Protocol
			}
			p = p[1 : len(p)-int(p[0])]
		}
		if flags.Has(http2.FlagHeadersPriority) {
			if len(p) < 5 {
				return errH2Protocol
			}
			p = p[5:]
		}
		h.curID, h.cur = id, h.stream(id)
		// Without a hook only the status matters. When the block starts
		// with a status from the static table, as it usually does, the
		// decoder need not make strings of the other fields.
		emit := h.keep
		if s := h.cur; s != nil {
			s.ended = flags.Has(http2.FlagHeadersEndStream)
			if h.keep && s.status == 0 {
				s.hdr = s.hdr[:0]
			}
			if s.status == 0 && !h.keep {
				if s.status = staticStatus(p); s.status == 0 {
					emit = true
				}
			}
		}
		h.dec.SetEmitEnabled(emit)
		return h.headerBlock(p, flags.Has(http2.FlagHeadersEndHeaders))
	case http2.FrameContinuation:
		if id != h.curID || h.curID == 0 {
			return errH2Protocol
		}
		return h.headerBlock(p, flags.Has(http2.FlagContinuationEndHeaders))
	case http2.FrameSettings:
		if flags.Has(http2.FlagSettingsAck) {
			return nil
		}
		if len(p)%6 != 0 {
			return errH2Protocol
		}
		for ; len(p) > 0; p = p[6:] {
			v := binary.BigEndian.Uint32(p[2:])
			switch http2.SettingID(binary.BigEndian.Uint16(p)) {
			case http2.SettingMaxConcurrentStreams:
				h.limit = min(len(h.streams), int(min(v, 1<<20)))
			case http2.SettingInitialWindowSize:
				delta := int64(v) - h.initWin
				h.initWin = int64(v)
				for i := range h.streams {
					if h.streams[i].id != 0 {
						h.streams[i].sendWin += delta
					}
				}
			case http2.SettingMaxFrameSize:
				h.maxFrame = int(min(v, 1<<24-1))
			case http2.SettingHeaderTableSize:
				// The encoder keeps no table; nothing to shrink.
			}
		}
		if err := h.fr.WriteSettingsAck(); err != nil {
			return err
		}
		return h.resume()
	case http2.FramePing:
		if len(p) != 8 {
			return errH2Protocol
		}
		if !flags.Has(http2.FlagPingAck) {
			return h.fr.WritePing(true, [8]byte(p))
		}
		return nil
	case http2.FrameWindowUpdate:
		if len(p) != 4 {
			return errH2Protocol
		}
		inc := int64(binary.BigEndian.Uint32(p) & (1<<31 - 1))
		if id == 0 {
			h.sendWin += inc
		} else if s := h.stream(id); s != nil {
			s.sendWin += inc
		}
		return h.resume()
	case http2.FrameGoAway:
		if len(p) < 8 {
			return errH2Protocol
		}
		h.goaway = true
		h.lastID = binary.BigEndian.Uint32(p) & (1<<31 - 1)
		for i := range h.streams {
			if s := &h.streams[i]; s.id > h.lastID {
				s.id = 0
				h.open--
			}
		}
		h.setInflight()
		return nil
	case http2.FrameRSTStream:
		if s := h.stream(id); s != nil {
			s.id = 0
			h.open--
			if !h.c.stopping() {
				h.c.totals.Errors.Reset++
				h.c.publish()
			}
			h.setInflight()
		}
		return nil
	case http2.FramePushPromise:
		return errH2Protocol // push is disabled in our SETTINGS
	}
	return nil // PRIORITY and unknown frames are ignored
}

// resume sends request bodies the windows held back.
func (h *h2conn) resume() error {
	for i := range h.streams {
		if s := &h.streams[i]; s.id != 0 && len(s.body) > 0 {
			if err := h.sendBody(s); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *h2conn) headerBlock(p []byte, end bool) error {
	if _, err := h.dec.Write(p); err != nil {
		return errH2Protocol
	}
	if !end {
		return nil
	}
	if err := h.dec.Close(); err != nil {
		return errH2Protocol
	}
	s := h.cur
	h.cur, h.curID = nil, 0
	if s == nil {
		return nil
	}
	if s.status >= 100 && s.status < 200 && !s.ended {
		s.status = 0 // informational; the final header block follows
		return nil
	}
	if s.ended {
		return h.complete(s)
	}
	return nil
}

// onField receives each decoded header field.
func (h *h2conn) onField(f hpack.HeaderField) {
	s := h.cur
	if s == nil {
		return
	}
	if f.Name == ":status" {
		if s.status != 0 {
			return // trailers carry no status; a second one is ignored
		}
		n, err := strconv.Atoi(f.Value)
		if err != nil || n < 100 || n >= maxStatus {
			n = 0
		}
		s.status = n
		if h.keep {
			s.hdr = append(s.hdr, "HTTP/1.1 "...)
			s.hdr = strconv.AppendInt(s.hdr, int64(n), 10)
			s.hdr = append(s.hdr, " \r\n"...)
		}
		return
	}
	if h.keep && len(f.Name) > 0 && f.Name[0] != ':' && len(s.hdr) < MaxHeaderBytes {
		s.hdr = append(s.hdr, f.Name...)
		s.hdr = append(s.hdr, ": "...)
		s.hdr = append(s.hdr, f.Value...)
		s.hdr = append(s.hdr, "\r\n"...)
	}
}

func (h *h2conn) data(flags http2.Flags, id uint32, p []byte) error {
	n := uint32(len(p))
	if flags.Has(http2.FlagDataPadded) {
		if len(p) < 1 || int(p[0]) > len(p)-1 {
			return errH2Protocol
		}
		p = p[1 : len(p)-int(p[0])]
	}
	h.recv += n
	if h.recv >= h2ConnWindow/2 {
		if err := h.fr.WriteWindowUpdate(0, h.recv); err != nil {
			return err
		}
		h.recv = 0
	}
	s := h.stream(id)
	if s == nil {
		return nil
	}
	if s.status == 0 {
		return errH2NoResponse
	}
	if h.keep {
		if len(s.resp)+len(p) > h.c.th.run.cfg.MaxBody {
			h.c.totals.Errors.OverCap++
			return errBodyTooLarge
		}
		s.resp = append(s.resp, p...)
	}
	if flags.Has(http2.FlagDataEndStream) {
		return h.complete(s)
	}
	s.recv += n
	if s.recv >= h2StreamWindow/2 {
		if err := h.fr.WriteWindowUpdate(id, s.recv); err != nil {
			return err
		}
		s.recv = 0
	}
	return nil
}

// complete counts a stream's response and frees its slot.
func (h *h2conn) complete(s *h2stream) error {
	c := h.c
	r := c.th.run
	if s.status == 0 {
		return errH2NoResponse
	}
	end := r.clock()
	latency := end - s.start
	status := s.status
	s.id = 0
	h.open--
	h.setInflight()
	if c.hook != nil {
		s.hdr = append(s.hdr, "\r\n"...)
		c.parser.Header, c.parser.Body = s.hdr, s.resp
		resp, err := c.hook.fill(&c.parser)
		if err != nil {
			return err
		}
		if err := c.th.script.Response(resp); err != nil {
			return scriptError{err}
		}
	}
	if latency > r.cfg.Timeout {
		c.totals.Errors.Timeout++
		c.th.stats.countError(ClassTimeout, os.ErrDeadlineExceeded, c.endpoint)
		c.publish()
		return nil
	}
	c.batch = append(c.batch, sample{status: uint16(status), latency: uint32(min(latency/time.Microsecond, histHighest)) + 1})
	c.totals.Requests++
	if status > 399 {
		c.totals.Errors.Status++
	}
	c.totals.Bytes = c.read
	c.publish()
	if len(c.batch) >= samplesPerFlush || end-c.lastSent > flushInterval {
		c.flush(end)
	}
	return nil
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
