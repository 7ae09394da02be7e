package hdrlog

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/stats"
	runsummary "github.com/gowrk/gowrk/summary"
)

// Writer streams a run's intervals to a log as the run goes. Hand Interval
// to generator.Config's OnInterval and call Close with the result. It keeps
// the first write error and returns it from Close.
//
// The untagged series holds the latency the report shows. In open-loop mode
// that is known per interval and streamed. In closed-loop mode it is wrk's
// correction, whose expected interval is the whole run's mean, known only
// at the end: the measured intervals are streamed tagged UncorrectedTag
// (so an interrupted run still leaves them), and kept compressed until
// Close writes their corrected copies.
type Writer struct {
	out      *bufio.Writer
	log      *hdrhistogram.HistogramLogWriter
	cfg      generator.Config
	started  bool
	measured []measuredInterval // closed loop only
	err      error
}

// measuredInterval is a closed-loop interval's measured latency, kept
// compressed until the run's correction is known.
type measuredInterval struct {
	startMS, endMS int64
	encoded        []byte
}

// NewWriter starts a log on w. The run's configuration comes with its
// first interval.
func NewWriter(w io.Writer) *Writer {
	out := bufio.NewWriter(w)
	return &Writer{out: out, log: hdrhistogram.NewHistogramLogWriter(out)}
}

// Interval writes one closed interval; it is called from the run's series
// goroutine.
func (w *Writer) Interval(d generator.IntervalData) {
	if w.err != nil {
		return
	}
	if !w.started {
		w.started = true
		w.cfg = *d.Config
		w.header(d.RunStart)
	}
	startMS := d.RunStart.Add(d.Start).UnixMilli()
	endMS := d.RunStart.Add(d.Start + d.Length).UnixMilli()
	if d.Uncorrected != nil {
		w.histogram(d.Latency, "", startMS, endMS)
		w.histogram(d.Uncorrected, UncorrectedTag, startMS, endMS)
	} else {
		w.histogram(d.Latency, UncorrectedTag, startMS, endMS)
		enc, err := d.Latency.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		w.setErr(err)
		w.measured = append(w.measured, measuredInterval{startMS, endMS, enc})
	}
	w.comment(intervalPrefix, intervalMeta{
		StartS: d.Start.Seconds(), LengthS: d.Length.Seconds(),
		Requests: d.Requests, Errors: d.Errors, Target: d.Target,
	})
	// Flushed per interval so an interrupted run leaves a usable log.
	w.setErr(w.out.Flush())
}

func (w *Writer) header(start time.Time) {
	w.setErr(w.log.OutputLogFormatVersion())
	// hdrhistogram-go writes StartTime in whole seconds; readers add the
	// intervals' offsets to it, so it must be as precise as they are.
	ms := start.UnixMilli()
	_, err := fmt.Fprintf(w.out, "#[StartTime: %d.%03d (seconds since epoch), %s]\n",
		ms/1000, ms%1000, time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	w.setErr(err)
	w.log.SetBaseTime(ms)
	w.comment(runPrefix, metaOf(&w.cfg, start))
	what := "latency with wrk's coordinated-omission correction, as the report shows it, written when the run ends; Tag=" + UncorrectedTag + ": as measured"
	if w.cfg.Pacer.Enabled() {
		what = "latency corrected from scheduled send times; Tag=" + UncorrectedTag + ": measured from the write"
	}
	w.setErr(w.log.OutputComment("[Values in microseconds: untagged: " + what + "; Interval_Max in seconds]"))
	w.setErr(w.log.OutputLegend())
}

func (w *Writer) histogram(h *hdrhistogram.Histogram, tag string, startMS, endMS int64) {
	h.SetTag(tag)
	h.SetStartTimeMs(startMS)
	h.SetEndTimeMs(endMS)
	w.setErr(w.log.OutputIntervalHistogram(h))
	h.SetTag("")
}

func (w *Writer) comment(prefix string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		w.setErr(err)
		return
	}
	_, err = fmt.Fprintf(w.out, "%s%s\n", prefix, data)
	w.setErr(err)
}

func (w *Writer) setErr(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// Close writes the run's totals and flushes; it returns the first error of
// the whole log.
func (w *Writer) Close(res *generator.Result) error {
	if !w.started && w.err == nil {
		w.started = true
		w.cfg = res.Config
		w.header(res.Start)
	}
	rates, err := res.RequestRate.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	w.setErr(err)
	s := summary{
		RuntimeS:     res.Runtime.Seconds(),
		Interrupted:  res.Interrupted,
		Requests:     res.Requests,
		Bytes:        res.Bytes,
		Errors:       res.Errors,
		StatusCodes:  res.StatusCodes,
		Sent:         res.Sent,
		Due:          res.Due,
		Late:         res.Late,
		MaxBehindS:   res.MaxBehind.Seconds(),
		ThreadReqSec: string(rates),
	}
	if bp := res.Breakpoint; bp != nil {
		s.Breakpoint = &breakpointRecord{Found: bp.Found, Rate: bp.Rate, Throughput: bp.Throughput, AtS: bp.At.Seconds(), Reasons: bp.Reasons}
	}
	w.comment(summaryPrefix, s)
	w.corrected(runsummary.CorrectionInterval(res))
	w.setErr(w.out.Flush())
	return w.err
}

// corrected writes the closed-loop intervals with wrk's correction for the
// expected interval (µs). The correction adds to each value's own bucket
// only, so the intervals add up to the report's corrected latency.
func (w *Writer) corrected(interval int64) {
	for _, m := range w.measured {
		if w.err != nil {
			return
		}
		h, err := hdrhistogram.Decode(m.encoded)
		if err != nil {
			w.setErr(err)
			return
		}
		w.histogram(stats.Correct(h, interval), "", m.startMS, m.endMS)
	}
	w.measured = nil
}
