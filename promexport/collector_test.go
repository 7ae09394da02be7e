package promexport

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/pace"
)

// mixed answers 200, 503 and connection resets.
func mixed(n int64, _ *fasthttp.Request) testserver.Reply {
	switch {
	case n%5 == 0:
		return testserver.Status(503)
	case n%7 == 0:
		return testserver.Reply{Then: testserver.Reset}
	}
	return testserver.OK
}

// During a run the series only grow and reach the result's figures; after
// it they are the result's exactly, per endpoint too.
func TestCollectorFollowsTheRun(t *testing.T) {
	for _, openLoop := range []bool{false, true} {
		t.Run("open loop "+strconv.FormatBool(openLoop), func(t *testing.T) {
			srv := testserver.Start(t, false, mixed)
			u, _ := url.Parse(srv.URL)
			cfg := generator.Config{URL: u, Connections: 4, Threads: 2, Duration: time.Second, SeriesInterval: 200 * time.Millisecond, ByEndpoint: true}
			if openLoop {
				cfg.Pacer = pace.ConstantRate(1000)
			}
			c, err := New(&cfg, Options{Shard: "1/2"})
			if err != nil {
				t.Fatal(err)
			}
			const requests = `gowrk_requests_total{shard="1/2"}`
			var last map[string]float64
			cfg.OnInterval = func(d generator.IntervalData) {
				c.Interval(d)
				now := flat(c.Families())
				for key, v := range last {
					if now[key] < v && !strings.HasPrefix(key, TargetName) {
						t.Errorf("%s went from %v to %v", key, v, now[key])
					}
				}
				last = now
			}
			res, err := generator.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c.Finished() || last[requests] == 0 {
				t.Fatalf("live series %v", last)
			}
			c.Finish(res)
			final := flat(c.Families())

			latency := res.Latency
			if openLoop {
				latency = res.Corrected
			}
			want := map[string]float64{
				requests: float64(res.Requests),
				`gowrk_latency_seconds_count{shard="1/2"}`: float64(latency.TotalCount()),
			}
			e := res.Errors
			for class, n := range map[string]uint64{"connect": e.Connect, "read": e.Read, "write": e.Write, "timeout": e.Timeout, "status": e.Status, "reset": e.Reset} {
				want[`gowrk_errors_total{class="`+class+`",shard="1/2"}`] = float64(n)
			}
			for code, n := range res.StatusCodes {
				want[`gowrk_responses_total{shard="1/2",status="`+strconv.Itoa(code)+`"}`] = float64(n)
			}
			if e.Read == 0 || res.StatusCodes[503] == 0 || res.StatusCodes[200] == 0 {
				t.Fatalf("want read errors, 200s and 503s: %+v %v", e, res.StatusCodes)
			}
			for key, v := range want {
				if final[key] != v {
					t.Errorf("final %s = %v, the result's %v", key, final[key], v)
				}
			}
			for key, v := range last {
				if strings.HasSuffix(key[:strings.IndexByte(key, '{')], "_sum") {
					continue // the same samples, added in another order
				}
				if final[key] != v {
					t.Errorf("last live %s = %v, final %v", key, v, final[key])
				}
			}
			if _, ok := final[`gowrk_target_requests_per_second{shard="1/2"}`]; ok != openLoop {
				t.Errorf("target series present: %v", ok)
			}
			ep := res.Endpoints[0]
			if len(res.Endpoints) != 1 || final[`gowrk_endpoint_requests_total{endpoint="GET /",shard="1/2"}`] != float64(ep.Requests) ||
				final[`gowrk_endpoint_errors_total{endpoint="GET /",shard="1/2"}`] != float64(ep.Errors) {
				t.Errorf("endpoint series: %v, result %+v", final, res.Endpoints)
			}
			if _, ok := last[`gowrk_endpoint_requests_total{endpoint="GET /",shard="1/2"}`]; ok {
				t.Error("endpoint series during the run")
			}

			// A bucket after the end changes nothing.
			c.Interval(generator.IntervalData{Interval: generator.Interval{Requests: 5}})
			if got := flat(c.Families())[requests]; got != float64(res.Requests) {
				t.Errorf("requests %v after a late bucket", got)
			}
		})
	}
}

func TestCollectorServesText(t *testing.T) {
	cfg := generator.Config{}
	c, err := New(&cfg, Options{Labels: map[string]string{"instance": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Interval(generator.IntervalData{Interval: generator.Interval{Requests: 3}, StatusCodes: map[int]uint64{200: 3}})
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	fams := parseText(t, rec.Body.String())
	if f := fams[RequestsName]; f.Metric[0].GetCounter().GetValue() != 3 || labelsOf(f.Metric[0])["instance"] != "a" {
		t.Errorf("requests %v", f)
	}
	if _, err := New(&cfg, Options{Labels: map[string]string{"le": "x"}}); err == nil {
		t.Error("a reserved label accepted")
	}
}
