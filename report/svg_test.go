package report

import (
	"fmt"
	"strings"
	"testing"
)

func TestTitlesAreEscaped(t *testing.T) {
	c := lineChart{ID: "x", Title: `<b>"&`, FormatX: formatSeconds, FormatY: formatSeconds,
		Series: []series{{Name: "<i>", Points: []point{{0, 1}, {1, 2}}}}}
	svg := string(c.SVG())
	if strings.Contains(svg, "<b>") || strings.Contains(svg, "<i>") || !strings.Contains(svg, "&lt;b&gt;&#34;&amp;") {
		t.Errorf("unescaped: %s", svg)
	}
}

func TestNiceTicks(t *testing.T) {
	for max, want := range map[float64]string{0: "[0 1]", 7: "[0 2 4 6 8]", 1000: "[0 200 400 600 800 1000]", 1234: "[0 500 1000 1500]"} {
		if got := fmt.Sprint(niceTicks(max)); got != want {
			t.Errorf("niceTicks(%v) = %s, want %s", max, got, want)
		}
	}
}
