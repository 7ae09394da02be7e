package promexport

import (
	"sort"
	"strconv"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/stats"
)

// bounds are the latency buckets' upper bounds in µs, 100 µs to 60 s in
// steps of 1, 2.5 and 5, then +Inf: fixed, so that the series of any two
// runs add up.
var bounds = [...]int64{
	100, 250, 500,
	1_000, 2_500, 5_000,
	10_000, 25_000, 50_000,
	100_000, 250_000, 500_000,
	1_000_000, 2_500_000, 5_000_000,
	10_000_000, 25_000_000, 60_000_000,
}

// leLabels are the bounds as the le label writes them, in seconds.
var leLabels = func() [len(bounds) + 1]string {
	var out [len(bounds) + 1]string
	for i, b := range bounds {
		out[i] = strconv.FormatFloat(float64(b)/1e6, 'g', -1, 64)
	}
	out[len(bounds)] = "+Inf"
	return out
}()

// Histogram is a latency distribution in the classic histogram's buckets.
type Histogram struct {
	// Buckets counts the samples up to each bound and above the last, each
	// bucket on its own (not yet cumulative as le counts are).
	Buckets [len(bounds) + 1]uint64
	// Count is the number of samples; SumUS their sum in µs.
	Count uint64
	SumUS float64
}

// Add adds h's samples (µs, as the generator's histograms hold them). Each
// counts at its HdrHistogram bucket's representative value, as the JSON
// report's mean does.
func (hg *Histogram) Add(h *hdrhistogram.Histogram) {
	if h == nil || h.TotalCount() == 0 {
		return
	}
	for _, bar := range stats.Bars(h) {
		i := sort.Search(len(bounds), func(i int) bool { return bounds[i] >= bar.Value })
		hg.Buckets[i] += uint64(bar.Count)
		hg.Count += uint64(bar.Count)
		hg.SumUS += float64(bar.Value) * float64(bar.Count)
	}
}

// series are the histogram's _bucket, _sum and _count series under name,
// each with labels and its own le.
func (hg *Histogram) series(name string, labels []Label) []Series {
	out := make([]Series, 0, len(hg.Buckets)+2)
	var cum uint64
	for i, n := range hg.Buckets {
		cum += n
		out = append(out, Series{Name: name + "_bucket", Labels: with(labels, Label{"le", leLabels[i]}), Value: float64(cum)})
	}
	return append(out,
		Series{Name: name + "_sum", Labels: labels, Value: hg.SumUS / 1e6},
		Series{Name: name + "_count", Labels: labels, Value: float64(hg.Count)})
}
