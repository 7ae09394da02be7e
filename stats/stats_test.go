package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, 3_600_000_000, 3) }

// bruteForce computes wrk's statistics over raw samples, as wrk's stats.c does.
func bruteForce(v []int64) (mean, stdev, within float64, pct func(float64) int64) {
	var sum float64
	for _, x := range v {
		sum += float64(x)
	}
	mean = sum / float64(len(v))
	var sq float64
	for _, x := range v {
		sq += (float64(x) - mean) * (float64(x) - mean)
	}
	stdev = math.Sqrt(sq / float64(len(v)-1))
	n := 0
	for _, x := range v {
		if f := float64(x); f >= mean-stdev && f <= mean+stdev {
			n++
		}
	}
	within = float64(n) / float64(len(v)) * 100
	sorted := slices.Clone(v)
	slices.Sort(sorted)
	pct = func(p float64) int64 {
		rank := int64(math.Round(p/100*float64(len(v)) + 0.5))
		return sorted[min(max(rank, 1), int64(len(v)))-1]
	}
	return
}

func TestSummaryMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, scale := range []float64{100, 5_000, 2_000_000} {
		var v []int64
		h := newHist()
		for range 20_000 {
			x := int64(rng.ExpFloat64()*scale) + 1
			v = append(v, x)
			_ = h.RecordValue(x)
		}
		mean, stdev, within, pct := bruteForce(v)
		s := Summarize(h)
		if rel(s.Mean, mean) > 0.001 || rel(s.Stdev, stdev) > 0.001 {
			t.Errorf("scale %v: mean %.2f/%.2f stdev %.2f/%.2f", scale, s.Mean, mean, s.Stdev, stdev)
		}
		if math.Abs(s.WithinStdev-within) > 0.5 {
			t.Errorf("scale %v: within %.2f/%.2f", scale, s.WithinStdev, within)
		}
		for _, p := range []float64{50, 75, 90, 99, 99.9} {
			if got, want := Percentile(h, p), pct(p); rel(float64(got), float64(want)) > 0.001 {
				t.Errorf("scale %v p%v: %d, want %d", scale, p, got, want)
			}
		}
	}
}

func rel(a, b float64) float64 { return math.Abs(a-b) / math.Max(math.Abs(b), 1) }

func TestPercentileRankRule(t *testing.T) {
	h := newHist()
	for v := int64(1); v <= 10; v++ {
		_ = h.RecordValue(v * 100)
	}
	// rank = round(p/100*10 + 0.5)
	for p, want := range map[float64]int64{50: 600, 75: 800, 90: 1000, 99: 1000, 10: 200, 0: 100} {
		if got := Percentile(h, p); got != want {
			t.Errorf("p%v = %d, want %d", p, got, want)
		}
	}
	if got := Percentile(newHist(), 50); got != 0 {
		t.Errorf("empty p50 = %d", got)
	}
}

func TestCorrectAddsWrksSyntheticSamples(t *testing.T) {
	h := newHist()
	_ = h.RecordValue(1000)
	_ = h.RecordValues(100, 3)
	c := Correct(h, 300)
	// 1000 >= 600: adds 700 and 400 (100 is not above the interval).
	want := map[int64]int64{100: 3, 400: 1, 700: 1, 1000: 1}
	for _, b := range Bars(c) {
		if want[b.Value] != b.Count {
			t.Errorf("value %d count %d, want %d", b.Value, b.Count, want[b.Value])
		}
		delete(want, b.Value)
	}
	if len(want) != 0 {
		t.Errorf("missing %v", want)
	}
	if h.TotalCount() != 4 {
		t.Errorf("Correct changed its input")
	}
	if Correct(h, 0).TotalCount() != 4 {
		t.Errorf("interval 0 must not correct")
	}
}

func TestCorrectionInterval(t *testing.T) {
	if got := CorrectionInterval(3_000_000, 1000, 10); got != 30_000 {
		t.Errorf("got %d", got)
	}
	// complete/connections is integer division in wrk: 15/10 = 1.
	if got := CorrectionInterval(3_000_000, 15, 10); got != 3_000_000 {
		t.Errorf("got %d", got)
	}
	if got := CorrectionInterval(3_000_000, 5, 10); got != 0 {
		t.Errorf("got %d, want no correction", got)
	}
}

func TestEmptySummary(t *testing.T) {
	s := Summarize(newHist())
	if s.Count != 0 || s.Mean != 0 || s.Stdev != 0 || !math.IsNaN(s.WithinStdev) {
		t.Errorf("%+v", s)
	}
}

// Bars reads the counts with its own index arithmetic: it must agree with
// the library's Distribution for every geometry gowrk uses.
func TestBarsMatchDistribution(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, g := range []struct {
		lowest, highest int64
		digits          int
		top             int64 // the largest value recorded
	}{
		{1, 3_600_000_000, 3, 3_600_000_000}, {1, 3_600_000_000, 3, 25_000}, {1, 3_600_000_000, 2, 3_600_000_000},
		{1, 1_000_000_000, 3, 900}, {1000, 3_600_000_000, 3, 3_600_000_000}, {1000, 3_600_000_000, 3, 1500},
		{7, 1 << 40, 5, 1 << 40}, {7, 1 << 40, 5, 1 << 20}, {1, 1000, 1, 1000},
	} {
		h := hdrhistogram.New(g.lowest, g.highest, g.digits)
		for range 5000 {
			v := int64(math.Exp(rng.Float64() * math.Log(float64(g.top))))
			_ = h.RecordValues(v, 1+rng.Int64N(3))
		}
		_ = h.RecordValue(g.top)
		var want []Bar
		for _, b := range h.Distribution() {
			if b.Count > 0 {
				want = append(want, Bar{Value: representative(b.From, b.To), Count: b.Count})
			}
		}
		got := Bars(h)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: %d bars, want %d", g, len(got), len(want))
		}
	}
	if bars := Bars(hdrhistogram.New(1, 1000, 3)); len(bars) != 0 {
		t.Errorf("empty histogram: %v", bars)
	}
}

func TestSubtractLeavesTheRest(t *testing.T) {
	all, part := hdrhistogram.New(1, 3_600_000_000, 3), hdrhistogram.New(1, 3_600_000_000, 3)
	for v := int64(1); v <= 1000; v++ {
		_ = all.RecordValue(v)
		if v%2 == 0 {
			_ = part.RecordValue(v)
		}
	}
	rest := Subtract(all, part)
	if rest.TotalCount() != 500 || rest.Min() != 1 || rest.Max() < 999 || rest.Max() > 1000 {
		t.Errorf("rest: %d values from %d to %d, want the 500 odd ones from 1 to 999", rest.TotalCount(), rest.Min(), rest.Max())
	}
	if all.TotalCount() != 1000 {
		t.Errorf("the whole changed: %d values", all.TotalCount())
	}
}
