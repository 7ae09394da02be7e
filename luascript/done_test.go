package luascript

import (
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
)

// fakeResult is a 1 ms run of 5 requests on one connection. The expected
// interval is 1000/5 = 200 µs, so the 500 µs sample gains one synthetic
// 300 µs sample from the coordinated-omission correction. Values stay
// below 2048, where the histogram is exact.
func fakeResult() *generator.Result {
	lat := generator.NewLatencyHistogram()
	for _, v := range []int64{10, 10, 20, 30, 500} {
		_ = lat.RecordValue(v)
	}
	rate := hdrhistogram.New(1, 1_000_000_000, 3)
	for _, v := range []int64{10, 20, 20} {
		_ = rate.RecordValue(v)
	}
	return &generator.Result{
		Config:      generator.Config{Connections: 1, Threads: 1},
		Runtime:     time.Millisecond,
		Requests:    5,
		Bytes:       1234,
		Errors:      generator.Errors{Connect: 1, Read: 2, Write: 3, Status: 4, Timeout: 5},
		Latency:     lat,
		RequestRate: rate,
	}
}

func TestDoneSummary(t *testing.T) {
	h := load(t, `function done(s)
			local e = s.errors
			print(s.duration, s.requests, s.bytes, e.connect, e.read, e.write, e.status, e.timeout)
		end`)
	if err := h.script.Done(fakeResult()); err != nil {
		t.Fatal(err)
	}
	if got := h.out.String(); got != "1000\t5\t1234\t1\t2\t3\t4\t5\n" {
		t.Errorf("summary printed %q", got)
	}
}

func TestDoneLatencyStats(t *testing.T) {
	h := load(t, `function done(s, latency)
			print(latency.min, latency.max, latency.mean, #latency, latency:percentile(50), latency:percentile(100))
			for i = 1, #latency do
				local v, n = latency(i)
				io.write(v, "x", n, " ")
			end
			print(latency(99))
		end`)
	if err := h.script.Done(fakeResult()); err != nil {
		t.Fatal(err)
	}
	want := "10\t500\t145\t5\t30\t500\n10x2 20x1 30x1 300x1 500x1 0\t0\n"
	if got := h.out.String(); got != want {
		t.Errorf("latency printed\n%q\nwant\n%q", got, want)
	}
}

func TestDoneStdev(t *testing.T) {
	h := load(t, `function done(s, latency, requests)
			print(string.format("%.3f %.3f", latency.stdev, requests.stdev))
		end`)
	if err := h.script.Done(fakeResult()); err != nil {
		t.Fatal(err)
	}
	// Sample standard deviations of {10,10,20,30,300,500} and {10,20,20}.
	if got := h.out.String(); got != "207.533 5.774\n" {
		t.Errorf("stdev printed %q", got)
	}
}

func TestDoneRequestStats(t *testing.T) {
	h := load(t, `function done(s, latency, requests)
			print(requests.min, requests.max, requests.mean, #requests, requests:percentile(50), requests(2))
		end`)
	if err := h.script.Done(fakeResult()); err != nil {
		t.Fatal(err)
	}
	if got := h.out.String(); !strings.HasPrefix(got, "10\t20\t16.666666666667\t2\t20\t20\t2\n") {
		t.Errorf("requests printed %q", got)
	}
}

func TestDoneReportScript(t *testing.T) {
	h := loadFile(t, "testdata/report.lua")
	if err := h.script.Done(fakeResult()); err != nil {
		t.Fatal(err)
	}
	want := "percentile,latency_us\n50,30\n90,500\n99,500\n99.999,500\n"
	if got := h.out.String(); got != want {
		t.Errorf("report printed\n%s\nwant\n%s", got, want)
	}
}

func TestDoneEmptyRun(t *testing.T) {
	h := load(t, `function done(s, latency, requests)
			print(latency.min, latency.max, #latency, latency:percentile(99), requests.mean)
		end`)
	res := &generator.Result{Latency: generator.NewLatencyHistogram(), RequestRate: hdrhistogram.New(1, 10, 1)}
	if err := h.script.Done(res); err != nil {
		t.Fatal(err)
	}
	if got := h.out.String(); got != "0\t0\t0\t0\t0\n" {
		t.Errorf("empty run printed %q", got)
	}
}

// TestDoneOpenLoopLatency checks that an open-loop run's schedule-based
// histogram is used as is, with min and max from the measured one.
func TestDoneOpenLoopLatency(t *testing.T) {
	res := fakeResult()
	res.Corrected = generator.NewLatencyHistogram()
	for _, v := range []int64{40, 50, 60} {
		_ = res.Corrected.RecordValue(v)
	}
	h := load(t, `function done(s, latency) print(latency.min, latency.max, latency.mean, #latency) end`)
	if err := h.script.Done(res); err != nil {
		t.Fatal(err)
	}
	if got := h.out.String(); got != "10\t500\t50\t3\n" {
		t.Errorf("latency printed %q", got)
	}
}
