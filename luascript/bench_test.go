package luascript

import (
	"testing"
)

func benchThread(b *testing.B, path string) *thread {
	b.Helper()
	h := loadFile(b, path)
	th, _ := h.thread(0)
	return th
}

// BenchmarkStatic is the per-request cost of a static script (post.lua):
// the engine asks for the prebuilt request once per thread.
func BenchmarkStatic(b *testing.B) {
	th := benchThread(b, "../bench/lua/post.lua")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := th.Static(); !ok {
			b.Fatal("not static")
		}
	}
}

// BenchmarkNextCounter is one request() call of a counter-style script:
// Lua string building, wrk.format, validation and the copy.
func BenchmarkNextCounter(b *testing.B) {
	th := benchThread(b, "../bench/lua/counter.lua")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := th.Next(0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextCounterHeaders is the wrk example counter, which also sets
// a header per request.
func BenchmarkNextCounterHeaders(b *testing.B) {
	th := benchThread(b, "testdata/counter.lua")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := th.Next(0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextPrebuilt is request() returning the same prebuilt string
// (pipeline.lua): no parse, no copy.
func BenchmarkNextPrebuilt(b *testing.B) {
	th := benchThread(b, "testdata/pipeline.lua")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := th.Next(0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResponse is one response() call with a typical small response.
func BenchmarkResponse(b *testing.B) {
	th := benchThread(b, "../bench/lua/response.lua")
	resp := newResponse(200, `{"id":1,"title":"hello"}`,
		"Server", "nginx", "Date", "Mon, 01 Jan 2026 00:00:00 GMT", "Content-Type", "application/json", "Connection", "keep-alive")
	b.ReportAllocs()
	for b.Loop() {
		if err := th.Response(resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestsParse is the validation of one small request.
func BenchmarkRequestsParse(b *testing.B) {
	req := []byte("GET /item/12345 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Counter: 12345\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := requests(req, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextBody8K builds an 8 KiB body with string.format and
// table.concat per request (bench/lua/body8k.lua).
func BenchmarkNextBody8K(b *testing.B) {
	th := benchThread(b, "../bench/lua/body8k.lua")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := th.Next(0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextRandom1K builds a 1 KiB random body one character at a time
// (bench/lua/random1k.lua).
func BenchmarkNextRandom1K(b *testing.B) {
	th := benchThread(b, "../bench/lua/random1k.lua")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := th.Next(0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResponseStatus is response() counting statuses
// (bench/lua/status.lua).
func BenchmarkResponseStatus(b *testing.B) {
	th := benchThread(b, "../bench/lua/status.lua")
	resp := newResponse(200, "ok\n",
		"Server", "nginx", "Date", "Mon, 01 Jan 2026 00:00:00 GMT", "Content-Type", "text/plain")
	b.ReportAllocs()
	for b.Loop() {
		if err := th.Response(resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResponseHeaders is response() reading a header: the headers
// table is built for every call.
func BenchmarkResponseHeaders(b *testing.B) {
	h := load(b, `function response(status, headers, body) last = headers["Content-Type"] end`)
	th, _ := h.thread(0)
	resp := newResponse(200, `{"id":1}`,
		"Server", "nginx", "Date", "Mon, 01 Jan 2026 00:00:00 GMT", "Content-Type", "application/json")
	b.ReportAllocs()
	for b.Loop() {
		if err := th.Response(resp); err != nil {
			b.Fatal(err)
		}
	}
}
