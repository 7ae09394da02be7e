// Package compare judges whether a run differs from a baseline run, from
// the figures of their series intervals (requests/s, p50, p99 of each
// second).
//
// A run of 10 s has 10 such values, so the method has to be sound for
// small samples and must not assume normal data (latency percentiles are
// skewed and stall now and then). It is the Mann-Whitney U test (the
// Wilcoxon rank-sum test) with its companion estimate and confidence
// interval, the Hodges-Lehmann shift: the median of the differences of
// all pairs (b - a), and Moses' interval between two of their order
// statistics picked from U's null distribution. The p-value is exact
// (the permutation distribution of the rank sum, ties included) up to
// ExactLimit values per sample and a normal approximation with tie
// correction beyond. The interval has its stated coverage for any
// continuous distribution that the change shifts, where a bootstrap of
// medians at n = 10 resamples a handful of distinct values and comes out
// too narrow. Without ties it excludes 0 exactly when the test rejects;
// with ties the two can differ at the edge, and a change counts only
// when both say so. Relative changes come from the same procedure on the
// logarithms: a shift of the logs is a ratio B/A, which is what "20%
// slower" means for latency and throughput alike.
//
// The intervals of one run are treated as independent. Slow drifts
// within a run (a warming cache, a filling disk) break that and make
// the interval too narrow, and what changes between runs (the machine's
// load) is not in it at all: the verdict is about these two runs, not a
// promise about the next ones.
package compare

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
)

// Alpha is the significance level: changes are judged with 95%
// confidence.
const Alpha = 0.05

// MinSamples is the fewest values a sample may have. With 5 and 5 the
// exact test can still reach p < 0.05 when the samples do not overlap at
// all (p = 0.008) and the 95% interval has finite ends; with 4 and 4 only
// total separation would count, and with 3 and 3 nothing could.
const MinSamples = 5

// ExactLimit is the largest sample for which the p-value and the
// interval come from the exact distribution; beyond it the normal
// approximation is as good and much cheaper.
const ExactLimit = 50

// ErrTooFew is returned for a sample of fewer than MinSamples values.
var ErrTooFew = errors.New("too few values")

// Comparison is sample B judged against baseline A.
type Comparison struct {
	// NA and NB are the samples' sizes; MedianA and MedianB their medians.
	NA, NB           int
	MedianA, MedianB float64
	// Change is the Hodges-Lehmann estimate of B/A - 1 (0.2 for 20%
	// higher), and ChangeLow, ChangeHigh its 95% confidence interval.
	Change, ChangeLow, ChangeHigh float64
	// Shift is the Hodges-Lehmann estimate of B - A in the values' unit,
	// and ShiftLow, ShiftHigh its 95% confidence interval.
	Shift, ShiftLow, ShiftHigh float64
	// P is the two-sided Mann-Whitney p-value.
	P float64
	// Exact is set when P and the intervals come from the exact
	// distribution rather than the normal approximation.
	Exact bool
}

// Significant reports whether B differs from A at the 95% level: the
// test rejects and the interval excludes no change. With ties the two
// can disagree at the edge; both must agree for a change to count.
func (c Comparison) Significant() bool {
	return c.P < Alpha && (c.ShiftLow > 0 || c.ShiftHigh < 0)
}

// Samples compares b with the baseline a. Values at or below 0 (an
// interval without responses) take part in the ranks as the smallest
// values; on the ratio scale they count as a tiny positive value.
func Samples(a, b []float64) (Comparison, error) {
	if len(a) < MinSamples || len(b) < MinSamples {
		return Comparison{}, fmt.Errorf("%w: %d and %d, need at least %d in each", ErrTooFew, len(a), len(b), MinSamples)
	}
	for _, v := range append(slices.Clone(a), b...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Comparison{}, fmt.Errorf("not a finite value: %v", v)
		}
	}
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	c := Comparison{NA: len(a), NB: len(b), MedianA: median(a), MedianB: median(b)}
	c.P, c.Exact = pValue(a, b)
	k := lowerRank(len(a), len(b))
	c.Shift, c.ShiftLow, c.ShiftHigh = hodgesLehmann(a, b, k)
	la, lb := logs(a, b)
	lc, ll, lh := hodgesLehmann(la, lb, k)
	c.Change, c.ChangeLow, c.ChangeHigh = math.Expm1(lc), math.Expm1(ll), math.Expm1(lh)
	return c, nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// logs are the natural logarithms of the sorted samples, values at or
// below 0 replaced by half the smallest positive value (or 1e-9), so
// that they stay the smallest and tied with each other.
func logs(a, b []float64) (la, lb []float64) {
	floor := math.Inf(1)
	for _, v := range append(slices.Clone(a), b...) {
		if v > 0 {
			floor = min(floor, v/2)
		}
	}
	if math.IsInf(floor, 1) {
		floor = 1e-9
	}
	f := func(s []float64) []float64 {
		out := make([]float64, len(s))
		for i, v := range s {
			out[i] = math.Log(max(v, floor))
		}
		return out
	}
	return f(a), f(b)
}

// hodgesLehmann returns the median of the pairwise differences b[j] -
// a[i] of the sorted samples and the interval between the k-th smallest
// and the k-th largest of them. k = 0 leaves the interval unbounded.
func hodgesLehmann(a, b []float64, k int) (est, low, high float64) {
	n := len(a) * len(b)
	if n%2 == 1 {
		est = kthDifference(a, b, n/2+1)
	} else {
		est = (kthDifference(a, b, n/2) + kthDifference(a, b, n/2+1)) / 2
	}
	if k < 1 {
		return est, math.Inf(-1), math.Inf(1)
	}
	return est, kthDifference(a, b, k), kthDifference(a, b, n+1-k)
}

// kthDifference is the k-th smallest (from 1) of the differences b[j] -
// a[i] of the sorted samples, found by bisecting on the value and
// counting without listing the len(a)*len(b) pairs: an hour of
// one-second intervals would make 13 million.
func kthDifference(a, b []float64, k int) float64 {
	lo, hi := b[0]-a[len(a)-1], b[len(b)-1]-a[0]
	if countAtMost(a, b, lo) >= k {
		return lo
	}
	// count(lo) < k <= count(hi) holds throughout.
	for {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if countAtMost(a, b, mid) >= k {
			hi = mid
		} else {
			lo = mid
		}
	}
	// No float lies between lo and hi, so the k-th difference is hi's
	// neighbour from below: the largest difference not above hi.
	best := math.Inf(-1)
	i := 0
	for _, bj := range b {
		for i < len(a) && bj-a[i] > hi {
			i++
		}
		if i < len(a) {
			best = max(best, bj-a[i])
		}
	}
	return best
}

// countAtMost counts the pairs with b[j] - a[i] <= d. For each b[j] the
// pairs that count are those from the first a[i] that is close enough,
// and that index only moves forward as b[j] grows.
func countAtMost(a, b []float64, d float64) int {
	n, i := 0, 0
	for _, bj := range b {
		for i < len(a) && bj-a[i] > d {
			i++
		}
		n += len(a) - i
	}
	return n
}

// pValue is the two-sided Mann-Whitney p-value of the sorted samples.
func pValue(a, b []float64) (p float64, exact bool) {
	ranks, ties := midranks(a, b)
	// Doubled midranks are whole numbers, so the rank sum's distribution
	// can be counted exactly.
	var observed int
	for _, r := range ranks[len(a):] {
		observed += r
	}
	if len(a) <= ExactLimit && len(b) <= ExactLimit {
		dist := rankSumDistribution(ranks, len(b))
		var below, above float64
		for s, pr := range dist {
			if s <= observed {
				below += pr
			}
			if s >= observed {
				above += pr
			}
		}
		return min(1, 2*min(below, above)), true
	}
	n1, n2 := float64(len(a)), float64(len(b))
	n := n1 + n2
	mean := n2 * (n + 1) // of the doubled rank sum
	variance := 4 * n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1)))
	if variance <= 0 {
		return 1, false
	}
	// A continuity correction of half a rank, one in doubled ranks.
	z := max(0, math.Abs(float64(observed)-mean)-1) / math.Sqrt(variance)
	return math.Erfc(z / math.Sqrt2), false
}

// midranks returns the doubled midranks of a's values followed by b's,
// and the ties' sum of t³ - t over each group of t equal values.
func midranks(a, b []float64) (ranks []int, ties float64) {
	type item struct {
		v   float64
		pos int
	}
	all := make([]item, 0, len(a)+len(b))
	for i, v := range a {
		all = append(all, item{v, i})
	}
	for j, v := range b {
		all = append(all, item{v, len(a) + j})
	}
	slices.SortStableFunc(all, func(x, y item) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	ranks = make([]int, len(all))
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		// Ranks i+1..j share their mean, (i+1+j)/2; doubled, i+1+j.
		for _, it := range all[i:j] {
			ranks[it.pos] = i + 1 + j
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	return ranks, ties
}

// rankSumDistribution is the null distribution of the sum of m of the
// (doubled) ranks drawn at random: index s holds P(sum = s).
func rankSumDistribution(ranks []int, m int) []float64 {
	total := 0
	for _, r := range ranks {
		total += r
	}
	// ways[c][s]: how many subsets of the ranks seen so far have c
	// members summing to s. A float64 holds C(100, 50), about 1e29, to
	// 16 digits, which is all a p-value needs.
	ways := make([][]float64, m+1)
	for c := range ways {
		ways[c] = make([]float64, total+1)
	}
	ways[0][0] = 1
	reach := 0 // no subset of the ranks seen so far sums to more
	for seen, r := range ranks {
		reach += r
		left := len(ranks) - seen - 1
		// Rows are updated from the top so that each reads the row below
		// as it was before this rank; rows that the remaining ranks could
		// not fill up to m are skipped.
		for c := min(seen+1, m); c >= max(1, m-left); c-- {
			dst, src := ways[c][r:reach+1], ways[c-1][:reach-r+1]
			for i := range dst {
				dst[i] += src[i]
			}
		}
	}
	sum := 0.0
	for _, w := range ways[m] {
		sum += w
	}
	dist := ways[m]
	for s := range dist {
		dist[s] /= sum
	}
	return dist
}

// lowerRank is Moses' k for samples of n1 and n2 values without ties:
// the largest k with P(U < k) <= Alpha/2, so that the k-th smallest and
// k-th largest pairwise differences bound a 95% interval. 0 means that no
// finite interval reaches 95%.
func lowerRank(n1, n2 int) int {
	lowerRanks.Lock()
	defer lowerRanks.Unlock()
	key := [2]int{n1, n2}
	if k, ok := lowerRanks.k[key]; ok {
		return k
	}
	k := computeLowerRank(n1, n2)
	lowerRanks.k[key] = k
	return k
}

// lowerRanks keeps lowerRank's answers: a comparison asks for the same
// sizes once per metric.
var lowerRanks = struct {
	sync.Mutex
	k map[[2]int]int
}{k: map[[2]int]int{}}

func computeLowerRank(n1, n2 int) int {
	if n1 <= ExactLimit && n2 <= ExactLimit {
		ranks := make([]int, n1+n2)
		for i := range ranks {
			ranks[i] = 2 * (i + 1)
		}
		dist := rankSumDistribution(ranks, n2)
		// The doubled rank sum of n2 untied ranks is 2U + n2(n2+1).
		offset := n2 * (n2 + 1)
		cum, k := 0.0, 0
		for u := 0; u <= n1*n2; u++ {
			cum += dist[2*u+offset]
			if cum > Alpha/2 {
				break
			}
			k = u + 1
		}
		return k
	}
	mn := float64(n1 * n2)
	sd := math.Sqrt(mn * float64(n1+n2+1) / 12)
	const z = 1.959963984540054 // the normal's 97.5th percentile
	return max(0, int(math.Floor(mn/2-z*sd)))
}
