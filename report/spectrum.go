package report

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// spectrumTicks is the number of rows per halving of the distance to 100%,
// as wrk2 prints them.
const spectrumTicks = 5

// WritePercentiles writes h (µs) as HdrHistogram's classic percentile
// distribution in milliseconds: the .hgrm format HdrHistogram's plotters read
// and the "Detailed Percentile spectrum" wrk2 prints. The rows and footer
// are hdrhistogram-go's; the header is the C library's classic one that
// wrk2 prints.
func WritePercentiles(w io.Writer, h *hdrhistogram.Histogram) error {
	var buf bytes.Buffer
	if _, err := h.PercentilesPrint(&buf, spectrumTicks, 1000); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%12s %12s %12s %12s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)"); err != nil {
		return err
	}
	// Drop hdrhistogram-go's own tab-separated header and blank line.
	sc := bufio.NewScanner(&buf)
	for skip := 2; skip > 0 && sc.Scan(); skip-- {
	}
	for sc.Scan() {
		if _, err := fmt.Fprintf(w, "%s\n", sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}
