package hdrlog

import (
	"errors"
	"fmt"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
)

// Merge combines logs of runs that ran at the same time (several
// generators against one target) into one result. Latency comes from the
// merged histograms, never from averaged percentiles; counts are summed,
// and so are rates: the merged runtime is the one at which the total
// requests give the sum of the runs' request rates (the runs' own runtime
// when they all ran equally long). The series is aligned on wall-clock
// time using each run's start. Runs must be all open-loop or all
// closed-loop.
func Merge(logs []*Log) (*generator.Result, error) {
	if len(logs) == 0 {
		return nil, errors.New("nothing to merge")
	}
	openLoop := logs[0].OpenLoop()
	for _, l := range logs[1:] {
		if l.OpenLoop() != openLoop {
			return nil, fmt.Errorf("cannot merge open-loop and closed-loop runs (%s, %s)", logs[0].Path, l.Path)
		}
	}
	res := totals(logs)
	if openLoop {
		res.Corrected = generator.NewLatencyHistogram()
	}
	if err := mergeSeries(logs, res); err != nil {
		return nil, err
	}
	return res, nil
}

// totals fills in everything but latency and the series.
func totals(logs []*Log) *generator.Result {
	first := logs[0]
	res := &generator.Result{
		Config:      first.meta.config(),
		Start:       first.Start(),
		StatusCodes: map[int]uint64{},
		Latency:     generator.NewLatencyHistogram(),
		RequestRate: hdrhistogram.New(1, 1_000_000_000, 3),
	}
	if _, _, differ := Workloads(logs); !differ {
		res.Config.Workload = first.Workload()
	}
	res.Config.Connections, res.Config.Threads = 0, 0
	res.Config.Pacer.From, res.Config.Pacer.To = 0, 0
	var rate float64
	var longest time.Duration
	for _, l := range logs {
		m, s := &l.meta, &l.summary
		res.Config.Connections += m.Connections
		res.Config.Threads += m.Threads
		res.Config.Pacer.From += m.RateFrom
		res.Config.Pacer.To += m.RateTo
		res.Config.Duration = max(res.Config.Duration, seconds(m.DurationS))
		if l.Start().Before(res.Start) {
			res.Start = l.Start()
		}
		res.Requests += s.Requests
		res.Bytes += s.Bytes
		res.Errors.Add(s.Errors)
		for code, n := range s.StatusCodes {
			res.StatusCodes[code] += n
		}
		res.Sent += s.Sent
		res.Due += s.Due
		res.Late += s.Late
		res.MaxBehind = max(res.MaxBehind, seconds(s.MaxBehindS))
		res.Interrupted = res.Interrupted || s.Interrupted
		res.RequestRate.Merge(l.rates)
		res.Threads = append(res.Threads, generator.ThreadTotals{Requests: s.Requests, Bytes: s.Bytes, Errors: s.Errors})
		if s.RuntimeS > 0 {
			rate += float64(s.Requests) / s.RuntimeS
		}
		longest = max(longest, l.Runtime())
	}
	res.Runtime = longest
	if rate > 0 && res.Requests > 0 {
		res.Runtime = seconds(float64(res.Requests) / rate)
	}
	return res
}

// cursor walks one log's histograms in step with the merged series.
type cursor struct {
	log    *Log
	offset time.Duration // the log's start after the earliest start
	next   int           // the next interval to merge
	hists  *Histograms
}

// mergeSeries merges the logs' interval histograms bucket by bucket. Each
// log is read once, in order, so only a bucket's worth of histograms is in
// memory at a time.
func mergeSeries(logs []*Log, res *generator.Result) error {
	step := res.Config.SeriesInterval
	if step <= 0 {
		step = time.Second
	}
	openLoop := res.Corrected != nil
	cursors := make([]*cursor, len(logs))
	for i, l := range logs {
		hists, err := l.Histograms()
		if err != nil {
			return err
		}
		defer hists.Close()
		cursors[i] = &cursor{log: l, offset: l.Start().Sub(res.Start), hists: hists}
	}
	bucket := generator.NewLatencyHistogram()
	for b := 0; ; b++ {
		remaining := false
		iv := generator.Interval{Start: time.Duration(b) * step, Length: step}
		bucket.Reset()
		for _, c := range cursors {
			for c.next < len(c.log.intervals) && c.bucket(c.next, step) <= b {
				meta := c.log.intervals[c.next]
				iv.Requests += meta.Requests
				iv.Errors += meta.Errors
				iv.Target += meta.Target
				if err := c.take(openLoop, bucket, res); err != nil {
					return err
				}
				c.next++
			}
			remaining = remaining || c.next < len(c.log.intervals)
		}
		if bucket.TotalCount() > 0 {
			iv.P50 = bucket.ValueAtQuantile(50)
			iv.P90 = bucket.ValueAtQuantile(90)
			iv.P99 = bucket.ValueAtQuantile(99)
			iv.Max = bucket.Max()
		}
		res.Series = append(res.Series, iv)
		if !remaining {
			return nil
		}
	}
}

// bucket is the merged series bucket interval i of the log falls in.
func (c *cursor) bucket(i int, step time.Duration) int {
	at := c.offset + seconds(c.log.intervals[i].StartS)
	return int(math.Round(float64(at) / float64(step)))
}

// take merges the histograms of the log's next interval: in open-loop mode
// the untagged one into the bucket and the reported latency and the
// uncorrected one into the measured latency; in closed-loop mode the
// uncorrected one into both, as the report corrects the merged latency
// afresh (the untagged corrected copies, after all intervals, go unread).
func (c *cursor) take(openLoop bool, bucket *hdrhistogram.Histogram, res *generator.Result) error {
	want := 1
	if openLoop {
		want = 2
	}
	for range want {
		interval, tag, h, err := c.hists.Next()
		switch {
		case err != nil:
			return fmt.Errorf("%s: %w", c.log.Path, err)
		case h == nil:
			return fmt.Errorf("%s: interval %d has no histogram", c.log.Path, c.next)
		case interval != c.next:
			return fmt.Errorf("%s: histogram of interval %d where %d was expected", c.log.Path, interval, c.next)
		case tag == UncorrectedTag && openLoop:
			res.Latency.Merge(h)
		case tag == "" && openLoop:
			bucket.Merge(h)
			res.Corrected.Merge(h)
		case tag == UncorrectedTag:
			bucket.Merge(h)
			res.Latency.Merge(h)
		default:
			return fmt.Errorf("%s: unexpected histogram tag %q", c.log.Path, tag)
		}
	}
	return nil
}
