package hdrlog

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
)

// writeShard writes the log of a one-interval run of the shard through
// the stream writer onto out.
func writeShard(t *testing.T, out *bytes.Buffer, shard generator.Shard, workload string, start time.Time, requests uint64) {
	t.Helper()
	u, _ := url.Parse("http://127.0.0.1:9/")
	cfg := generator.Config{URL: u, Connections: 2, Threads: 1, Duration: time.Second, SeriesInterval: time.Second, Shard: shard, Workload: workload}
	w := NewWriter(NewStreamWriter(out))
	lat := generator.NewLatencyHistogram()
	for i := range requests {
		_ = lat.RecordValue(int64(100 + i))
	}
	w.Interval(generator.IntervalData{Interval: generator.Interval{Length: time.Second, Requests: requests}, Config: &cfg, RunStart: start, Latency: lat})
	res := &generator.Result{Config: cfg, Start: start, Runtime: time.Second, Requests: requests, Latency: lat,
		RequestRate: hdrhistogram.New(1, 1_000_000_000, 3), StatusCodes: map[int]uint64{200: requests}}
	if err := w.Close(res); err != nil {
		t.Fatal(err)
	}
}

// Logs carried in a shared stream come back apart, whatever else the
// stream holds and whatever a collector put before each line.
func TestReadStreamSeparatesLogs(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_000)
	var a, b bytes.Buffer
	writeShard(t, &a, generator.Shard{Index: 0, Count: 2}, "w1", start, 7)
	writeShard(t, &b, generator.Shard{Index: 1, Count: 2}, "w1", start.Add(3*time.Millisecond), 9)
	var stream strings.Builder
	stream.WriteString("Running 1s test @ http://127.0.0.1:9/\n")
	linesA, linesB := strings.SplitAfter(a.String(), "\n"), strings.SplitAfter(b.String(), "\n")
	for i := range max(len(linesA), len(linesB)) {
		if i < len(linesA) {
			stream.WriteString(linesA[i])
		}
		stream.WriteString("some other output\n")
		if i < len(linesB) && linesB[i] != "" {
			stream.WriteString("[pod/gowrk-1-x/gowrk] " + linesB[i])
		}
	}
	logs, err := ReadStream(strings.NewReader(stream.String()), "stdin")
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 || logs[0].summary.Requests != 7 || logs[1].summary.Requests != 9 {
		t.Fatalf("read %d logs: %+v", len(logs), logs)
	}
	if logs[0].Path != "stdin#1" || logs[1].Shard() != (generator.Shard{Index: 1, Count: 2}) || logs[1].Workload() != "w1" {
		t.Errorf("logs: %s, shard %v, workload %q", logs[0].Path, logs[1].Shard(), logs[1].Workload())
	}
	if err := CheckShards(logs); err != nil {
		t.Error(err)
	}
	if skew := StartSkew(logs); skew != 3*time.Millisecond {
		t.Errorf("skew %v, want 3ms", skew)
	}
	res, err := Merge(logs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 16 || res.Latency.TotalCount() != 16 || res.Config.Workload != "w1" {
		t.Errorf("merged %d requests, %d latencies, workload %q", res.Requests, res.Latency.TotalCount(), res.Config.Workload)
	}
	if _, err := ReadStream(strings.NewReader("nothing here\n"), "stdin"); err == nil || !strings.Contains(err.Error(), "no gowrk log") {
		t.Errorf("a stream without logs: %v", err)
	}
}

func TestCheckShards(t *testing.T) {
	start := time.UnixMilli(1_700_000_000_000)
	logOf := func(i, n int, workload string) *Log {
		var b bytes.Buffer
		writeShard(t, &b, generator.Shard{Index: i, Count: n}, workload, start, 1)
		logs, err := ReadStream(&b, "s")
		if err != nil {
			t.Fatal(err)
		}
		logs[0].Path = generator.Shard{Index: i, Count: n}.String()
		if n == 0 {
			logs[0].Path = "whole"
		}
		return logs[0]
	}
	for _, tc := range []struct {
		name string
		logs []*Log
		want string
	}{
		{"complete", []*Log{logOf(2, 3, "w"), logOf(0, 3, "w"), logOf(1, 3, "w")}, ""},
		{"whole runs", []*Log{logOf(0, 0, "a"), logOf(0, 0, "b")}, ""},
		{"missing", []*Log{logOf(0, 4, "w"), logOf(3, 4, "w")}, "shards incomplete: 2 of 4, missing 2, 3"},
		{"twice", []*Log{logOf(0, 2, "w"), logOf(0, 2, "w"), logOf(1, 2, "w")}, "shard 1/2 twice"},
		{"other workload", []*Log{logOf(0, 2, "w"), logOf(1, 2, "v")}, "ran different workloads (w, v)"},
		{"other count", []*Log{logOf(0, 2, "w"), logOf(1, 3, "w")}, "not one workload's shards"},
		{"mixed", []*Log{logOf(0, 0, "w"), logOf(0, 2, "w"), logOf(1, 2, "w")}, "whole ran a whole workload"},
	} {
		err := CheckShards(tc.logs)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
