package hdrlog

import (
	"os"
	"path/filepath"
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
