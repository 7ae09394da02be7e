package report

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/internal/headless"
	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/summary"
)

// chromium runs headless Chromium on the page file.
func chromium(t *testing.T, bin, page string, flags ...string) (stdout string, console []string) {
	t.Helper()
	return headless.Chromium(t, bin, "file://"+page, flags...)
}

func writePage(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The report loads in a real browser without a console message, its charts
// are in the DOM, and a screenshot shows them.
func TestHTMLInHeadlessChromium(t *testing.T) {
	bin := testenv.Require(t, "chromium")

	// The check sees console errors: a page fetching an image is refused by
	// the same content security policy the report carries.
	bad := writePage(t, "bad.html", `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><img src="http://127.0.0.1:1/x.png"></body></html>`)
	if _, console := chromium(t, bin, bad, "--dump-dom"); len(console) == 0 {
		t.Fatal("a refused fetch logged no console message: the check is blind")
	}

	var page strings.Builder
	if err := HTML(&page, summary.New(openLoopResult(true)), Details{}); err != nil {
		t.Fatal(err)
	}
	path := writePage(t, "report.html", page.String())
	dom, console := chromium(t, bin, path, "--dump-dom")
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	for _, id := range chartIDs {
		if !strings.Contains(dom, `<svg id="`+id+`"`) {
			t.Errorf("chart %s not in the DOM", id)
		}
	}
	if n := strings.Count(dom, `<path class="series" d="M`); n < 8 {
		t.Errorf("%d drawn series, want at least 8", n)
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	chromium(t, bin, path, "--screenshot="+shot, "--window-size=1000,2600", "--hide-scrollbars")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Each chart's ink shows up in the picture.
	for name, color := range map[string]string{"responses/sec": colorRate, "errors/sec": colorErrors, "p50": colorP50, "corrected percentiles": colorCorrected, "uncorrected percentiles": colorMeasured} {
		if n := countColor(img, color); n < 150 {
			t.Errorf("%s: %d pixels of %s in the screenshot, want a drawn line", name, n, color)
		}
	}
	if os.Getenv("GOWRK_KEEP_SCREENSHOT") != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(os.Getenv("GOWRK_KEEP_SCREENSHOT"), data, 0o644)
	}
}

// countColor counts the pixels within a small distance of the #rrggbb color.
func countColor(img image.Image, hex string) int {
	var r0, g0, b0 int
	fmt.Sscanf(hex, "#%02x%02x%02x", &r0, &g0, &b0)
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if abs(int(r>>8)-r0)+abs(int(g>>8)-g0)+abs(int(b>>8)-b0) < 30 {
				n++
			}
		}
	}
	return n
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
