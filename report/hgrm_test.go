package report

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/generator"
)

// An .hgrm file holds hdrhistogram-go's percentile iteration of the
// histogram, row for row, and a histogram rebuilt from its rows iterates to
// the same rows.
func TestHgrmRoundTrip(t *testing.T) {
	h := generator.NewLatencyHistogram()
	for i := range 20000 {
		_ = h.RecordValue(int64(50 + i*i%977_000))
	}
	var out bytes.Buffer
	if err := WritePercentiles(&out, h); err != nil {
		t.Fatal(err)
	}
	want := h.CumulativeDistributionWithTicks(spectrumTicks)
	rebuilt := generator.NewLatencyHistogram()
	var rows int
	var last int64
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 || f[0] == "Value" || strings.HasPrefix(f[0], "#") {
			continue
		}
		ms, err1 := strconv.ParseFloat(f[0], 64)
		_, err2 := strconv.ParseFloat(f[1], 64)
		count, err3 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("bad row %q", sc.Text())
		}
		w := want[rows]
		if fmt.Sprintf("%.3f", float64(w.ValueAt)/1000) != f[0] || fmt.Sprintf("%f", w.Quantile/100) != f[1] || w.Count != count {
			t.Errorf("row %d = %q, want %+v", rows, sc.Text(), w)
		}
		if count > last {
			_ = rebuilt.RecordValues(int64(ms*1000+0.5), count-last)
			last = count
		}
		rows++
	}
	if rows != len(want) || rebuilt.TotalCount() != h.TotalCount() {
		t.Fatalf("%d rows (want %d), rebuilt %d samples (want %d)", rows, len(want), rebuilt.TotalCount(), h.TotalCount())
	}
	again := rebuilt.CumulativeDistributionWithTicks(spectrumTicks)
	if len(again) != len(want) {
		t.Fatalf("rebuilt histogram iterates to %d rows, want %d", len(again), len(want))
	}
	for i := range want {
		if again[i] != want[i] {
			t.Errorf("rebuilt row %d = %+v, want %+v", i, again[i], want[i])
		}
	}
}
