package hdrlog

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzOpen feeds Open arbitrary files, seeded with real logs: it must
// return an error or a log whose histograms stream to the end and merge
// without a panic, into a series no longer than the log's intervals allow
// and the request count the summary line states.
func FuzzOpen(f *testing.F) {
	for i, openLoop := range []bool{false, true} {
		path, _, _ := fakeRun(f, uint64(i), time.UnixMilli(1_700_000_000_000), 2, openLoop)
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("#[Histogram log format version 1.3]\n"))
	f.Add([]byte(`#gowrk-run {"gowrk_log_version":1,"unit":"us"}` + "\n"))
	// Each fuzzing process calls the function in turn, so one file will do.
	path := filepath.Join(f.TempDir(), "f.hlog")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Open(path)
		if err != nil {
			return
		}
		hs, err := l.Histograms()
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; ; n++ {
			_, _, h, err := hs.Next()
			if err != nil || h == nil {
				break
			}
			if h.TotalCount() < 0 {
				t.Fatalf("histogram %d: negative count", n)
			}
		}
		hs.Close()
		res, err := Merge([]*Log{l})
		if err != nil {
			return
		}
		if max := maxSparseness*(len(l.intervals)+1) + 1; len(res.Series) > max {
			t.Fatalf("merged series of %d buckets from %d intervals", len(res.Series), len(l.intervals))
		}
		if res.Requests != l.summary.Requests {
			t.Fatalf("merged %d requests, the summary says %d", res.Requests, l.summary.Requests)
		}
	})
}

// FuzzReadStream feeds ReadStream arbitrary streams, seeded with logs
// among other lines: it must return an error or logs that merge without a
// panic.
func FuzzReadStream(f *testing.F) {
	path, _, _ := fakeRun(f, 1, time.UnixMilli(1_700_000_000_000), 2, true)
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	var stream bytes.Buffer
	stream.WriteString("Running 2s test\n")
	w := NewStreamWriter(&stream)
	w.Write(data)
	stream.WriteString("other output\n")
	f.Add(stream.Bytes())
	f.Add([]byte("gowrk-hlog k | #gowrk-run {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		logs, err := ReadStream(bytes.NewReader(data), "stdin")
		if err != nil {
			return
		}
		_ = CheckShards(logs)
		_ = StartSkew(logs)
		if _, err := Merge(logs); err != nil {
			return
		}
	})
}
