package hdrlog

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
)

// A real open-loop run streamed to a log merges back to the run's own
// histograms.
func TestLogOfARealRun(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	u, _ := url.Parse(srv.URL + "/")
	cfg := generator.Config{URL: u, Connections: 4, Threads: 2, Duration: time.Second, Pacer: generator.ConstantRate(400), SeriesInterval: 250 * time.Millisecond}
	path := filepath.Join(t.TempDir(), "run.hlog")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(f, &cfg)
	cfg.OnInterval = w.Interval
	res, err := generator.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}
	f.Close()
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge([]*Log{l})
	if err != nil {
		t.Fatal(err)
	}
	if !merged.Latency.Equals(res.Latency) || !merged.Corrected.Equals(res.Corrected) {
		t.Errorf("log holds %d/%d samples, run %d/%d", merged.Latency.TotalCount(), merged.Corrected.TotalCount(), res.Latency.TotalCount(), res.Corrected.TotalCount())
	}
	if merged.Requests != res.Requests || merged.Sent != res.Sent || len(merged.Series) < 4 {
		t.Errorf("requests %d/%d, sent %d/%d, %d intervals", merged.Requests, res.Requests, merged.Sent, res.Sent, len(merged.Series))
	}
}
