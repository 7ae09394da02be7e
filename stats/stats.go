// Package stats computes wrk's statistics over HdrHistogram data: mean,
// sample standard deviation, share within one deviation, wrk's percentile
// rank rule, and wrk's after-the-fact coordinated-omission correction.
package stats

import (
	"math"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Summary is the row wrk prints for a distribution.
type Summary struct {
	Count       int64
	Min, Max    int64
	Mean, Stdev float64
	// WithinStdev is the percentage of samples within [Mean-Stdev, Mean+Stdev];
	// NaN when there are no samples, as in wrk.
	WithinStdev float64
}

// Bar is one distinct value of a histogram and how many samples it holds.
type Bar struct {
	Value int64
	Count int64
}

// Bars lists the distinct recorded values in ascending order. Each value is
// the bucket's representative, exact below 2048 and within 0.1% above.
//
// It reads one copy of the counts rather than h.Distribution, which builds
// a bar for every bucket up to the largest value (tens of thousands) and
// made a run's final reports the moment of its peak memory.
func Bars(h *hdrhistogram.Histogram) []Bar {
	counts := compact(h).Export().Counts
	last := len(counts) - 1
	for last >= 0 && counts[last] == 0 {
		last--
	}
	n := 0
	for _, c := range counts[:last+1] {
		if c > 0 {
			n++
		}
	}
	g := geometryOf(h)
	bars := make([]Bar, 0, n)
	for i, c := range counts[:last+1] {
		if c > 0 {
			from, to := g.bucket(i)
			bars = append(bars, Bar{Value: representative(from, to), Count: c})
		}
	}
	return bars
}

// compact returns h, or a copy of it whose range ends at h's largest value,
// when that is much smaller: its counts, and so Export's copy of them, are
// a fraction of the size (latency histograms reach an hour, and runs rarely
// a second). The layout of values over indices does not depend on the
// range's end, so the copy's counts read the same.
func compact(h *hdrhistogram.Histogram) *hdrhistogram.Histogram {
	highest := h.Max()
	if highest >= h.HighestTrackableValue()/4 {
		return h
	}
	c := hdrhistogram.New(h.LowestTrackableValue(), max(highest, 2*h.LowestTrackableValue()), int(h.SignificantFigures()))
	if c.Merge(h) > 0 {
		return h
	}
	return c
}

// geometry is HdrHistogram's layout of values over its counts: each
// bucket doubles the unit of the one before, and holds the upper half of
// its sub-buckets (the lower half overlaps the previous bucket), except
// bucket 0, which holds them all.
type geometry struct {
	unitMagnitude, halfCountMagnitude int
}

func geometryOf(h *hdrhistogram.Histogram) geometry {
	// Single-unit resolution up to 2*10^digits, in a power-of-two count.
	countMagnitude := int(math.Ceil(math.Log2(2 * math.Pow10(int(h.SignificantFigures())))))
	return geometry{
		unitMagnitude:      max(int(math.Floor(math.Log2(float64(h.LowestTrackableValue())))), 0),
		halfCountMagnitude: max(countMagnitude, 1) - 1,
	}
}

// bucket is the range of values counted at index i of the counts.
func (g geometry) bucket(i int) (from, to int64) {
	half := 1 << g.halfCountMagnitude
	bucket, sub := 0, i
	if i >= 2*half {
		bucket = i>>g.halfCountMagnitude - 1
		sub = i&(half-1) + half
	}
	shift := uint(bucket + g.unitMagnitude)
	from = int64(sub) << shift
	return from, from + int64(1)<<shift - 1
}

// representative picks the value a bucket stands for: the value itself for
// exact buckets, the midpoint of wider ones, so means stay unbiased.
func representative(from, to int64) int64 {
	if to <= from {
		return from
	}
	return from + (to-from+1)/2
}

// Summarize computes wrk's statistics row for h.
func Summarize(h *hdrhistogram.Histogram) Summary {
	s := Summary{Count: h.TotalCount()}
	if s.Count == 0 {
		s.WithinStdev = math.NaN()
		return s
	}
	s.Min, s.Max = h.Min(), h.Max()
	bars := Bars(h)
	var sum float64
	for _, b := range bars {
		sum += float64(b.Value) * float64(b.Count)
	}
	s.Mean = sum / float64(s.Count)
	if s.Count > 1 {
		var sq float64
		for _, b := range bars {
			d := float64(b.Value) - s.Mean
			sq += d * d * float64(b.Count)
		}
		s.Stdev = math.Sqrt(sq / float64(s.Count-1))
	}
	lower, upper := s.Mean-s.Stdev, s.Mean+s.Stdev
	var within int64
	for _, b := range bars {
		if v := float64(b.Value); v >= lower && v <= upper {
			within += b.Count
		}
	}
	s.WithinStdev = float64(within) / float64(s.Count) * 100
	return s
}

// Percentile returns wrk's percentile p (0-100): the first value whose
// cumulative count reaches round(p/100*count + 0.5). It returns 0 for an
// empty histogram.
func Percentile(h *hdrhistogram.Histogram, p float64) int64 {
	return PercentileOf(Bars(h), h.TotalCount(), p)
}

// PercentileOf is Percentile over precomputed bars, for callers that ask for
// several percentiles of the same histogram.
func PercentileOf(bars []Bar, count int64, p float64) int64 {
	if count == 0 {
		return 0
	}
	rank := int64(math.Round(p/100*float64(count) + 0.5))
	var total int64
	for _, b := range bars {
		total += b.Count
		if total >= rank {
			return b.Value
		}
	}
	return bars[len(bars)-1].Value
}

// Correct returns a copy of h with wrk's coordinated-omission correction:
// for every value v >= 2*interval it adds the synthetic samples v-interval,
// v-2*interval, ... while they stay above interval. The synthetic samples can
// lie below the original minimum: report the minimum of h, as wrk does.
func Correct(h *hdrhistogram.Histogram, interval int64) *hdrhistogram.Histogram {
	out := hdrhistogram.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
	out.Merge(h)
	if interval <= 0 {
		return out
	}
	for _, b := range Bars(h) {
		if b.Value < 2*interval {
			continue
		}
		for m := b.Value - interval; m > interval; m -= interval {
			_ = out.RecordValues(m, b.Count)
		}
	}
	return out
}

// CorrectionInterval is wrk's expected interval between requests of one
// connection, in microseconds: runtime / (complete / connections), in
// integer arithmetic as wrk computes it; 0 means no correction.
func CorrectionInterval(runtimeUS, complete uint64, connections int) int64 {
	if connections <= 0 {
		return 0
	}
	perConn := complete / uint64(connections)
	if perConn == 0 {
		return 0
	}
	return int64(runtimeUS / perConn)
}

// Subtract is a copy of h without the values of part, which must have been
// recorded into h too (a subset, with the same geometry).
func Subtract(h, part *hdrhistogram.Histogram) *hdrhistogram.Histogram {
	snap := h.Export()
	if part != nil {
		other := part.Export()
		for i := range snap.Counts {
			if i < len(other.Counts) {
				snap.Counts[i] = max(snap.Counts[i]-other.Counts[i], 0)
			}
		}
	}
	return hdrhistogram.Import(snap)
}
