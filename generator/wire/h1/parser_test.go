package h1

import (
	"errors"
	"strings"
	"testing"
)

// parsed is what the parser made of a stream: each complete response's
// status and close flag, then the error or the end of input.
type parsed struct {
	statuses []int
	closes   []bool
	bodies   []string
	err      error
	pending  bool // the stream ended inside a response
}

// parseStream feeds in to a parser step bytes at a time (all at once when
// step is 0), as a connection would, keeping unparsed bytes for the next
// step, then reports the end of the stream when eof is set.
func parseStream(in string, step int, heads []bool, keep bool, eof bool) parsed {
	p := Parser{Keep: keep, MaxBody: 64}
	var out parsed
	var buf []byte
	next := 0
	p.Begin(len(heads) > 0 && heads[0])
	if step <= 0 {
		step = len(in) + 1
	}
	for off := 0; off < len(in); off += step {
		buf = append(buf, in[off:min(off+step, len(in))]...)
		for len(buf) > 0 {
			n, done, err := p.Parse(buf)
			buf = buf[n:]
			if err != nil {
				out.err = err
				return out
			}
			if !done {
				break
			}
			out.statuses = append(out.statuses, p.Status)
			out.closes = append(out.closes, p.Close)
			out.bodies = append(out.bodies, string(p.Body))
			next++
			p.Begin(next < len(heads) && heads[next])
		}
	}
	if eof {
		done, err := p.EOF(len(buf))
		if done {
			out.statuses = append(out.statuses, p.Status)
			out.closes = append(out.closes, true)
			out.bodies = append(out.bodies, string(p.Body))
		} else if err != nil && !(errors.Is(err, ErrEOFHeaders) && len(buf) == 0 && p.state == stateHead) {
			out.err = err
		}
	} else {
		out.pending = p.state != stateHead || len(buf) > 0
	}
	return out
}

func TestParseValidResponses(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		heads    []bool
		statuses []int
		closes   []bool
		bodies   []string
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", nil, []int{200}, []bool{false}, []string{"ok"}},
		{"pipelined", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n", nil, []int{200, 404}, []bool{false, false}, []string{"a", ""}},
		{"no reason phrase", "HTTP/1.1 204\r\n\r\n", nil, []int{204}, []bool{false}, []string{""}},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", nil, []int{200}, []bool{false}, []string{"abc"}},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n", nil, []int{200}, []bool{false}, []string{"abc0123456789"}},
		{"chunked wins over length", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n", nil, []int{200}, []bool{false}, []string{"x"}},
		{"HEAD has no body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nz", []bool{true, false}, []int{200, 201}, []bool{false, false}, []string{"", "z"}},
		{"304 has no body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", nil, []int{304}, []bool{false}, []string{""}},
		{"interim 100 skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", nil, []int{200}, []bool{false}, []string{""}},
		{"connection close", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n", nil, []int{200}, []bool{true}, []string{""}},
		{"HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", nil, []int{200}, []bool{true}, []string{""}},
		{"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", nil, []int{200}, []bool{false}, []string{""}},
		{"until close", "HTTP/1.1 200 OK\r\n\r\nall of it", nil, []int{200}, []bool{true}, []string{"all of it"}},
		{"status 999", "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n", nil, []int{999}, []bool{false}, []string{""}},
		{"folded header", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", nil, []int{200}, []bool{false}, []string{""}},
	}
	for _, tc := range cases {
		for _, step := range []int{0, 1, 2, 7} {
			got := parseStream(tc.in, step, tc.heads, true, true)
			if got.err != nil || !equalInts(got.statuses, tc.statuses) || !equalBools(got.closes, tc.closes) || strings.Join(got.bodies, "|") != strings.Join(tc.bodies, "|") {
				t.Errorf("%s, %d bytes at a time: got %+v, want statuses %v closes %v bodies %q", tc.name, step, got, tc.statuses, tc.closes, tc.bodies)
			}
		}
	}
}

func TestParseRejectsMalformedResponses(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"status 000", "HTTP/1.1 000 X\r\n\r\n", ErrStatusLine},
		{"status 099", "HTTP/1.1 099 X\r\n\r\n", ErrStatusLine},
		{"four-digit status", "HTTP/1.1 2000 X\r\n\r\n", ErrStatusLine},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", ErrStatusLine},
		{"HTTP/2 status line", "HTTP/2 200\r\n\r\n", ErrStatusLine},
		{"letters in length", "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", ErrBadLength},
		{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrBadLength},
		{"empty length", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", ErrBadLength},
		{"length over 2^63-1", "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n", ErrBadLength},
		{"length 2^64", "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n", ErrBadLength},
		{"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", ErrBadLength},
		{"header without colon", "HTTP/1.1 200 OK\r\nnonsense\r\n\r\n", ErrHeaderLine},
		{"chunk size not hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ErrBadChunk},
		{"chunk size over 2^63-1", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000000000000000\r\n", ErrBadChunk},
		{"chunk without line end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n", ErrBadChunk},
		{"endless chunk-size line", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1" + strings.Repeat("0", maxLineBytes+1), ErrBadChunk},
		{"headers forever", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", MaxHeaderBytes/8+1), ErrHeaderTooLarge},
		{"body over the cap", "HTTP/1.1 200 OK\r\nContent-Length: 65\r\n\r\n" + strings.Repeat("b", 65), ErrBodyTooLarge},
		{"chunked body over the cap", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + strings.Repeat("b", 64) + "\r\n1\r\nb\r\n0\r\n\r\n", ErrBodyTooLarge},
		{"closed mid-body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", ErrEOFBody},
		{"closed mid-headers", "HTTP/1.1 200 OK\r\nContent-", ErrEOFHeaders},
	}
	for _, tc := range cases {
		for _, step := range []int{0, 1, 5} {
			if got := parseStream(tc.in, step, nil, true, true); !errors.Is(got.err, tc.want) {
				t.Errorf("%s, %d bytes at a time: got %+v, want %v", tc.name, step, got, tc.want)
			}
		}
	}
}

// Announced lengths up to 2^63-1 are legal and cost nothing up front: the
// parser just waits for the bytes.
func TestParseHugeLengthsAllocateNothing(t *testing.T) {
	for _, in := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nsome",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nsome",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3B9ACA00\r\nsome",
	} {
		var p Parser
		buf := []byte(in)
		allocs := testing.AllocsPerRun(10, func() {
			p.Reset()
			p.Begin(false)
			n, done, err := p.Parse(buf)
			if n != len(buf) || done || err != nil {
				t.Fatalf("%q: n %d done %v err %v", in, n, done, err)
			}
		})
		if allocs != 0 {
			t.Errorf("%q: %.0f allocations", in, allocs)
		}
	}
}

// Searching for the end of the headers takes linear time when they arrive
// a byte at a time: 80 KiB of headers one byte at a time stays fast.
func TestParseHeadersByteByByteIsLinear(t *testing.T) {
	in := "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-A: b\r\n", MaxHeaderBytes/8-10) + "Content-Length: 0\r\n\r\n"
	p := Parser{}
	p.Begin(false)
	scans := 0
	for end := 1; end <= len(in); end++ {
		before := p.scanned
		n, done, err := p.Parse([]byte(in[:end]))
		scans += max(end-before, 0)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			if end != len(in) || n != len(in) {
				t.Fatalf("done at %d of %d", end, len(in))
			}
			break
		}
	}
	if scans > 4*len(in) {
		t.Errorf("searched %d bytes for a %d-byte header section", scans, len(in))
	}
}

func equalInts(a, b []int) bool {
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

func equalBools(a, b []bool) bool {
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

// FuzzParseResponses feeds arbitrary bytes to the parser whole and in
// small pieces: it must never panic, must agree with itself whatever the
// split, and must keep no more than the body cap.
func FuzzParseResponses(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n",
		"HTTP/1.1 000 X\r\n\r\n",
	} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, step uint8) {
		whole := parseStream(in, 0, nil, true, true)
		split := parseStream(in, int(step%16)+1, nil, true, true)
		if !equalInts(whole.statuses, split.statuses) || !equalBools(whole.closes, split.closes) ||
			strings.Join(whole.bodies, "|") != strings.Join(split.bodies, "|") || !errors.Is(split.err, whole.err) {
			t.Fatalf("whole %+v, split by %d %+v", whole, step%16+1, split)
		}
		for _, b := range whole.bodies {
			if len(b) > 64 {
				t.Fatalf("kept %d bytes of body over a 64-byte cap", len(b))
			}
		}
		for _, s := range whole.statuses {
			if s < 100 || s > 999 {
				t.Fatalf("status %d", s)
			}
		}
	})
}
