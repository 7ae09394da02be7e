package testserver

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"sync/atomic"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// H2Reply is the answer to one HTTP/2 request.
type H2Reply struct {
	// Status and Body make the response; Status 0 sends none.
	Status int
	Body   string
	// Then, after the response: Keep, Reset (RST_STREAM instead of a
	// response), Hang (nothing, ever), Close (the connection), or GoAway
	// (GOAWAY naming this stream as the last processed, then the close).
	Then Action
}

// GoAway is the H2Reply action that sends GOAWAY.
const GoAway Action = 100

// H2Handler decides the reply to the n-th request (1-based, over all
// connections); path is set when the server records.
type H2Handler func(n int64, path string) H2Reply

// H2C is a raw prior-knowledge HTTP/2 server for tests: it answers each
// HEADERS frame as the handler says, and allocates nothing per request
// unless it records, so that tests can count a client's allocations.
type H2C struct {
	URL, Addr string
	peers
	ln       net.Listener
	handler  H2Handler
	record   bool
	requests atomic.Int64
	conns    atomic.Int64
	paths    chan string
	done     chan struct{}
}

// StartH2C starts a server on a free loopback port, closed when the test
// ends. With record set, Paths receives each request's path.
func StartH2C(t testing.TB, record bool, h H2Handler) *H2C {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &H2C{ln: ln, handler: h, record: record, Addr: ln.Addr().String(), URL: "http://" + ln.Addr().String(),
		paths: make(chan string, 1<<16), done: make(chan struct{})}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			s.peers.add(c)
			go s.serve(c)
		}
	}()
	t.Cleanup(func() { close(s.done); ln.Close() })
	return s
}

// Connections is the number of connections accepted so far.
func (s *H2C) Connections() int64 { return s.conns.Load() }

// Requests is the number of requests received so far.
func (s *H2C) Requests() int64 { return s.requests.Load() }

// Paths returns the paths recorded so far.
func (s *H2C) Paths() []string {
	var out []string
	for {
		select {
		case p := <-s.paths:
			out = append(out, p)
		default:
			return out
		}
	}
}

func (s *H2C) serve(c net.Conn) {
	defer c.Close()
	go func() { <-s.done; c.Close() }()
	br := bufio.NewReaderSize(c, 64<<10)
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(br, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	bw := bufio.NewWriterSize(c, 64<<10)
	fr := http2.NewFramer(bw, nil)
	_ = fr.WriteSettings()
	_ = bw.Flush()
	var path string
	var dec *hpack.Decoder
	if s.record {
		dec = hpack.NewDecoder(4096, func(f hpack.HeaderField) {
			if f.Name == ":path" {
				path = f.Value
			}
		})
	}
	var hb []byte
	henc := hpack.NewEncoder(appendWriter{&hb})
	hdr := make([]byte, 9)
	payload := make([]byte, 1<<14)
	for {
		if _, err := io.ReadFull(br, hdr); err != nil {
			return
		}
		length := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
		if length > len(payload) {
			return
		}
		if _, err := io.ReadFull(br, payload[:length]); err != nil {
			return
		}
		typ, flags := http2.FrameType(hdr[3]), http2.Flags(hdr[4])
		id := binary.BigEndian.Uint32(hdr[5:]) & (1<<31 - 1)
		switch typ {
		case http2.FrameSettings:
			if !flags.Has(http2.FlagSettingsAck) {
				_ = fr.WriteSettingsAck()
			}
			continue
		case http2.FramePing:
			if !flags.Has(http2.FlagPingAck) {
				_ = fr.WritePing(true, [8]byte(payload[:8]))
			}
			continue
		case http2.FrameHeaders:
		default:
			continue
		}
		if dec != nil {
			path = ""
			_, _ = dec.Write(payload[:length])
		}
		n := s.requests.Add(1)
		if s.record {
			s.paths <- path
		}
		r := s.handler(n, path)
		switch r.Then {
		case Reset:
			_ = fr.WriteRSTStream(id, http2.ErrCodeInternal)
		case Hang:
		default:
			if r.Status != 0 {
				hb = hb[:0]
				if r.Status == 200 {
					hb = append(hb, 0x88) // :status 200, from the static table
				} else {
					_ = henc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(r.Status)})
				}
				_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb, EndHeaders: true, EndStream: r.Body == ""})
				if r.Body != "" {
					_ = fr.WriteData(id, true, []byte(r.Body))
				}
			}
			if r.Then == GoAway {
				_ = fr.WriteGoAway(id, http2.ErrCodeNo, nil)
			}
		}
		if br.Buffered() == 0 || r.Then == Close || r.Then == GoAway {
			if err := bw.Flush(); err != nil {
				return
			}
		}
		if r.Then == Close || r.Then == GoAway {
			return // after GOAWAY, once the streams before are answered
		}
	}
}

type appendWriter struct{ b *[]byte }

func (w appendWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}
