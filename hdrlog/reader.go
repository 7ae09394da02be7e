package hdrlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	runsummary "github.com/gowrk/gowrk/summary"
)

// Log is a gowrk log's metadata, read without its histograms, which
// Histograms streams.
type Log struct {
	// Path is the file the log was read from.
	Path string
	// data holds a log read from a stream (ReadStream); nil for a file.
	data      []byte
	meta      runMeta
	intervals []intervalMeta
	summary   summary
	rates     *hdrhistogram.Histogram
}

// maxLine bounds a log line: a compressed histogram of gowrk's geometry
// takes a few KB even when its values are spread widely.
const maxLine = 4 << 20

// Open reads the metadata of the gowrk log at path.
func Open(path string) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	l.Path = path
	return l, nil
}

func read(r io.Reader) (*Log, error) {
	l := &Log{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var haveMeta, haveSummary bool
	for sc.Scan() {
		line := sc.Text()
		var err error
		switch {
		case strings.HasPrefix(line, runPrefix):
			err = json.Unmarshal([]byte(line[len(runPrefix):]), &l.meta)
			haveMeta = true
		case strings.HasPrefix(line, intervalPrefix):
			var iv intervalMeta
			err = json.Unmarshal([]byte(line[len(intervalPrefix):]), &iv)
			l.intervals = append(l.intervals, iv)
		case strings.HasPrefix(line, summaryPrefix):
			err = json.Unmarshal([]byte(line[len(summaryPrefix):]), &l.summary)
			haveSummary = true
		}
		if err != nil {
			return nil, fmt.Errorf("bad gowrk line: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	switch {
	case !haveMeta:
		return nil, errors.New("not a gowrk log (no #gowrk-run line)")
	case l.meta.Version != logVersion:
		return nil, fmt.Errorf("gowrk log version %d, want %d", l.meta.Version, logVersion)
	case l.meta.Unit != "us":
		return nil, fmt.Errorf("values in %q, want us", l.meta.Unit)
	case !haveSummary:
		return nil, errors.New("the run did not finish (no #gowrk-summary line)")
	}
	if err := l.checkTimes(); err != nil {
		return nil, err
	}
	rates, err := hdrhistogram.Decode([]byte(l.summary.ThreadReqSec))
	if err != nil {
		return nil, fmt.Errorf("bad Req/Sec histogram: %w", err)
	}
	l.rates = rates
	return l, nil
}

// Bounds on a log's times. They keep every time a valid time.Duration, and
// the merged series, one bucket per series interval from the start to the
// last interval, proportional to the intervals the log holds: a damaged
// or hostile file must not make a merge allocate without end.
const (
	maxLogSeconds     = 1e8 // about three years
	minSeriesInterval = 1e-3
	maxSeriesInterval = 24 * 3600
	// maxSparseness bounds the series' length, in series intervals, per
	// interval in the log; real runs have about one, more after stalls.
	maxSparseness = 10
)

// checkTimes rejects times and rates that are negative, not finite or out
// of the bounds above.
func (l *Log) checkTimes() error {
	m, s := &l.meta, &l.summary
	for _, v := range []float64{m.DurationS, m.TimeoutS, m.RampS, m.StopWindowS, s.RuntimeS, s.MaxBehindS} {
		if !inRange(v, 0, maxLogSeconds) {
			return errors.New("bad gowrk line: a time out of range")
		}
	}
	if !inRange(m.RateFrom, 0, math.MaxFloat64) || !inRange(m.RateTo, 0, math.MaxFloat64) {
		return errors.New("bad gowrk line: a rate out of range")
	}
	step := m.SeriesIntervalS
	if step == 0 {
		step = 1 // what a merge takes
	}
	if !inRange(step, minSeriesInterval, maxSeriesInterval) {
		return errors.New("bad gowrk line: series interval out of range")
	}
	limit := step * maxSparseness * float64(len(l.intervals)+1)
	for _, iv := range l.intervals {
		if !inRange(iv.StartS, 0, limit) || !inRange(iv.LengthS, 0, limit) || !inRange(iv.Target, 0, math.MaxFloat64) {
			return errors.New("bad gowrk line: interval times out of range")
		}
	}
	return nil
}

// inRange reports whether lo <= v <= hi; never for NaN.
func inRange(v, lo, hi float64) bool { return v >= lo && v <= hi }

// Start is when the run started.
func (l *Log) Start() time.Time { return l.meta.start() }

// Runtime is how long the run lasted.
func (l *Log) Runtime() time.Duration { return seconds(l.summary.RuntimeS) }

// OpenLoop reports whether the run was paced (its untagged histograms are
// corrected from the schedule and come with each interval).
func (l *Log) OpenLoop() bool { return l.meta.openLoop() }

// Histograms reads the log's interval histograms in order with
// hdrhistogram-go's log reader. The caller closes the stream.
func (l *Log) Histograms() (*Histograms, error) {
	if l.data != nil {
		r := bytes.NewReader(l.data)
		return &Histograms{f: io.NopCloser(r), r: hdrhistogram.NewHistogramLogReader(r), seen: map[string]int{}}, nil
	}
	f, err := os.Open(l.Path)
	if err != nil {
		return nil, err
	}
	return &Histograms{f: f, r: hdrhistogram.NewHistogramLogReader(f), seen: map[string]int{}}, nil
}

// Histograms streams a log's interval histograms.
type Histograms struct {
	f    io.Closer
	r    *hdrhistogram.HistogramLogReader
	seen map[string]int // histograms read per tag
}

// Next returns the next histogram with the index of its interval and its
// tag ("" or UncorrectedTag); h is nil at the end of the log. Each tag's
// histograms are in interval order.
func (s *Histograms) Next() (interval int, tag string, h *hdrhistogram.Histogram, err error) {
	h, err = s.r.NextIntervalHistogram()
	if err != nil || h == nil {
		return 0, "", nil, err
	}
	tag = h.Tag()
	interval = s.seen[tag]
	s.seen[tag]++
	return interval, tag, h, nil
}

// Close closes the log file.
func (s *Histograms) Close() error { return s.f.Close() }

// Source describes the run for a merged report.
func (l *Log) Source() runsummary.Source {
	return runsummary.Source{File: l.Path, URL: l.meta.URL, Start: l.Start(), Runtime: l.Runtime(), Requests: l.summary.Requests}
}
