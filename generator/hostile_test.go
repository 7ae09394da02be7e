package generator_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
)

// The hostile-server suite: servers that misbehave in every way a load test
// may meet. Whatever they do, a run must not panic, must end within its
// duration plus one second, must keep memory bounded, and must count what
// went wrong in the right class.

// heapWatch samples the heap in use until stopped and reports its peak
// above the level when it started.
type heapWatch struct {
	base, peak uint64
	stop       chan struct{}
	done       sync.WaitGroup
}

func watchHeap() *heapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &heapWatch{base: ms.HeapInuse, peak: ms.HeapInuse, stop: make(chan struct{})}
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			runtime.ReadMemStats(&ms)
			w.peak = max(w.peak, ms.HeapInuse)
		}
	}()
	return w
}

// growth stops the watch and returns the peak heap growth in bytes.
func (w *heapWatch) growth() uint64 {
	close(w.stop)
	w.done.Wait()
	return w.peak - w.base
}

// forever writes chunk until the server closes.
func forever(chunk []byte) func(io.Writer, <-chan struct{}) error {
	return func(w io.Writer, closed <-chan struct{}) error {
		for {
			select {
			case <-closed:
				return nil
			default:
			}
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
	}
}

// byteByByte writes msg one byte per write.
func byteByByte(msg []byte) func(io.Writer, <-chan struct{}) error {
	return func(w io.Writer, _ <-chan struct{}) error {
		for i := range msg {
			if _, err := w.Write(msg[i : i+1]); err != nil {
				return err
			}
		}
		return nil
	}
}

type hostileCase struct {
	name     string
	reply    testserver.Reply
	conns    int
	timeout  time.Duration
	duration time.Duration // 1s unless set
	// check looks at the result; the suite itself checks the time taken and
	// the heap.
	check func(t *testing.T, res *generator.Result)
}

func onlyReadErrors(t *testing.T, res *generator.Result) {
	t.Helper()
	if res.Requests != 0 || res.Errors.Read == 0 || res.Errors.Socket() != res.Errors.Read {
		t.Errorf("requests %d errors %+v, want read errors only", res.Requests, res.Errors)
	}
}

func onlyTimeouts(t *testing.T, res *generator.Result) {
	t.Helper()
	if res.Requests != 0 || res.Errors.Timeout == 0 || res.Errors.Socket() != res.Errors.Timeout {
		t.Errorf("requests %d errors %+v, want timeouts only", res.Requests, res.Errors)
	}
}

func TestHostileServers(t *testing.T) {
	okResponse := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	tenMB := append([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n"), make([]byte, 10_000_000)...)
	cases := []hostileCase{
		{name: "length 2^63-1, no body", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n"), Then: testserver.Hang}, check: onlyTimeouts},
		{name: "length 1e11, body forever", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n"), Stream: forever(make([]byte, 64<<10))}, check: onlyTimeouts},
		{name: "length 4e9, 47 bytes", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 4000000000\r\n\r\n" + strings.Repeat("x", 47)), Then: testserver.Hang}, check: onlyTimeouts},
		{name: "chunk of 1e9, data forever", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3B9ACA00\r\n"), Stream: forever(make([]byte, 64<<10))}, check: onlyTimeouts},
		{name: "endless chunked body", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), Stream: forever([]byte("1000\r\n" + strings.Repeat("c", 0x1000) + "\r\n"))}, check: onlyTimeouts},
		{name: "headers forever", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\n"), Stream: forever([]byte(strings.Repeat("X-Forever: yes\r\n", 256)))}, timeout: 10 * time.Second, check: onlyReadErrors},
		{name: "status 000", reply: testserver.Reply{Raw: []byte("HTTP/1.1 000 X\r\nContent-Length: 0\r\n\r\n")}, check: onlyReadErrors},
		{name: "length 2^64", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n")}, check: onlyReadErrors},
		{name: "negative length", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n")}, check: onlyReadErrors},
		{name: "chunk size 2^64", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n")}, check: onlyReadErrors},
		{name: "garbage", reply: testserver.Reply{Raw: bytes.Repeat([]byte{0xff, 0, '\n'}, 1000)}, check: onlyReadErrors},
		{name: "reset", reply: testserver.Reply{Then: testserver.Reset}, check: onlyReadErrors},
		{name: "closed mid-body", reply: testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), Then: testserver.Close}, check: onlyReadErrors},
		{name: "silent", reply: testserver.Reply{Then: testserver.Hang}, timeout: 20 * time.Second, check: func(t *testing.T, res *generator.Result) {
			// Requests cut off by the end of the run are not errors.
			if res.Requests != 0 || res.Errors.Socket() != 0 {
				t.Errorf("requests %d errors %+v, want none", res.Requests, res.Errors)
			}
		}},
		{name: "one byte per write", reply: testserver.Reply{Stream: byteByByte(okResponse)}, timeout: 5 * time.Second, check: func(t *testing.T, res *generator.Result) {
			// Responses cut off at the end of the run are read, not counted.
			if res.Requests == 0 || res.Errors.Socket() != 0 || res.Bytes < res.Requests*uint64(len(okResponse)) ||
				res.Bytes >= (res.Requests+2)*uint64(len(okResponse)) {
				t.Errorf("requests %d bytes %d errors %+v", res.Requests, res.Bytes, res.Errors)
			}
		}},
		{name: "10 MB bodies", conns: 50, duration: 3 * time.Second, reply: testserver.Reply{Raw: tenMB}, timeout: 20 * time.Second, check: func(t *testing.T, res *generator.Result) {
			if res.Requests == 0 || res.Errors.Socket() != 0 || res.Bytes < res.Requests*uint64(len(tenMB)) {
				t.Errorf("requests %d bytes %d errors %+v", res.Requests, res.Bytes, res.Errors)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return tc.reply })
			cfg := config(t, srv.URL, max(tc.conns, 2), 1, max(tc.duration, time.Second))
			cfg.Timeout = 300 * time.Millisecond
			if tc.timeout > 0 {
				cfg.Timeout = tc.timeout
			}
			res := runHostile(t, cfg)
			tc.check(t, res)
		})
	}
}

// runHostile runs cfg and checks that the run ended on time and kept its
// heap under 64 MiB.
func runHostile(t *testing.T, cfg generator.Config) *generator.Result {
	t.Helper()
	heap := watchHeap()
	start := time.Now()
	res, err := generator.Run(context.Background(), cfg)
	took := time.Since(start)
	growth := heap.growth()
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if took > cfg.Duration+time.Second {
		t.Errorf("run took %v for a %v test", took.Round(time.Millisecond), cfg.Duration)
	}
	if growth > 64<<20 {
		t.Errorf("heap grew by %d MiB", growth>>20)
	}
	return res
}

// bodyScript is a script with a response() hook that counts the bodies it
// sees and their largest size.
type bodyScript struct {
	bodies  atomic.Int64
	largest atomic.Int64
}

func (s *bodyScript) NewThread(_ int, addr net.Addr, _ generator.ThreadControl) (generator.ThreadScript, error) {
	return &bodyThread{s: s, addr: addr}, nil
}

type bodyThread struct {
	s    *bodyScript
	addr net.Addr
}

func (b *bodyThread) Addr() net.Addr                    { return b.addr }
func (b *bodyThread) Static() (generator.Request, bool) { return generator.Request{}, false }
func (b *bodyThread) Next(int) (generator.Request, error) {
	return generator.Request{Bytes: []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Count: 1}, nil
}
func (b *bodyThread) HasDelay() bool                { return false }
func (b *bodyThread) Delay() (time.Duration, error) { return 0, nil }
func (b *bodyThread) HasResponse() bool             { return true }
func (b *bodyThread) Response(r *generator.Response) error {
	b.s.bodies.Add(1)
	n := int64(len(r.Body()))
	for {
		old := b.s.largest.Load()
		if n <= old || b.s.largest.CompareAndSwap(old, n) {
			return nil
		}
	}
}

// With a response() hook, bodies up to the cap are handed over whole and a
// larger one is a read error of its own count; memory stays bounded.
func TestBodyCapWithResponseHook(t *testing.T) {
	big := append([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n"), make([]byte, 10_000_000)...)
	small := append([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n"), append(make([]byte, 0x1000), "\r\n0\r\n\r\n"...)...)
	srv := testserver.Start(t, false, func(n int64, _ *fasthttp.Request) testserver.Reply {
		if n%2 == 0 {
			return testserver.Reply{Raw: big}
		}
		return testserver.Reply{Raw: small}
	})
	script := &bodyScript{}
	cfg := config(t, srv.URL, 20, 2, time.Second)
	cfg.Script = script
	cfg.MaxBody = 64 << 10
	res := runHostile(t, cfg)
	if res.Requests == 0 || script.bodies.Load() != int64(res.Requests) || script.largest.Load() != 0x1000 {
		t.Errorf("requests %d, hook saw %d bodies, largest %d", res.Requests, script.bodies.Load(), script.largest.Load())
	}
	if res.Errors.OverCap == 0 || res.Errors.Read != res.Errors.OverCap {
		t.Errorf("errors %+v, want every read error to be a body over the cap", res.Errors)
	}
}

// A run ends on time, report and all, even when connections are stuck in
// a dial or a TLS handshake that would outlast it by far.
func TestRunEndsOnTimeWhateverTheServer(t *testing.T) {
	silent := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var held []net.Conn
		var mu sync.Mutex
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
		t.Cleanup(func() {
			ln.Close()
			mu.Lock()
			for _, c := range held {
				c.Close()
			}
			mu.Unlock()
		})
		return ln.Addr().String()
	}
	t.Run("TLS handshake never answered", func(t *testing.T) {
		cfg := config(t, "https://"+silent(t)+"/", 4, 2, time.Second)
		cfg.Timeout = 20 * time.Second
		res := runHostile(t, cfg)
		if res.Requests != 0 {
			t.Errorf("requests %d", res.Requests)
		}
	})
	t.Run("accept queue full", func(t *testing.T) {
		addr := fullBacklog(t)
		cfg := config(t, "http://"+addr+"/", 4, 2, time.Second)
		cfg.Timeout = 20 * time.Second
		start := time.Now()
		_, err := generator.Run(context.Background(), cfg)
		if took := time.Since(start); took > cfg.Duration+time.Second {
			t.Errorf("run took %v (err %v)", took, err)
		}
	})
	t.Run("cancelled during dials", func(t *testing.T) {
		addr := fullBacklog(t)
		cfg := config(t, "http://"+addr+"/", 4, 2, time.Minute)
		cfg.Timeout = 20 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, _ = generator.Run(ctx, cfg)
		if took := time.Since(start); took > 1300*time.Millisecond {
			t.Errorf("run took %v after cancel at 300ms", took)
		}
	})
}
