package targetprofile

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"net/url"
	runtimepprof "runtime/pprof"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

func TestParseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1:8080/debug/pprof/profile":        "http://127.0.0.1:8080/debug/pprof/profile",
		"http://127.0.0.1:8080/debug/pprof/":               "http://127.0.0.1:8080/debug/pprof/profile",
		"http://127.0.0.1:8080/debug/pprof":                "http://127.0.0.1:8080/debug/pprof/profile",
		"https://h/app/debug/pprof/":                       "https://h/app/debug/pprof/profile",
		"http://h:1/custom/cpu":                            "http://h:1/custom/cpu",
		"http://h:1/debug/pprof/profile?seconds=5&debug=0": "http://h:1/debug/pprof/profile?seconds=5&debug=0",
		"http://[::1]:6060/debug/pprof/":                   "http://[::1]:6060/debug/pprof/profile",
	} {
		u, err := ParseURL(raw)
		if err != nil || u.String() != want {
			t.Errorf("%s: %v, %v; want %s", raw, u, err, want)
		}
	}
	for _, raw := range []string{"", "127.0.0.1:8080/debug/pprof/", "ftp://h/debug/pprof/", "http:///debug/pprof/", "http://h:1/%zz", "mailto:x@y"} {
		if _, err := ParseURL(raw); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line", raw, err)
		}
	}
}

func TestPlan(t *testing.T) {
	s := time.Second
	ms := time.Millisecond
	for _, c := range []struct {
		start, length time.Duration
		want          Window
	}{
		{0, 10 * s, Window{Start: s, Seconds: 8}},
		{0, 60 * s, Window{Start: s, Seconds: 58}},
		{0, 5 * s, Window{Start: 500 * ms, Seconds: 4}},
		{0, 4500 * ms, Window{Start: 725 * ms, Seconds: 3}}, // 3.55s left: centred
		{0, 3 * s, Window{Start: 400 * ms, Seconds: 2}},
		{0, 2 * s, Window{Start: 350 * ms, Seconds: 1}},
		{30 * s, 2 * time.Minute, Window{Start: 31 * s, Seconds: 118}},
	} {
		got, err := Plan(c.start, c.length)
		if err != nil || got != c.want {
			t.Errorf("Plan(%s, %s) = %+v, %v; want %+v", c.start, c.length, got, err, c.want)
		}
		if err == nil && got.End() > c.start+c.length-500*ms {
			t.Errorf("Plan(%s, %s) ends at %s, less than 0.5s before the end", c.start, c.length, got.End())
		}
	}
	for _, length := range []time.Duration{0, s, 1600 * ms} {
		if _, err := Plan(0, length); !errors.Is(err, ErrTooShort) {
			t.Errorf("Plan(0, %s): %v, want ErrTooShort", length, err)
		}
	}
}

func pprofServer(t *testing.T) *url.URL {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.Handle("/debug/pprof/heap", pprof.Handler("heap"))
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello, not a profile\n") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func at(base *url.URL, path string) *url.URL {
	u := *base
	u.Path = path
	return &u
}

// burnCPU hashes (FNV-1a over a counter, in registers, so that the time
// is its own even under the race detector) until stop is set: the work
// the profile must find.
func burnCPU(stop *atomic.Bool) {
	h := uint64(14695981039346656037)
	for !stop.Load() {
		for i := range uint64(1 << 16) {
			h = (h ^ i) * 1099511628211
		}
	}
	sink.Store(h)
}

var sink atomic.Uint64

func TestFetchFindsTheBusyFunction(t *testing.T) {
	base := pprofServer(t)
	var stop atomic.Bool
	go burnCPU(&stop)
	defer stop.Store(true)
	data, p, err := Fetch(context.Background(), http.DefaultClient, at(base, "/debug/pprof/profile"), 1)
	stop.Store(true)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Duration(p.DurationNanos); d < 900*time.Millisecond || d > 3*time.Second {
		t.Errorf("profile of %s, want 1s", d)
	}
	if _, err := profile.ParseData(data); err != nil {
		t.Errorf("the bytes as served do not parse: %v", err)
	}
	s, err := Summarize(p, 15)
	if err != nil {
		t.Fatal(err)
	}
	if s.Total < 300*time.Millisecond || s.Samples < 30 {
		t.Errorf("total %s in %d samples, want most of a second", s.Total, s.Samples)
	}
	found := false
	for _, f := range s.Top {
		if strings.HasSuffix(f.Name, "targetprofile.burnCPU") {
			found = true
			if s.FlatShare(f) < 0.5 {
				t.Errorf("burnCPU has %.0f%% of the samples, want most", 100*s.FlatShare(f))
			}
		}
		if f.Flat > f.Cum || s.FlatShare(f) > 1 {
			t.Errorf("%+v: flat over cum or the total", f)
		}
	}
	if !found {
		t.Errorf("burnCPU not among the top functions: %+v", s.Top)
	}
}

func TestFetchFailures(t *testing.T) {
	base := pprofServer(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	refused, _ := url.Parse(closed.URL + "/debug/pprof/profile")
	for _, c := range []struct {
		name string
		u    *url.URL
		want string
	}{
		{"404", at(base, "/nothing/here"), "404 Not Found: 404 page not found"},
		{"garbage", at(base, "/garbage"), "did not send a pprof profile: hello, not a profile"},
		{"heap", at(base, "/debug/pprof/heap"), "not a CPU profile"},
		{"refused", refused, "connection refused"},
	} {
		_, _, err := Fetch(context.Background(), http.DefaultClient, c.u, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line with %q", c.name, err, c.want)
		}
	}
}

// The server's own words come through: here the profiler is busy, as when
// two runs profile one target at once.
func TestFetchProfilerBusy(t *testing.T) {
	base := pprofServer(t)
	if err := runtimepprof.StartCPUProfile(io.Discard); err != nil {
		t.Skip("the CPU profiler is in use:", err)
	}
	defer runtimepprof.StopCPUProfile()
	_, _, err := Fetch(context.Background(), http.DefaultClient, at(base, "/debug/pprof/profile"), 1)
	if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error: Could not enable CPU profiling") {
		t.Errorf("error %v, want the server's 500 and its reason", err)
	}
}

func TestFetchCancelled(t *testing.T) {
	base := pprofServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := Fetch(ctx, http.DefaultClient, at(base, "/debug/pprof/profile"), 30)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("cancelled after 200ms, returned after %s", took)
	}
}

func TestCapture(t *testing.T) {
	base := pprofServer(t)
	c := Start(http.DefaultClient, at(base, "/debug/pprof/profile"), Window{Start: 100 * time.Millisecond, Seconds: 1})
	select {
	case <-c.Done():
		t.Fatal("done before its window")
	case <-time.After(500 * time.Millisecond):
	}
	data, p, err := c.Result()
	if err != nil || len(data) == 0 || p == nil {
		t.Fatalf("%d bytes, %v", len(data), err)
	}
	c.Cancel() // once in, a profile stays in
	if _, _, err := c.Result(); err != nil {
		t.Errorf("after Cancel: %v", err)
	}

	waiting := Start(http.DefaultClient, at(base, "/debug/pprof/profile"), Window{Start: time.Hour, Seconds: 1})
	start := time.Now()
	waiting.Cancel()
	if _, _, err := waiting.Result(); !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("cancelled while waiting: %v after %s", err, time.Since(start))
	}

	profiling := Start(http.DefaultClient, at(base, "/debug/pprof/profile"), Window{Seconds: 30})
	time.Sleep(200 * time.Millisecond)
	start = time.Now()
	profiling.Cancel()
	if _, _, err := profiling.Result(); !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled while profiling: %v after %s", err, time.Since(start))
	}
}

// A profile made by hand: main calls work, which calls hash (inlined into
// it) and itself.
func TestSummarize(t *testing.T) {
	fn := func(id uint64, name string) *profile.Function { return &profile.Function{ID: id, Name: name} }
	mainF, work, hash := fn(1, "main.main"), fn(2, "main.work"), fn(3, "main.hash")
	loc := func(id uint64, fs ...*profile.Function) *profile.Location {
		l := &profile.Location{ID: id}
		for _, f := range fs {
			l.Line = append(l.Line, profile.Line{Function: f})
		}
		return l
	}
	inMain, inWork, inHash := loc(1, mainF), loc(2, work), loc(3, hash, work)
	ms := int64(time.Millisecond)
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{inHash, inMain}, Value: []int64{6, 60 * ms}},
			{Location: []*profile.Location{inWork, inWork, inMain}, Value: []int64{3, 30 * ms}},
			{Location: []*profile.Location{inMain}, Value: []int64{1, 10 * ms}},
		},
		Function: []*profile.Function{mainF, work, hash},
		Location: []*profile.Location{inMain, inWork, inHash},
	}
	s, err := Summarize(p, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []Function{
		{Name: "main.hash", Flat: 60 * time.Millisecond, Cum: 60 * time.Millisecond},
		{Name: "main.work", Flat: 30 * time.Millisecond, Cum: 90 * time.Millisecond},
	}
	if s.Total != 100*time.Millisecond || s.Samples != 10 || len(s.Top) != 2 || s.Top[0] != want[0] || s.Top[1] != want[1] {
		t.Errorf("got %+v, want total 100ms, 10 samples, top %+v", s, want)
	}
	if s.FlatShare(s.Top[0]) != 0.6 || s.CumShare(s.Top[1]) != 0.9 {
		t.Errorf("shares %v %v, want 0.6 0.9", s.FlatShare(s.Top[0]), s.CumShare(s.Top[1]))
	}
	all, _ := Summarize(p, 15)
	if len(all.Top) != 3 || all.Top[2].Name != "main.main" || all.Top[2].Cum != 100*time.Millisecond {
		t.Errorf("all: %+v", all.Top)
	}
	p.SampleType = []*profile.ValueType{{Type: "inuse_space", Unit: "bytes"}}
	if _, err := Summarize(p, 15); err == nil {
		t.Error("a heap profile summed up as CPU")
	}
}
