package h3

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"testing"

	"github.com/quic-go/qpack"

	"github.com/gowrk/gowrk/generator/wire"
)

var getRequest = []byte("GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\nX-Token: A\r\n\r\n")

// block encodes header fields as a server would.
func block(fields ...string) []byte {
	var b bytes.Buffer
	enc := qpack.NewEncoder(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = enc.WriteField(qpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	return b.Bytes()
}

func response(status int, body string, extra ...[]byte) []byte {
	out := appendFrame(nil, frameHeaders, block(":status", strconv.Itoa(status), "content-type", "text/plain", "date", "Tue, 01 Dec 2026 06:50:46 GMT"))
	if body != "" {
		out = appendFrame(out, frameData, []byte(body))
	}
	for _, e := range extra {
		out = append(out, e...)
	}
	return out
}

// read runs one stream: the request, then in handed over step bytes at a
// time (0: all at once), then the stream's end.
func read(t testing.TB, c *Codec, in []byte, step int) (wire.Event, error) {
	t.Helper()
	c.Reset()
	if err := c.Send(0, getRequest, 1, nil); err != nil {
		t.Fatal(err)
	}
	c.Wrote(len(c.Output()))
	if step <= 0 {
		step = len(in) + 1
	}
	var pending []byte
	for off := 0; off < len(in); off += step {
		pending = append(pending, in[off:min(off+step, len(in))]...)
		n, ev, err := c.Parse(pending)
		pending = pending[n:]
		if err != nil {
			return ev, err
		}
		if ev.Kind != wire.None {
			t.Fatalf("an event before the end of the stream: %+v", ev)
		}
		if len(pending) > c.MaxPending() {
			t.Fatalf("%d bytes left unparsed", len(pending))
		}
	}
	return c.EOF(len(pending))
}

func TestResponses(t *testing.T) {
	interim := appendFrame(nil, frameHeaders, block(":status", "103", "link", "</a>"))
	unknown := appendFrame(nil, 0x21, []byte("reserved"))
	trailers := appendFrame(nil, frameHeaders, block("x-trailer", "t"))
	for name, tc := range map[string]struct {
		in     []byte
		status int
		body   string
	}{
		"200":               {response(200, "ok"), 200, "ok"},
		"404 without body":  {response(404, ""), 404, ""},
		"418 literal":       {response(418, "tea"), 418, "tea"},
		"interim first":     {append(interim, response(200, "ok")...), 200, "ok"},
		"unknown frames":    {append(unknown, response(200, "ok", unknown)...), 200, "ok"},
		"trailers":          {response(200, "ok", trailers), 200, "ok"},
		"body in two DATAs": {response(200, "a", appendFrame(nil, frameData, []byte("bc"))), 200, "abc"},
	} {
		for _, keep := range []bool{false, true} {
			for _, step := range []int{0, 1, 3, 7} {
				c := NewCodec("https", "example.com", keep, 64)
				ev, err := read(t, c, tc.in, step)
				if err != nil || ev.Kind != wire.Response || ev.Status != tc.status || !ev.Close {
					t.Errorf("%s (keep %v, step %d): %+v, %v", name, keep, step, ev, err)
					continue
				}
				if keep {
					head, body := c.Hook()
					if string(body) != tc.body || !bytes.HasPrefix(head, []byte("HTTP/1.1 "+strconv.Itoa(tc.status)+" \r\ncontent-type: text/plain\r\n")) || !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
						t.Errorf("%s: hook %q %q", name, head, body)
					}
				}
				if c.Reusable() || c.Room() != 0 {
					t.Errorf("%s: a used stream takes another request", name)
				}
			}
		}
	}
}

func TestBrokenResponses(t *testing.T) {
	for name, tc := range map[string]struct {
		in   []byte
		want error
	}{
		"nothing":            {nil, ErrNoResponse},
		"DATA first":         {appendFrame(nil, frameData, []byte("x")), ErrNoResponse},
		"push promise":       {appendFrame(nil, framePushPromise, []byte{0}), ErrFrame},
		"cut mid-frame":      {response(200, "ok")[:len(response(200, "ok"))-1], ErrBodyTruncated},
		"bad QPACK":          {appendFrame(nil, frameHeaders, []byte{0, 0, 0xff, 0xff}), ErrFrame},
		"no status":          {appendFrame(nil, frameHeaders, block("server", "x")), ErrNoResponse},
		"status 99":          {appendFrame(nil, frameHeaders, block(":status", "99")), ErrFrame},
		"headers over 80KiB": {appendVarint(appendVarint(nil, frameHeaders), maxHeaderBlock+1), ErrHeaderTooBig},
		"body over the cap":  {response(200, string(make([]byte, 65))), ErrBodyTooLarge},
	} {
		for _, step := range []int{0, 1, 5} {
			c := NewCodec("https", "example.com", true, 64)
			if _, err := read(t, c, tc.in, step); !errors.Is(err, tc.want) {
				t.Errorf("%s, step %d: %v, want %v", name, step, err, tc.want)
			}
		}
	}
}

// The request goes as HEADERS and DATA frames, and the codec asks for the
// stream's sending side to close once they are written.
func TestRequestFrames(t *testing.T) {
	c := NewCodec("https", "example.com:8443", false, 0)
	c.Reset()
	post := []byte("POST /p HTTP/1.1\r\nHost: other.test\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nbody")
	if err := c.Send(0, post, 1, nil); err != nil {
		t.Fatal(err)
	}
	if c.CloseWrite() {
		t.Error("CloseWrite before the request is written")
	}
	out := c.Output()
	c.Wrote(len(out))
	if !c.CloseWrite() {
		t.Error("no CloseWrite once the request is written")
	}
	typ, k := readVarint(out)
	length, m := readVarint(out[k:])
	if typ != frameHeaders {
		t.Fatalf("first frame type %d", typ)
	}
	decode := qpack.NewDecoder().Decode(out[k+m : k+m+int(length)])
	var got []string
	for {
		f, err := decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f.Name+"="+f.Value)
	}
	want := []string{":method=POST", ":scheme=https", ":authority=other.test", ":path=/p", "content-length=4"}
	if len(got) != len(want) {
		t.Fatalf("fields %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d: %q, want %q", i, got[i], want[i])
		}
	}
	rest := out[k+m+int(length):]
	typ, k = readVarint(rest)
	length, m = readVarint(rest[k:])
	if typ != frameData || string(rest[k+m:k+m+int(length)]) != "body" {
		t.Errorf("DATA frame %d %q", typ, rest[k+m:])
	}
	if err := c.Send(0, append(getRequest, getRequest...), 2, nil); err != wire.ErrPipelined {
		t.Errorf("pipelined: %v", err)
	}
}

func TestStaticStatus(t *testing.T) {
	for _, s := range []int{100, 103, 200, 204, 206, 302, 304, 400, 403, 404, 421, 425, 500, 503} {
		if got := staticStatus(block(":status", strconv.Itoa(s))); got != s {
			t.Errorf("%d: %d", s, got)
		}
	}
	if got := staticStatus(block(":status", "418")); got != 0 {
		t.Errorf("418 from the static table: %d", got)
	}
}

func TestVarints(t *testing.T) {
	for _, v := range []uint64{0, 63, 64, 16383, 16384, 1<<30 - 1, 1 << 30, 1<<62 - 1} {
		b := appendVarint(nil, v)
		if got, k := readVarint(b); got != v || k != len(b) {
			t.Errorf("%d: %d in %d bytes", v, got, k)
		}
		if _, k := readVarint(b[:len(b)-1]); k != 0 {
			t.Errorf("%d cut short reads", v)
		}
	}
}

// FuzzParseResponse hands arbitrary stream bytes to the codec, whole and
// split: no panic, the same outcome whatever the split, no more body than
// the cap, no more left unparsed than MaxPending.
func FuzzParseResponse(f *testing.F) {
	f.Add(response(200, "ok"), uint8(3))
	f.Add(append(appendFrame(nil, frameHeaders, block(":status", "103")), response(404, "")...), uint8(1))
	f.Add(appendFrame(nil, 0x21, []byte("x")), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, step uint8) {
		run := func(step int) (wire.Event, []byte, error) {
			c := NewCodec("https", "x", true, 64)
			ev, err := read(t, c, in, step)
			_, body := c.Hook()
			if len(body) > 64 {
				t.Fatalf("kept %d bytes of body", len(body))
			}
			return ev, body, err
		}
		ev1, body1, err1 := run(0)
		ev2, body2, err2 := run(int(step%16) + 1)
		if ev1 != ev2 || (err1 == nil) != (err2 == nil) || (err1 == nil && !bytes.Equal(body1, body2)) {
			t.Fatalf("whole %+v %v %q, split %+v %v %q", ev1, err1, body1, ev2, err2, body2)
		}
	})
}
