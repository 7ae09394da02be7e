package h2

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gowrk/gowrk/generator/wire"
)

var getRequest = []byte("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")

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

// client drives a codec as an engine does: it keeps every slot busy with
// req, hands the server's bytes over step bytes at a time, keeps what Parse
// leaves, and collects what the codec writes and the events.
type client struct {
	c       *Codec
	req     []byte
	busy    []bool
	events  []wire.Event
	written bytes.Buffer
	pending []byte
	keep    bool
}

func newClient(streams int, keep bool) *client {
	cl := &client{c: NewCodec(streams, "http", "example.com", keep, 64), req: getRequest, busy: make([]bool, streams), keep: keep}
	cl.c.Reset()
	return cl
}

// start fills the free slots the codec has room for.
func (cl *client) start(t testing.TB) {
	for i := range cl.busy {
		if cl.c.Room() == 0 {
			break
		}
		if !cl.busy[i] {
			if err := cl.c.Send(i, cl.req, 1, nil); err != nil {
				t.Fatal(err)
			}
			cl.busy[i] = true
		}
	}
}

// flush takes what the codec wrote.
func (cl *client) flush() {
	for out := cl.c.Output(); len(out) > 0; out = cl.c.Output() {
		cl.written.Write(out)
		cl.c.Wrote(len(out))
	}
}

// feed parses in, step bytes at a time (all at once for 0), starting
// requests after every event; it returns the connection error, if any.
func (cl *client) feed(t testing.TB, in []byte, step int) error {
	if step <= 0 {
		step = len(in) + 1
	}
	for off := 0; off < len(in); off += step {
		cl.pending = append(cl.pending, in[off:min(off+step, len(in))]...)
		for {
			n, ev, err := cl.c.Parse(cl.pending)
			cl.pending = cl.pending[n:]
			if err != nil {
				return err
			}
			if ev.Kind == wire.None {
				break
			}
			cl.busy[ev.Flight] = false
			cl.events = append(cl.events, ev)
			cl.start(t)
		}
		if len(cl.pending) > cl.c.MaxPending() {
			t.Fatalf("%d bytes left unparsed, over %d", len(cl.pending), cl.c.MaxPending())
		}
	}
	return nil
}

// sentFrames reads back what the client wrote.
func (cl *client) sentFrames(t testing.TB) []http2.Frame {
	cl.flush()
	b := cl.written.Bytes()
	if !bytes.HasPrefix(b, []byte(http2.ClientPreface)) {
		t.Fatalf("no client preface: %q", b[:min(len(b), 24)])
	}
	fr := http2.NewFramer(nil, bytes.NewReader(b[len(http2.ClientPreface):]))
	var out []http2.Frame
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return out
		}
		if d, ok := f.(*http2.DataFrame); ok {
			// ReadFrame reuses the frame; keep a copy of what the test reads.
			out = append(out, &copiedData{stream: d.StreamID, size: len(d.Data()), end: d.StreamEnded()})
			continue
		}
		out = append(out, f)
	}
}

type copiedData struct {
	http2.Frame
	stream uint32
	size   int
	end    bool
}

func count(evs []wire.Event, k wire.Kind) (n int) {
	for _, ev := range evs {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

// The steady state, a request and its response per stream, allocates
// nothing.
func TestStreamDoesNotAllocate(t *testing.T) {
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
	in := s.buf.Bytes()
	c := NewCodec(1, "http", "example.com", false, 0)
	c.Reset()
	c.Wrote(len(c.Output()))
	one := func() {
		if err := c.Send(0, getRequest, 1, nil); err != nil {
			t.Fatal(err)
		}
		c.Wrote(len(c.Output()))
		for {
			m, ev, err := c.Parse(in)
			in = in[m:]
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind == wire.Response {
				if ev.Status != 200 && ev.Status != 404 {
					t.Fatalf("status %d", ev.Status)
				}
				c.Wrote(len(c.Output()))
				return
			}
		}
	}
	for range 100 {
		one()
	}
	if allocs := testing.AllocsPerRun(2000, one); allocs != 0 {
		t.Errorf("%.2f allocations per request, want 0", allocs)
	}
}

// Every split of the server's bytes gives the same events.
func TestResponsesWhateverTheSplit(t *testing.T) {
	s := newServerFrames()
	for i := range 20 {
		s.response(uint32(1+2*i), "200", string(bytes.Repeat([]byte("b"), i*3)))
	}
	for _, step := range []int{0, 1, 3, 9, 100} {
		cl := newClient(4, true)
		cl.start(t)
		if err := cl.feed(t, s.buf.Bytes(), step); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if got := count(cl.events, wire.Response); got != 20 {
			t.Errorf("step %d: %d responses, want 20", step, got)
		}
	}
}

// RST_STREAM ends its flight as a reset, PING is answered, SETTINGS
// acknowledged and obeyed, and GOAWAY refuses the streams past its last:
// the codec then takes no more.
func TestControlFrames(t *testing.T) {
	s := newServerFrames()
	_ = s.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 3})
	_ = s.fr.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	_ = s.fr.WriteRSTStream(1, http2.ErrCodeRefusedStream)
	s.response(3, "200", "ok")
	s.response(5, "503", "")
	_ = s.fr.WriteGoAway(9, http2.ErrCodeNo, nil)
	s.response(7, "200", "ok")
	s.response(9, "200", "ok")
	cl := newClient(4, false)
	cl.start(t) // streams 1, 3, 5, 7 before the server's SETTINGS
	if err := cl.feed(t, s.buf.Bytes(), 0); err != nil {
		t.Fatal(err)
	}
	// 1 reset; 3, 5, 7 answered and 9, 11 opened after them; 9 answered
	// after the GOAWAY, 11 refused.
	if r, ok, ref := count(cl.events, wire.Reset), count(cl.events, wire.Response), count(cl.events, wire.Refused); r != 1 || ok != 4 || ref != 1 {
		t.Errorf("events %+v", cl.events)
	}
	if cl.c.Room() != 0 || cl.c.Reusable() || cl.c.open != 0 {
		t.Errorf("after GOAWAY: room %d, reusable %v, open %d", cl.c.Room(), cl.c.Reusable(), cl.c.open)
	}
	var pingAck, settingsAck bool
	var headers []uint32
	for _, f := range cl.sentFrames(t) {
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
	if want := []uint32{1, 3, 5, 7, 9, 11}; !equal(headers, want) {
		t.Errorf("streams sent %v, want %v", headers, want)
	}
}

func equal(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A request body larger than the server's window waits for WINDOW_UPDATE.
func TestRequestBodyFlowControl(t *testing.T) {
	s := newServerFrames()
	_ = s.fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 10})
	_ = s.fr.WriteWindowUpdate(1, 100)
	s.response(1, "200", "ok")
	frames := s.buf.Bytes()
	cl := newClient(1, false)
	// The server's SETTINGS arrive before the request.
	settingsEnd := frameHeader + 6
	if err := cl.feed(t, frames[:settingsEnd], 0); err != nil {
		t.Fatal(err)
	}
	cl.req = append([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n"), bytes.Repeat([]byte("x"), 50)...)
	cl.start(t)
	clear(cl.req) // the codec keeps what still waits for window
	cl.req = getRequest
	if err := cl.feed(t, frames[settingsEnd:], 0); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	var ended bool
	for _, f := range cl.sentFrames(t) {
		if d, ok := f.(*copiedData); ok {
			sizes = append(sizes, d.size)
			ended = d.end
		}
	}
	if len(sizes) != 2 || sizes[0] != 10 || sizes[1] != 40 || !ended || count(cl.events, wire.Response) != 1 {
		t.Errorf("DATA frames %v (ended %v), events %+v", sizes, ended, cl.events)
	}
}

// A body over the cap fails its stream alone; the next stream is
// answered.
func TestBodyOverTheCapFailsTheStream(t *testing.T) {
	s := newServerFrames()
	s.response(1, "200", string(bytes.Repeat([]byte("b"), 65)))
	s.response(3, "200", "fine")
	cl := newClient(2, true)
	cl.start(t)
	if err := cl.feed(t, s.buf.Bytes(), 5); err != nil {
		t.Fatal(err)
	}
	if len(cl.events) != 2 || cl.events[0].Kind != wire.Failed || !errors.Is(cl.events[0].Err, ErrBodyTooLarge) ||
		cl.events[1].Kind != wire.Response || cl.events[1].Flight != 1 {
		t.Fatalf("events %+v", cl.events)
	}
	head, body := cl.c.Hook()
	if string(body) != "fine" || !bytes.HasPrefix(head, []byte("HTTP/1.1 200 \r\ncontent-type: text/plain\r\n")) {
		t.Errorf("hook %q %q", head, body)
	}
}

// Cancel resets the stream and frees its slot; the connection goes on.
func TestCancel(t *testing.T) {
	cl := newClient(2, false)
	cl.start(t)
	if !cl.c.Cancel(0) || cl.c.Room() != 1 {
		t.Fatalf("room %d after cancel", cl.c.Room())
	}
	var reset bool
	for _, f := range cl.sentFrames(t) {
		if r, ok := f.(*http2.RSTStreamFrame); ok && r.StreamID == 1 && r.ErrCode == http2.ErrCodeCancel {
			reset = true
		}
	}
	if !reset {
		t.Error("no RST_STREAM for the cancelled stream")
	}
	// Late frames for the cancelled stream are ignored.
	s := newServerFrames()
	s.response(1, "200", "late")
	s.response(3, "200", "ok")
	if err := cl.feed(t, s.buf.Bytes(), 0); err != nil || len(cl.events) != 1 || cl.events[0].Flight != 1 {
		t.Errorf("err %v events %+v", err, cl.events)
	}
}

// Broken input fails the connection with a named error.
func TestConnectionErrors(t *testing.T) {
	big := newServerFrames()
	_ = big.fr.WriteData(1, false, make([]byte, 0))
	hdr := big.buf.Bytes()
	hdr[0], hdr[1], hdr[2] = 0, 0x40, 1 // 16385 bytes
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"frame over the maximum": {hdr, ErrFrameSize},
		"push promise":           {frame(http2.FramePushPromise, 0, 1, make([]byte, 8)), ErrProtocol},
		"short ping":             {frame(http2.FramePing, 0, 0, make([]byte, 7)), ErrProtocol},
		"bad settings":           {frame(http2.FrameSettings, 0, 0, make([]byte, 5)), ErrProtocol},
		"bad HPACK":              {frame(http2.FrameHeaders, byte(http2.FlagHeadersEndHeaders), 1, []byte{0xff, 0xff, 0xff, 0xff}), ErrProtocol},
		"interleaved headers":    {append(frame(http2.FrameHeaders, 0, 1, []byte{0x88}), frame(http2.FramePing, 0, 0, make([]byte, 8))...), ErrProtocol},
	} {
		cl := newClient(1, false)
		cl.start(t)
		if err := cl.feed(t, tc.in, 0); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	cl := newClient(1, false)
	cl.start(t)
	if _, err := cl.c.EOF(0); err != io.ErrUnexpectedEOF {
		t.Errorf("EOF with a stream open: %v", err)
	}
	cl.c.Cancel(0)
	if ev, err := cl.c.EOF(0); err != nil || ev.Kind != wire.None {
		t.Errorf("EOF with none open: %v %v", ev, err)
	}
}

// DATA before any response header fails the stream alone.
func TestBodyWithoutResponse(t *testing.T) {
	cl := newClient(1, false)
	cl.start(t)
	s := newServerFrames()
	_ = s.fr.WriteData(1, true, []byte("stray"))
	if err := cl.feed(t, s.buf.Bytes(), 2); err != nil || len(cl.events) != 1 || !errors.Is(cl.events[0].Err, ErrNoResponse) {
		t.Errorf("err %v, events %+v", err, cl.events)
	}
}

func frame(typ http2.FrameType, flags byte, id uint32, p []byte) []byte {
	b := []byte{byte(len(p) >> 16), byte(len(p) >> 8), byte(len(p)), byte(typ), flags, byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
	return append(b, p...)
}

// A server that asks for answers and reads none fails the connection
// instead of growing its output.
func TestPingFloodIsBounded(t *testing.T) {
	cl := newClient(1, false)
	ping := frame(http2.FramePing, 0, 0, make([]byte, 8))
	var in []byte
	for range maxOutput/17 + 10 {
		in = append(in, ping...)
	}
	if err := cl.feed(t, in, 4096); err != ErrOutputOverrun {
		t.Errorf("%v, want ErrOutputOverrun", err)
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

func TestEncodeRequest(t *testing.T) {
	e := newEncoder("https", "example.com:8443")
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
	c := NewCodec(1, "http", "x", false, 0)
	c.Reset()
	if err := c.Send(0, append(getRequest, getRequest...), 2, nil); err != ErrPipelined {
		t.Errorf("pipelined: %v", err)
	}
}

// FuzzParseFrames hands arbitrary server bytes to a codec with streams
// open, whole and split: it must never panic, must agree with itself
// whatever the split, leave at most MaxPending bytes unparsed and keep no
// more body than the cap.
func FuzzParseFrames(f *testing.F) {
	s := newServerFrames()
	_ = s.fr.WriteSettings(http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: 2})
	s.response(1, "200", "ok")
	s.response(3, "404", "")
	f.Add(s.buf.Bytes(), uint8(3))
	f.Add(frame(http2.FrameData, byte(http2.FlagDataPadded|http2.FlagDataEndStream), 1, []byte{2, 'a', 0, 0}), uint8(1))
	f.Add(frame(http2.FrameGoAway, 0, 0, make([]byte, 8)), uint8(5))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		run := func(step int) ([]wire.Event, error) {
			cl := newClient(3, true)
			cl.start(t)
			err := cl.feed(t, in, step)
			_, body := cl.c.Hook()
			if len(body) > 64 {
				t.Fatalf("kept %d bytes of body over a 64-byte cap", len(body))
			}
			return cl.events, err
		}
		whole, werr := run(0)
		split, serr := run(int(step%32) + 1)
		if (werr == nil) != (serr == nil) || len(whole) != len(split) {
			t.Fatalf("whole %v %+v, split %v %+v", werr, whole, serr, split)
		}
		for i := range whole {
			if whole[i].Kind != split[i].Kind || whole[i].Flight != split[i].Flight || whole[i].Status != split[i].Status {
				t.Fatalf("event %d: whole %+v, split %+v", i, whole[i], split[i])
			}
		}
	})
}
