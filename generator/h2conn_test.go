package generator

import (
	"bytes"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// scriptedConn is a socket whose server side is canned: reads come from
// in, writes go to out.
type scriptedConn struct {
	net.Conn
	in  *bytes.Reader
	out bytes.Buffer
}

func (s *scriptedConn) Read(p []byte) (int, error) {
	if s.in.Len() == 0 {
		return 0, io.EOF
	}
	return s.in.Read(p)
}
func (s *scriptedConn) Write(p []byte) (int, error)      { return s.out.Write(p) }
func (s *scriptedConn) Close() error                     { return nil }
func (s *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (s *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (s *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

// serverFrames writes what a server sends, frame by frame.
type serverFrames struct {
	buf bytes.Buffer
	fr  *http2.Framer
	hb  bytes.Buffer
	enc *hpack.Encoder
}

func newServerFrames() *serverFrames {
	s := &serverFrames{}
	s.fr = http2.NewFramer(&s.buf, nil)
	s.enc = hpack.NewEncoder(&s.hb)
	return s
}

func (s *serverFrames) response(id uint32, status string, body string) {
	s.hb.Reset()
	_ = s.enc.WriteField(hpack.HeaderField{Name: ":status", Value: status})
	_ = s.enc.WriteField(hpack.HeaderField{Name: "content-type", Value: "text/plain"})
	// Like nginx: fields the client's decoder must read as new strings.
	_ = s.enc.WriteField(hpack.HeaderField{Name: "date", Value: "Tue, 01 Dec 2026 06:50:46 GMT", Sensitive: true})
	_ = s.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: s.hb.Bytes(), EndHeaders: true, EndStream: body == ""})
	if body != "" {
		_ = s.fr.WriteData(id, true, []byte(body))
	}
}

// newH2Test returns a connection of a one-connection HTTP/2 run whose
// server sends what frames holds.
func newH2Test(t testing.TB, streams int, frames []byte) (*h2conn, *scriptedConn) {
	t.Helper()
	u, _ := url.Parse("http://127.0.0.1:1/")
	cfg, err := (&Config{URL: u, Connections: 1, Threads: 1, Duration: time.Minute,
		Transport: Transport{HTTP2: true, Streams: streams}}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg)
	r.epoch = time.Now().Add(-time.Second)
	th := newThread(r, 0, 1, nil)
	if th.static, err = StaticRequest(&cfg); err != nil {
		t.Fatal(err)
	}
	c := th.conns[0]
	sc := &scriptedConn{in: bytes.NewReader(frames)}
	c.nc = sc
	h := newH2Conn(c)
	block, body, head, err := h.enc.encode(th.static.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	h.static, h.staticBody, h.staticHead = append([]byte(nil), block...), body, head
	if err := h.start(); err != nil {
		t.Fatal(err)
	}
	return h, sc
}

// step opens streams and reads frames until none is open or the input
// ends.
func step(t testing.TB, h *h2conn) {
	if err := h.fill(); err != nil {
		t.Fatal(err)
	}
	for h.open > 0 {
		ok, err := h.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return
		}
	}
}

// The steady state, a request and its response per stream, allocates
// nothing.
func TestH2StreamDoesNotAllocate(t *testing.T) {
	const n = 3000
	s := newServerFrames()
	_ = s.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 100})
	for i := range n {
		status := "200"
		if i%10 == 0 {
			status = "404"
		}
		s.response(uint32(1+2*i), status, "ok")
	}
	h, _ := newH2Test(t, 1, s.buf.Bytes())
	for range 100 {
		step(t, h)
	}
	allocs := testing.AllocsPerRun(2000, func() { step(t, h) })
	if allocs != 0 {
		t.Errorf("%.2f allocations per request, want 0", allocs)
	}
	if h.c.totals.Requests != 2101 || h.c.totals.Errors.Socket() != 0 || h.c.totals.Errors.Status != 211 {
		t.Errorf("requests %d, errors %+v", h.c.totals.Requests, h.c.totals.Errors)
	}
}

// RST_STREAM counts a reset, PING is answered, SETTINGS acknowledged, and
// GOAWAY drops the streams the server did not take without counting them.
func TestH2ControlFrames(t *testing.T) {
	s := newServerFrames()
	_ = s.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 3})
	_ = s.fr.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	_ = s.fr.WriteRSTStream(1, http2.ErrCodeRefusedStream)
	s.response(3, "200", "ok")
	s.response(5, "503", "")
	_ = s.fr.WriteGoAway(9, http2.ErrCodeNo, nil)
	s.response(7, "200", "ok")
	s.response(9, "200", "ok")
	h, sc := newH2Test(t, 4, s.buf.Bytes())
	// The server's SETTINGS arrive before the first requests.
	if ok, err := h.readFrame(); !ok || err != nil || h.limit != 3 {
		t.Fatalf("settings: ok %v err %v limit %d", ok, err, h.limit)
	}
	for h.c.totals.Requests+h.c.totals.Errors.Reset < 4 {
		if err := h.fill(); err != nil {
			t.Fatal(err)
		}
		if ok, err := h.readFrame(); !ok || err != nil {
			t.Fatalf("ok %v err %v, errors %+v", ok, err, h.c.totals.Errors)
		}
	}
	for h.open > 0 {
		if ok, err := h.readFrame(); !ok || err != nil {
			t.Fatalf("ok %v err %v", ok, err)
		}
	}
	tot := h.c.totals
	if tot.Requests != 4 || tot.Errors.Reset != 1 || tot.Errors.Status != 1 || tot.Errors.Read != 0 || !h.goaway {
		t.Errorf("requests %d, errors %+v, goaway %v", tot.Requests, tot.Errors, h.goaway)
	}
	// Streams 1 to 9 and 11 (dropped by the GOAWAY, never counted) went out;
	// the server saw a PING ack and a SETTINGS ack.
	_ = h.bw.Flush()
	fr := http2.NewFramer(nil, bytes.NewReader(bytes.TrimPrefix(sc.out.Bytes(), []byte(http2.ClientPreface))))
	var pingAck, settingsAck bool
	var headers []uint32
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		switch f := f.(type) {
		case *http2.PingFrame:
			pingAck = f.IsAck() && f.Data == [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
		case *http2.SettingsFrame:
			settingsAck = settingsAck || f.IsAck()
		case *http2.HeadersFrame:
			headers = append(headers, f.StreamID)
		}
	}
	if !pingAck || !settingsAck {
		t.Errorf("ping ack %v, settings ack %v", pingAck, settingsAck)
	}
	if len(headers) < 5 || headers[0] != 1 || headers[4] != 9 {
		t.Errorf("streams sent %v", headers)
	}
}

// A request body larger than the server's window waits for WINDOW_UPDATE.
func TestH2RequestBodyFlowControl(t *testing.T) {
	s := newServerFrames()
	_ = s.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 10})
	_ = s.fr.WriteWindowUpdate(1, 100)
	s.response(1, "200", "ok")
	h, sc := newH2Test(t, 1, s.buf.Bytes())
	if ok, err := h.readFrame(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	h.staticBody = bytes.Repeat([]byte("x"), 50)
	step(t, h)
	_ = h.bw.Flush()
	fr := http2.NewFramer(nil, bytes.NewReader(bytes.TrimPrefix(sc.out.Bytes(), []byte(http2.ClientPreface))))
	var sizes []int
	var ended bool
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break
		}
		if d, ok := f.(*http2.DataFrame); ok {
			sizes = append(sizes, len(d.Data()))
			ended = d.StreamEnded()
		}
	}
	if len(sizes) != 2 || sizes[0] != 10 || sizes[1] != 40 || !ended || h.c.totals.Requests != 1 {
		t.Errorf("DATA frames %v (ended %v), requests %d", sizes, ended, h.c.totals.Requests)
	}
}

func TestStaticStatus(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want int
	}{
		{[]byte{0x88}, 200}, {[]byte{0x8e}, 500}, {[]byte{0x8d, 0x0f}, 404},
		{[]byte{0x20, 0x88}, 200},             // size update to 0 first
		{[]byte{0x3f, 0xe1, 0x1f, 0x8b}, 304}, // size update 4096 first
		{[]byte{0x87}, 0},                     // :scheme https, not a status
		{[]byte{0x48, 0x03, '5', '0', '3'}, 0},
		{nil, 0},
	} {
		if got := staticStatus(tc.in); got != tc.want {
			t.Errorf("% x: %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestH2EncodeRequest(t *testing.T) {
	e := newH2Encoder("https", "example.com:8443")
	raw := []byte("POST /p?q=1 HTTP/1.1\r\nHost: other.test\r\nConnection: keep-alive\r\nX-Token: A\r\nContent-Length: 4\r\n\r\nbody")
	block, body, head, err := e.encode(raw)
	if err != nil || string(body) != "body" || head {
		t.Fatalf("body %q head %v err %v", body, head, err)
	}
	fields, err := hpack.NewDecoder(4096, nil).DecodeFull(block)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fields {
		got = append(got, f.Name+"="+f.Value)
	}
	want := []string{":method=POST", ":scheme=https", ":authority=other.test", ":path=/p?q=1", "x-token=A", "content-length=4"}
	if len(got) != len(want) {
		t.Fatalf("fields %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %q, want %q", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"GET\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 1\r\n\r\nab", "GET / HTTP/1.1\r\nBroken\r\n\r\n"} {
		if _, _, _, err := e.encode([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
