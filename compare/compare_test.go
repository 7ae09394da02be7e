package compare

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// spread is n values around center, ±10%, in no particular order.
func spread(n int, center float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		out[i] = center * (0.9 + 0.2*r.Float64())
	}
	return out
}

func scaled(s []float64, f float64) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = v * f
	}
	return out
}

func mustCompare(t *testing.T, a, b []float64) Comparison {
	t.Helper()
	c, err := Samples(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompareIdenticalSamplesShowNoChange(t *testing.T) {
	for _, n := range []int{5, 10, 60} {
		a := spread(n, 2000, 1)
		c := mustCompare(t, a, slices.Clone(a))
		if c.Significant() || c.P < 0.99 {
			t.Errorf("n=%d: significant %v, p %v", n, c.Significant(), c.P)
		}
		if c.Change != 0 || !(c.ChangeLow < 0 && c.ChangeHigh > 0) || !(c.ShiftLow < 0 && c.ShiftHigh > 0) {
			t.Errorf("n=%d: change %v [%v, %v], shift [%v, %v]; want 0 inside both", n, c.Change, c.ChangeLow, c.ChangeHigh, c.ShiftLow, c.ShiftHigh)
		}
	}
}

func TestCompareShiftedSamplesShowTheChange(t *testing.T) {
	for _, n := range []int{5, 10, 60} {
		a := spread(n, 2000, 2)
		b := scaled(spread(n, 2000, 3), 1.2)
		c := mustCompare(t, a, b)
		if !c.Significant() || c.ChangeLow <= 0 || c.ChangeLow > 0.2 || c.ChangeHigh < 0.2 {
			t.Errorf("n=%d, 20%% higher: significant %v, change %.3f [%.3f, %.3f], p %.4f", n, c.Significant(), c.Change, c.ChangeLow, c.ChangeHigh, c.P)
		}
		if c.Change <= c.ChangeLow || c.Change >= c.ChangeHigh || c.Shift <= 0 || c.ShiftLow <= 0 {
			t.Errorf("n=%d: change %.3f [%.3f, %.3f], shift %.1f [%.1f, …]; want the estimate inside, the shift up", n, c.Change, c.ChangeLow, c.ChangeHigh, c.Shift, c.ShiftLow)
		}
		d := mustCompare(t, b, a)
		if !d.Significant() || d.ChangeHigh >= 0 || d.Shift >= 0 {
			t.Errorf("n=%d, the other way: significant %v, change %.3f [%.3f, %.3f]", n, d.Significant(), d.Change, d.ChangeLow, d.ChangeHigh)
		}
		if c.Exact != (n <= ExactLimit) {
			t.Errorf("n=%d: exact %v", n, c.Exact)
		}
	}
}

// An exact shift of every value is found exactly, on both scales.
func TestCompareExactRatioAndShift(t *testing.T) {
	a := []float64{100, 130, 170, 220, 300, 390, 500}
	c := mustCompare(t, a, scaled(a, 1.5))
	if math.Abs(c.Change-0.5) > 1e-12 {
		t.Errorf("change %v, want 0.5", c.Change)
	}
	plus := make([]float64, len(a))
	for i, v := range a {
		plus[i] = v + 40
	}
	if c := mustCompare(t, a, plus); c.Shift != 40 {
		t.Errorf("shift %v, want 40", c.Shift)
	}
}

// Overlapping samples with a small difference: no claim.
func TestCompareOverlapIsNotSignificant(t *testing.T) {
	a := spread(10, 2000, 4)
	b := scaled(spread(10, 2000, 5), 1.02)
	if c := mustCompare(t, a, b); c.Significant() || !(c.ChangeLow < 0 && c.ChangeHigh > 0) {
		t.Errorf("2%% within ±10%% noise: significant %v, CI [%.3f, %.3f], p %.3f", c.Significant(), c.ChangeLow, c.ChangeHigh, c.P)
	}
}

// Hollander and Wolfe's example (R's wilcox.test documentation): W = 35,
// one-sided p = 0.1272, so two-sided 0.2544.
func TestCompareKnownPValue(t *testing.T) {
	x := []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46}
	y := []float64{1.15, 0.88, 0.90, 0.74, 1.21}
	c := mustCompare(t, y, x)
	if math.Abs(c.P-0.2544) > 0.0001 || !c.Exact {
		t.Errorf("p %.5f (exact %v), want 0.2544", c.P, c.Exact)
	}
	// Five and five that do not overlap: 2 of the 252 orders are as
	// extreme.
	c = mustCompare(t, []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10})
	if math.Abs(c.P-2.0/252) > 1e-12 || !c.Significant() {
		t.Errorf("p %v, want 2/252", c.P)
	}
}

// The exact p-value with ties is the permutation test's: checked by
// listing every split of 12 values into 6 and 6.
func TestCompareExactPValueWithTiesMatchesEnumeration(t *testing.T) {
	a := []float64{3, 5, 5, 7, 9, 9}
	b := []float64{5, 8, 9, 9, 11, 12}
	all := append(slices.Clone(a), b...)
	statistic := func(idx []int) float64 {
		// The sum over b's members of the pairs they win, ties half.
		in := map[int]bool{}
		for _, i := range idx {
			in[i] = true
		}
		u := 0.0
		for i := range all {
			for j := range all {
				if in[j] && !in[i] {
					switch {
					case all[j] > all[i]:
						u++
					case all[j] == all[i]:
						u += 0.5
					}
				}
			}
		}
		return u
	}
	observed := statistic([]int{6, 7, 8, 9, 10, 11})
	var below, above, total float64
	var walk func(start int, idx []int)
	walk = func(start int, idx []int) {
		if len(idx) == 6 {
			u := statistic(idx)
			total++
			if u <= observed+1e-9 {
				below++
			}
			if u >= observed-1e-9 {
				above++
			}
			return
		}
		for i := start; i < len(all); i++ {
			walk(i+1, append(idx, i))
		}
	}
	walk(0, nil)
	want := min(1, 2*min(below, above)/total)
	if c := mustCompare(t, a, b); math.Abs(c.P-want) > 1e-9 {
		t.Errorf("p %v, enumeration %v", c.P, want)
	}
}

// Moses' k from the exact distribution matches the published critical
// values of U (two-sided, 5%): k is the critical value plus one.
func TestCompareLowerRankMatchesTables(t *testing.T) {
	for _, tc := range []struct{ n1, n2, critical int }{
		{5, 5, 2}, {8, 8, 13}, {10, 10, 23}, {20, 20, 127}, {5, 10, 8},
	} {
		if got := lowerRank(tc.n1, tc.n2); got != tc.critical+1 {
			t.Errorf("n=%d,%d: k %d, want %d", tc.n1, tc.n2, got, tc.critical+1)
		}
	}
	if got := lowerRank(3, 3); got != 0 {
		t.Errorf("3 and 3: k %d, want 0 (no 95%% interval)", got)
	}
}

func TestCompareKthDifferenceMatchesSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 50 {
		a := make([]float64, 1+r.IntN(12))
		b := make([]float64, 1+r.IntN(12))
		for i := range a {
			a[i] = float64(r.IntN(20)) - 5 // ties and negatives
		}
		for i := range b {
			b[i] = r.NormFloat64() * 10
		}
		slices.Sort(a)
		slices.Sort(b)
		var diffs []float64
		for _, x := range a {
			for _, y := range b {
				diffs = append(diffs, y-x)
			}
		}
		slices.Sort(diffs)
		for k := 1; k <= len(diffs); k++ {
			if got := kthDifference(a, b, k); got != diffs[k-1] {
				t.Fatalf("a %v b %v: difference %d is %v, want %v", a, b, k, got, diffs[k-1])
			}
		}
	}
}

func TestCompareBadSamples(t *testing.T) {
	if _, err := Samples([]float64{1, 2, 3, 4}, []float64{1, 2, 3, 4, 5}); !errors.Is(err, ErrTooFew) {
		t.Errorf("4 values: %v", err)
	}
	if _, err := Samples([]float64{1, 2, 3, 4, math.NaN()}, []float64{1, 2, 3, 4, 5}); err == nil {
		t.Error("NaN accepted")
	}
}

// Intervals without responses (0) rank lowest and do not break the ratio.
func TestCompareZeros(t *testing.T) {
	a := []float64{0, 1000, 1010, 990, 1005, 995}
	c := mustCompare(t, a, slices.Clone(a))
	if c.Significant() || math.IsNaN(c.Change) || math.IsNaN(c.ChangeLow) || math.IsNaN(c.ChangeHigh) {
		t.Errorf("%+v", c)
	}
	c = mustCompare(t, []float64{0, 0, 0, 0, 0}, []float64{0, 0, 0, 0, 0})
	if c.Significant() || c.P != 1 || c.Change != 0 {
		t.Errorf("all zero: %+v", c)
	}
}
