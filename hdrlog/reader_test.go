package hdrlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenReadsTheRun(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_123)
	path, _, res := fakeRun(t, 2, start, 4, true)
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Start().Equal(start) || l.Runtime() != 4*time.Second || !l.OpenLoop() || len(l.intervals) != 4 {
		t.Errorf("start %v runtime %v open %v intervals %d", l.Start(), l.Runtime(), l.OpenLoop(), len(l.intervals))
	}
	if l.summary.Requests != res.Requests || l.summary.StatusCodes[503] != 3 || l.rates.TotalCount() != 4 {
		t.Errorf("summary %+v", l.summary)
	}
	cfg := l.meta.config()
	if cfg.URL.String() != "http://127.0.0.1:9/x" || cfg.Connections != 4 || cfg.Pacer.To != 100 {
		t.Errorf("config %+v", cfg)
	}
}

func TestOpenRejectsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"plain.hlog":      "#[Histogram log format version 1.3]\n",
		"unfinished.hlog": `#gowrk-run {"gowrk_log_version":1,"unit":"us"}` + "\n",
		"future.hlog":     `#gowrk-run {"gowrk_log_version":9,"unit":"us"}` + "\n",
	} {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, []byte(content), 0o644)
		if _, err := Open(path); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// Times a merge would turn into an endless series, or that do not fit a
// time.Duration, are rejected when the log is opened.
func TestOpenRejectsImplausibleTimes(t *testing.T) {
	path, _, _ := fakeRun(t, 3, time.UnixMilli(1_700_000_000_000), 2, true)
	seed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string][2]string{
		"nanosecond series": {`"series_interval_s":1`, `"series_interval_s":1e-9`},
		"NaN-like series":   {`"series_interval_s":1`, `"series_interval_s":-0.5`},
		"far interval":      {`"start_s":1,`, `"start_s":1e6,`},
		"negative interval": {`"start_s":1,`, `"start_s":-1,`},
		"huge duration":     {`"duration_s":2`, `"duration_s":1e300`},
		"negative runtime":  {`"runtime_s":2`, `"runtime_s":-2`},
	} {
		data := strings.Replace(string(seed), edit[0], edit[1], 1)
		if data == string(seed) {
			t.Fatalf("%s: %q not in the log", name, edit[0])
		}
		p := filepath.Join(t.TempDir(), "bad.hlog")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("%s: Open error %v, want out of range", name, err)
		}
	}
}
