package dashboard

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/headless"
	"github.com/gowrk/gowrk/internal/testenv"
)

// The page loads in a real browser under its content security policy
// (which logs any refused request), draws the updates it receives and, at
// the end, the final figures.
func TestPageInHeadlessChromium(t *testing.T) {
	bin := testenv.Require(t, "chromium")
	s, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cfg := &generator.Config{Duration: 10 * time.Second, SeriesInterval: time.Second}
	// Chromium dumps the DOM once its virtual time budget is spent, which
	// an open event stream holds back: the updates end, a second after the
	// browser connects, with the end of the server, as at the end of a run.
	go func() {
		for deadline := time.Now().Add(50 * time.Second); s.Clients() == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		for i := range 10 {
			time.Sleep(100 * time.Millisecond)
			feed(s, cfg, i)
		}
		time.Sleep(time.Second)
		s.Close()
	}()
	dom, console := headless.Chromium(t, bin, s.URL(), "--dump-dom", "--virtual-time-budget=5000")
	if len(console) > 0 {
		t.Errorf("console messages:\n%s", strings.Join(console, "\n"))
	}
	m := regexp.MustCompile(`data-updates="(\d+)"`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no update count in the DOM:\n%s", dom)
	}
	if n, _ := strconv.Atoi(m[1]); n < 2 {
		t.Errorf("%d updates drawn, want several", n)
	}
	if !strings.Contains(dom, `<svg id="chart-rate"`) || !strings.Contains(dom, `<path class="series" d="M`) {
		t.Error("no chart drawn")
	}
}
