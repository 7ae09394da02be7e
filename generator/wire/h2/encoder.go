package h2

import (
	"bytes"

	"golang.org/x/net/http2/hpack"

	"github.com/gowrk/gowrk/generator/wire"
)

// Requests HTTP/2 cannot carry.
var (
	ErrRequest   = wire.ErrRequest
	ErrPipelined = wire.ErrPipelined
)

// encoder turns the HTTP/1.1 requests wrk's API builds into HTTP/2 header
// blocks. Its HPACK encoder keeps no dynamic table, so a block depends only
// on the request and a static request is encoded once per connection.
type encoder struct {
	enc    *hpack.Encoder
	out    bytes.Buffer
	lower  []byte // lower-cased header names of the request being encoded
	scheme string
	host   string // :authority when the request has no Host header
}

func newEncoder(scheme, host string) *encoder {
	e := &encoder{scheme: scheme, host: host, lower: make([]byte, 0, 256)}
	e.enc = hpack.NewEncoder(&e.out)
	e.enc.SetMaxDynamicTableSizeLimit(0)
	return e
}

// WriteField adds one field to the block; the encoder copies it.
func (e *encoder) WriteField(name, value string) {
	_ = e.enc.WriteField(hpack.HeaderField{Name: name, Value: value})
}

// encode converts one serialized HTTP/1.1 request. block is the HPACK
// header block and body the request body (both valid until the next call);
// head reports a HEAD request.
func (e *encoder) encode(raw []byte) (block, body []byte, head bool, err error) {
	e.out.Reset()
	body, head, err = wire.Fields(raw, e.scheme, e.host, &e.lower, e)
	if err != nil {
		return nil, nil, false, err
	}
	return e.out.Bytes(), body, head, nil
}
