package generator

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

const (
	// Response headers must fit the read buffer. It starts small, since
	// there is one per connection, and grows for a server with large headers
	// (up to maxReadBufferSize) or responses larger than the buffer, which
	// would otherwise take two reads each (up to fitResponsesUpTo).
	readBufferSize    = 4 << 10
	maxReadBufferSize = 1 << 20
	fitResponsesUpTo  = 64 << 10
	// Back-off between failed dials, so a vanished target costs no CPU.
	minBackoff = 10 * time.Millisecond
	maxBackoff = time.Second
	// lateSlack is the least delay that counts a request as late: Go's
	// timers wake an idle process with millisecond resolution.
	lateSlack = time.Millisecond
)

var errEmptyRequest = errors.New("script returned an empty request")

// longAgo is a deadline in the past, used to interrupt blocked I/O.
var longAgo = time.Unix(1, 0)

// countingReader counts every byte read from the server.
type countingReader struct {
	r io.Reader
	n uint64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += uint64(n)
	return n, err
}

// conn is one connection: a goroutine that owns its socket, buffers and
// counters and sends one request (or one pipelined batch) at a time.
type conn struct {
	th    *thread
	index int

	ncMu sync.Mutex // guards nc against the monitor's interrupts
	nc   net.Conn
	in   countingReader
	br   *bufio.Reader
	resp fasthttp.Response

	batch    []sample
	lastSent time.Duration // run clock at the last flush
	totals   ThreadTotals
	timer    *time.Timer // reused for every wait, so waiting allocates nothing

	// Open-loop schedule: this connection sends the run's requests number
	// phase, phase+stride, phase+2*stride... due is the next one's send time
	// on the run clock, seq how many it has taken from its schedule.
	paced     bool
	phase     float64
	stride    float64
	seq       uint64
	due       time.Duration
	sent      uint64
	late      uint64
	maxBehind time.Duration

	// Published for the thread's monitor: plain stores by the owner, loads by
	// the monitor, so nothing is shared per request.
	completed atomic.Uint64
	failed    atomic.Uint64 // socket errors plus statuses above 399
	socket    atomic.Uint64 // socket errors
	inflight  atomic.Int64  // run clock (ns) at the write of the pending request, 0 if none
	expired   atomic.Bool   // the monitor timed out the pending request
}

func newConn(th *thread, index int) *conn {
	c := &conn{th: th, index: index, batch: make([]sample, 0, samplesPerFlush)}
	c.br = bufio.NewReaderSize(&c.in, readBufferSize)
	// Header names as the server sent them, and no invented Content-Type:
	// response() hooks see what wrk shows, and parsing does less work.
	c.resp.Header.DisableNormalizing()
	c.resp.Header.SetNoDefaultContentType(true)
	c.timer = time.NewTimer(time.Hour)
	c.timer.Stop()
	return c
}

// pace puts the connection on the run's open-loop schedule as request
// number phase of every stride.
func (c *conn) pace(phase, stride int) {
	c.paced = true
	c.phase, c.stride = float64(phase), float64(stride)
	c.due = c.th.run.cfg.Pacer.Due(c.phase)
}

// sleep waits d, or less if the run ends; it reports whether the run goes on.
func (c *conn) sleep(d time.Duration) bool {
	c.timer.Reset(d)
	select {
	case <-c.th.run.done:
		c.timer.Stop()
		return false
	case <-c.timer.C:
		return true
	}
}

func (c *conn) loop() {
	defer c.finish()
	r := c.th.run
	backoff := time.Duration(0)
	for !c.stopping() {
		if c.nc == nil {
			if err := c.connect(); err != nil {
				if c.stopping() {
					return
				}
				c.totals.Errors.Connect++
				c.publish()
				backoff = min(max(backoff*2, minBackoff), maxBackoff)
				if !c.sleep(backoff) {
					return
				}
				continue
			}
			backoff = 0
		}
		if err := c.roundTrip(); err != nil {
			r.fail(err)
			return
		}
	}
}

func (c *conn) stopping() bool {
	return c.th.run.stopping.Load() || c.th.stopped.Load()
}

func (c *conn) connect() error {
	nc, err := c.th.run.dialer.dial(c.th.addr)
	if err != nil {
		return err
	}
	c.ncMu.Lock()
	c.nc = nc
	c.ncMu.Unlock()
	c.in.r = nc
	c.br.Reset(&c.in)
	c.expired.Store(false)
	return nil
}

func (c *conn) disconnect() {
	c.ncMu.Lock()
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
	c.ncMu.Unlock()
	c.inflight.Store(0)
}

// interrupt unblocks the connection's pending I/O; called by other goroutines.
func (c *conn) interrupt() {
	c.ncMu.Lock()
	if c.nc != nil {
		_ = c.nc.SetDeadline(longAgo)
	}
	c.ncMu.Unlock()
}

// roundTrip sends one request or pipelined batch and reads its responses.
// It returns only fatal errors (script failures); socket errors are counted.
func (c *conn) roundTrip() error {
	r := c.th.run
	scheduled, slack := time.Duration(-1), time.Duration(0)
	if c.paced {
		scheduled = c.due
		c.seq++
		c.due = r.cfg.Pacer.Due(float64(c.seq)*c.stride + c.phase)
		slack = max(c.due-scheduled, lateSlack)
		if wait := scheduled - r.clock(); wait > 0 && !c.sleep(wait) {
			return nil
		}
	}
	script := c.th.script
	if script != nil && c.th.hasDelay {
		d, err := script.Delay()
		if err != nil {
			return err
		}
		if d > 0 && !c.sleep(d) {
			return nil
		}
	}
	req := c.th.static
	if c.th.dynamic {
		var err error
		if req, err = script.Next(c.index); err != nil {
			return err
		}
		if req.Count < 1 || len(req.Bytes) == 0 {
			return errEmptyRequest
		}
	}

	start := r.clock()
	if scheduled >= 0 {
		behind := start - scheduled
		if behind > slack {
			c.late += uint64(req.Count)
		}
		c.maxBehind = max(c.maxBehind, behind)
	}
	c.inflight.Store(int64(start))
	readBefore := c.in.n
	if _, err := c.nc.Write(req.Bytes); err != nil {
		c.socketError(&c.totals.Errors.Write)
		return nil
	}
	c.sent += uint64(req.Count)
	// Let the other connections run while the server works: the response is
	// then usually there when this one reads, which saves a read that would
	// fail with EAGAIN and a trip through the netpoller.
	runtime.Gosched()
	closeAfter := false
	for i := 0; i < req.Count; i++ {
		c.resp.SkipBody = i < 64 && req.HeadMask&(1<<uint(i)) != 0
		if err := c.readResponse(); err != nil {
			c.readError(err)
			return nil
		}
		if c.th.hasResponse {
			if err := script.Response(&c.resp); err != nil {
				return err
			}
		}
		closeAfter = closeAfter || c.resp.ConnectionClose()
		status := c.resp.StatusCode()
		if status < 0 || status >= maxStatus {
			status = 0
		}
		c.batch = append(c.batch, sample{status: uint16(status)})
		c.totals.Requests++
		if status > 399 {
			c.totals.Errors.Status++
		}
	}
	end := r.clock()
	c.inflight.Store(0)
	latency := end - start
	if latency > r.cfg.Timeout || c.expired.Load() {
		// A late response is a timeout, never a latency sample.
		c.dropBatch(req.Count)
		c.socketError(&c.totals.Errors.Timeout)
		return nil
	}
	last := &c.batch[len(c.batch)-1]
	last.latency = uint32(min(latency/time.Microsecond, histHighest)) + 1
	if scheduled >= 0 {
		last.corrected = uint32(min((end-scheduled)/time.Microsecond, histHighest)) + 1
	}
	c.totals.Bytes = c.in.n
	if read := c.in.n - readBefore; read > uint64(c.br.Size()*req.Count) && c.br.Size() < fitResponsesUpTo {
		c.growReadBuffer(min(fitResponsesUpTo, 2*int(read)/req.Count))
	}
	c.publish()
	if len(c.batch) >= samplesPerFlush-1 || end-c.lastSent > 50*time.Millisecond {
		c.flush(end)
	}
	if closeAfter {
		c.disconnect()
	}
	// Like wrk's event loop, which writes the next request on a later loop
	// turn, let the other connections read their responses first; a busy
	// generator then does not count its own backlog as server latency.
	runtime.Gosched()
	return nil
}

// readResponse reads one response into c.resp, growing the read buffer when
// the headers do not fit: fasthttp then has consumed nothing.
func (c *conn) readResponse() error {
	for {
		err := c.resp.Read(c.br)
		if err == nil || !isSmallBuffer(err) || c.br.Size() >= maxReadBufferSize {
			return err
		}
		c.growReadBuffer(min(c.br.Size()*4, maxReadBufferSize))
	}
}

// isSmallBuffer is apart from readResponse so that the error target it
// declares is only allocated on the error path.
func isSmallBuffer(err error) bool {
	var small *fasthttp.ErrSmallBuffer
	return errors.As(err, &small)
}

// growReadBuffer replaces the read buffer with one of size bytes, keeping
// what it holds. It allocates, but at most a few times per connection.
func (c *conn) growReadBuffer(size int) {
	held, _ := c.br.Peek(c.br.Buffered())
	rest := io.Reader(&c.in)
	if len(held) > 0 {
		rest = io.MultiReader(bytes.NewReader(bytes.Clone(held)), &c.in)
	}
	c.br = bufio.NewReaderSize(rest, size)
}

// dropBatch forgets the last n responses, which arrived too late to count.
func (c *conn) dropBatch(n int) {
	for _, s := range c.batch[len(c.batch)-n:] {
		c.totals.Requests--
		if s.status > 399 {
			c.totals.Errors.Status--
		}
	}
	c.batch = c.batch[:len(c.batch)-n]
}

func (c *conn) readError(err error) {
	if c.expired.Load() || errors.Is(err, os.ErrDeadlineExceeded) {
		c.socketError(&c.totals.Errors.Timeout)
		return
	}
	c.socketError(&c.totals.Errors.Read)
}

// socketError counts a failure unless the run is ending (an interrupted
// request is not an error), then drops the connection.
func (c *conn) socketError(counter *uint64) {
	if !c.stopping() {
		*counter++
		c.publish()
	}
	c.disconnect()
}

// publish makes the counters visible to the monitor and the series loop.
func (c *conn) publish() {
	c.completed.Store(c.totals.Requests)
	c.failed.Store(c.totals.Errors.Socket() + c.totals.Errors.Status)
	c.socket.Store(c.totals.Errors.Socket())
}

func (c *conn) flush(now time.Duration) {
	if len(c.batch) > 0 {
		c.th.stats.add(c.batch)
		c.batch = c.batch[:0]
	}
	c.lastSent = now
}

func (c *conn) finish() {
	c.disconnect()
	c.totals.Bytes = c.in.n
	c.flush(0)
	s := c.th.stats
	s.mu.Lock()
	s.totals.Requests += c.totals.Requests
	s.totals.Bytes += c.totals.Bytes
	s.totals.Errors.add(c.totals.Errors)
	s.sent += c.sent
	s.late += c.late
	s.maxBehind = max(s.maxBehind, c.maxBehind)
	s.mu.Unlock()
	c.th.wg.Done()
}
