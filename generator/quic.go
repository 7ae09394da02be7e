package generator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quic-go/quic-go"
)

// HTTP/3 over QUIC (quic-go) on the goroutine engine. A QUIC stream carries
// one request (the wire/h3 codec frames it), so to the engine a stream is
// what a TCP connection is to HTTP/1.1: it "dials" a stream, writes the
// request, reads the response to the stream's end, and "reconnects" with
// the next stream. --streams N gives each QUIC connection N such engine
// connections, each with one request out at a time; they share the QUIC
// connection, which the first to find it missing or gone dials again.

// HTTP/3 error codes (RFC 9114, section 8.1).
const (
	h3NoError          = 0x100
	h3RequestRejected  = 0x10b
	h3RequestCancelled = 0x10c
)

// errStreamRefused is a stream the server refused unprocessed
// (H3_REQUEST_REJECTED): neither sent nor an error, as a stream above an
// HTTP/2 GOAWAY.
var errStreamRefused = errors.New("stream refused by the server")

// streamResetError is a stream the server reset; it is errStreamReset.
type streamResetError struct{ code quic.StreamErrorCode }

func (e streamResetError) Error() string {
	return fmt.Sprintf("%s (code %#x)", errStreamReset, uint64(e.code))
}

func (e streamResetError) Is(target error) bool { return target == errStreamReset }

// quicPool holds a run's QUIC connections, one per group.
type quicPool struct {
	tls     *tls.Config
	conf    *quic.Config
	addr    *net.UDPAddr
	groups  []quicGroup
	timeout time.Duration
	// transports hold the UDP sockets the connections share, so that one
	// read takes the packets of many: by source address (one without
	// --source-addrs).
	trMu       sync.Mutex
	transports map[netip.Addr]*quic.Transport
	sources    []netip.Addr // Transport.SourceAddrs
}

// quicGroup is one QUIC connection and the engine connections sharing it.
// mu is taken to replace the connection, never per request.
type quicGroup struct {
	mu   sync.Mutex
	conn atomic.Pointer[quicConn]
	// failedAt and failed are the last dial's failure, which the
	// connections that waited for that dial share rather than each
	// dialing again.
	failedAt time.Time
	failed   error
}

// quicConn is a QUIC connection in use.
type quicConn struct {
	qc     *quic.Conn
	goaway atomic.Bool
}

// usable reports whether new streams may open on the connection.
func (c *quicConn) usable() bool {
	return c != nil && c.qc.Context().Err() == nil && !c.goaway.Load()
}

func newQUICPool(cfg *Config, d *dialer, addr net.Addr, groups int) (*quicPool, error) {
	ua, err := net.ResolveUDPAddr("udp", addr.String())
	if err != nil {
		return nil, err
	}
	tc := d.tls.Clone()
	tc.NextProtos = []string{"h3"}
	if tc.ClientSessionCache != nil {
		tc.ClientSessionCache = quicSessionCache{tc.ClientSessionCache}
	}
	idle := max(2*cfg.Timeout, 5*time.Second)
	p := &quicPool{
		tls: tc,
		conf: &quic.Config{
			HandshakeIdleTimeout: cfg.Timeout,
			MaxIdleTimeout:       idle,
			KeepAlivePeriod:      idle / 3,
		},
		addr:       ua,
		groups:     make([]quicGroup, groups),
		timeout:    cfg.Timeout,
		transports: map[netip.Addr]*quic.Transport{},
		sources:    cfg.Transport.SourceAddrs,
	}
	return p, nil
}

// transport is the shared UDP socket for group's source address.
func (p *quicPool) transport(group int) (*quic.Transport, error) {
	var src netip.Addr // the zero Addr: the system's choice
	if i := sourceOf(p.sources, group); i >= 0 {
		src = p.sources[i]
	}
	p.trMu.Lock()
	defer p.trMu.Unlock()
	if tr := p.transports[src]; tr != nil {
		return tr, nil
	}
	var local *net.UDPAddr
	if src.IsValid() {
		local = net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
	}
	udp, err := net.ListenUDP("udp", local)
	if err != nil {
		return nil, err
	}
	tr := &quic.Transport{Conn: udp}
	p.transports[src] = tr
	return tr, nil
}

// dialConn makes a QUIC connection, sends the client's control stream and
// starts reading the server's. The handshake's time is recorded when it
// completes: with 0-RTT, requests go before that.
func (p *quicPool) dialConn(ctx context.Context, group int, stats *connectStats) (*quicConn, error) {
	tr, err := p.transport(group)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	qc, err := tr.DialEarly(dctx, p.addr, p.tls, p.conf)
	if err != nil {
		return nil, err
	}
	c := &quicConn{qc: qc}
	go func() {
		select {
		case <-qc.HandshakeComplete():
			stats.recordQUIC(time.Since(start), qc.ConnectionState().Used0RTT)
		case <-qc.Context().Done():
		}
	}()
	// The control stream: its type, then an empty SETTINGS frame (QPACK
	// without a dynamic table, the defaults).
	ctl, err := qc.OpenUniStream()
	if err == nil {
		_, err = ctl.Write([]byte{0x00, 0x04, 0x00})
	}
	if err != nil {
		c.close()
		return nil, err
	}
	go c.readControl()
	return c, nil
}

// readControl takes the server's unidirectional streams: its control
// stream, whose GOAWAY ends new streams on this connection, and QPACK's
// streams, which carry nothing without a dynamic table.
func (c *quicConn) readControl() {
	ctx := c.qc.Context()
	for {
		s, err := c.qc.AcceptUniStream(ctx)
		if err != nil {
			return
		}
		go func() {
			buf := make([]byte, 4096)
			var pending []byte
			first := true
			for {
				n, err := s.Read(buf)
				pending = append(pending, buf[:n]...)
				if first && len(pending) > 0 {
					typ, k := quicVarint(pending)
					if k == 0 {
						continue
					}
					if typ != 0x00 { // not the control stream: drain it
						s.CancelRead(h3NoError)
						return
					}
					pending, first = pending[k:], false
				}
				for !first {
					typ, k := quicVarint(pending)
					length, m := quicVarint(pending[min(k, len(pending)):])
					if k == 0 || m == 0 || uint64(len(pending)-k-m) < length {
						break
					}
					if typ == 0x07 { // GOAWAY
						c.goaway.Store(true)
					}
					pending = pending[k+m+int(length):]
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func (c *quicConn) close() { _ = c.qc.CloseWithError(h3NoError, "") }

// quicVarint reads QUIC's variable-length integer; k is 0 when it is not
// all there.
func quicVarint(b []byte) (v uint64, k int) {
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

// openStream returns a new request stream on group's connection, dialing
// it first when it is missing, gone or going away.
func (p *quicPool) openStream(ctx context.Context, group int, stats *connectStats) (net.Conn, error) {
	g := &p.groups[group]
	c := g.conn.Load()
	if !c.usable() {
		var err error
		if c, err = p.replace(ctx, g, c, group, stats); err != nil {
			return nil, err
		}
	}
	s, err := c.qc.OpenStreamSync(ctx)
	if err != nil {
		return nil, err
	}
	return &quicStream{s: s, c: c}, nil
}

// replace dials a connection in place of old, unless another engine
// connection of the group did so meanwhile; a dial that just failed is
// shared by those that waited for it.
func (p *quicPool) replace(ctx context.Context, g *quicGroup, old *quicConn, group int, stats *connectStats) (*quicConn, error) {
	waited := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if c := g.conn.Load(); c != old && c.usable() {
		return c, nil
	}
	if g.failed != nil && g.failedAt.After(waited) {
		return nil, sharedDialError{g.failed}
	}
	if old != nil {
		// Its streams in progress finish or fail on their own.
		go func() {
			select {
			case <-old.qc.Context().Done():
			case <-time.After(p.timeout):
			}
			old.close()
		}()
	}
	c, err := p.dialConn(ctx, group, stats)
	if err != nil {
		g.failed, g.failedAt = err, time.Now()
		g.conn.Store(nil)
		return nil, err
	}
	g.failed = nil
	g.conn.Store(c)
	return c, nil
}

// sharedDialError is a failed dial an engine connection waited for and
// did not make itself: counted once, by the one that made it.
type sharedDialError struct{ err error }

func (e sharedDialError) Error() string { return e.err.Error() }
func (e sharedDialError) Unwrap() error { return e.err }

// close ends every connection of the pool, and its sockets.
func (p *quicPool) close() {
	for i := range p.groups {
		g := &p.groups[i]
		g.mu.Lock()
		if c := g.conn.Swap(nil); c != nil {
			c.close()
		}
		g.mu.Unlock()
	}
	p.trMu.Lock()
	for src, tr := range p.transports {
		_ = tr.Close()
		_ = tr.Conn.Close()
		delete(p.transports, src)
	}
	p.trMu.Unlock()
}

// quicStream is a request stream as the goroutine engine's net.Conn.
type quicStream struct {
	s    *quic.Stream
	c    *quicConn
	done bool // the response was read to the stream's end
}

func (q *quicStream) Read(b []byte) (int, error) {
	n, err := q.s.Read(b)
	q.done = q.done || err == io.EOF
	return n, streamError(err)
}

func (q *quicStream) Write(b []byte) (int, error) {
	n, err := q.s.Write(b)
	return n, streamError(err)
}

// CloseWrite ends the request: the stream's sending side closes.
func (q *quicStream) CloseWrite() error { return q.s.Close() }

// Close gives the stream up, unless it ended on its own.
func (q *quicStream) Close() error {
	if !q.done {
		q.s.CancelRead(h3RequestCancelled)
		q.s.CancelWrite(h3RequestCancelled)
	}
	return nil
}

func (q *quicStream) LocalAddr() net.Addr                { return q.c.qc.LocalAddr() }
func (q *quicStream) RemoteAddr() net.Addr               { return q.c.qc.RemoteAddr() }
func (q *quicStream) SetDeadline(t time.Time) error      { return q.s.SetDeadline(t) }
func (q *quicStream) SetReadDeadline(t time.Time) error  { return q.s.SetReadDeadline(t) }
func (q *quicStream) SetWriteDeadline(t time.Time) error { return q.s.SetWriteDeadline(t) }

// streamError names a server's reset of the stream; other errors are the
// connection's, or deadlines.
func streamError(err error) error {
	var se *quic.StreamError
	if err == nil || !errors.As(err, &se) || !se.Remote {
		return err
	}
	if se.ErrorCode == h3RequestRejected {
		return errStreamRefused
	}
	return streamResetError{se.ErrorCode}
}

// preflightQUIC makes one QUIC connection, so that a server without HTTP/3
// fails the run with one line.
func preflightQUIC(ctx context.Context, p *quicPool) error {
	c, err := p.dialConn(ctx, 0, nil)
	if err == nil {
		select {
		case <-c.qc.HandshakeComplete():
		case <-c.qc.Context().Done():
			err = context.Cause(c.qc.Context())
		case <-ctx.Done():
			err = ctx.Err()
		case <-time.After(p.timeout):
			err = os.ErrDeadlineExceeded
		}
		c.close()
	}
	p.close()
	if err != nil {
		var idle *quic.IdleTimeoutError
		var hs *quic.HandshakeTimeoutError
		if errors.As(err, &idle) || errors.As(err, &hs) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("connecting to %s over QUIC: no answer within %v (no HTTP/3 on that UDP port?)", p.addr, p.timeout)
		}
		return fmt.Errorf("connecting to %s over QUIC: %w", p.addr, err)
	}
	return nil
}

// quicSessionCache hands each dial its own copy of a cached session: a QUIC
// handshake writes to the session it resumes (whether 0-RTT was accepted),
// so connections dialled together must not share one.
type quicSessionCache struct{ tls.ClientSessionCache }

func (c quicSessionCache) Get(key string) (*tls.ClientSessionState, bool) {
	cs, ok := c.ClientSessionCache.Get(key)
	if !ok || cs == nil {
		return nil, false
	}
	ticket, state, err := cs.ResumptionState()
	if err != nil || state == nil {
		return nil, false
	}
	b, err := state.Bytes()
	if err != nil {
		return nil, false
	}
	if state, err = tls.ParseSessionState(b); err != nil {
		return nil, false
	}
	if cs, err = tls.NewResumptionState(ticket, state); err != nil {
		return nil, false
	}
	return cs, true
}
