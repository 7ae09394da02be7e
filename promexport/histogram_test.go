package promexport

import (
	"testing"

	"github.com/gowrk/gowrk/generator"
)

func TestHistogramBuckets(t *testing.T) {
	h := generator.NewLatencyHistogram()
	for _, us := range []int64{50, 100, 101, 999, 1000, 1001, 70_000_000} {
		_ = h.RecordValue(us)
	}
	var hg Histogram
	hg.Add(h)
	hg.Add(nil)
	want := map[int]uint64{0: 2, 1: 1, 3: 2, 4: 1, len(bounds): 1}
	for i, n := range hg.Buckets {
		if n != want[i] {
			t.Errorf("bucket le=%s holds %d, want %d", leLabels[i], n, want[i])
		}
	}
	if hg.Count != 7 || hg.Count != uint64(h.TotalCount()) {
		t.Errorf("count %d, want 7", hg.Count)
	}
	// 70 s is counted at its HdrHistogram bucket's midpoint, within 0.1%.
	if d := hg.SumUS - (50 + 100 + 101 + 999 + 1000 + 1001 + 70_000_000); d < -70_000 || d > 70_000 {
		t.Errorf("sum %v µs", hg.SumUS)
	}

	s := hg.series("x", []Label{{"a", "b"}})
	if len(s) != len(bounds)+3 {
		t.Fatalf("%d series", len(s))
	}
	if b := s[len(bounds)]; b.Name != "x_bucket" || b.Value != 7 || b.Labels[1] != (Label{"le", "+Inf"}) {
		t.Errorf("+Inf bucket %+v", b)
	}
	if b := s[3]; b.Labels[1].Value != "0.001" || b.Value != 5 {
		t.Errorf("le=0.001 bucket %+v, want 5 cumulative", b)
	}
	if c := s[len(s)-1]; c.Name != "x_count" || c.Value != 7 {
		t.Errorf("count series %+v", c)
	}
	if got := leLabels[:]; got[0] != "0.0001" || got[4] != "0.0025" || got[len(bounds)-1] != "60" {
		t.Errorf("le labels %q", got)
	}
}
