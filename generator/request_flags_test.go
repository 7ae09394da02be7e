package generator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/pace"
)

var engines = []generator.Engine{generator.EngineLoop, generator.EngineGoroutine}

func TestRequestsStopAfterExactlyN(t *testing.T) {
	for _, engine := range engines {
		for _, tc := range []struct{ n, conns, threads int }{{1000, 10, 2}, {1003, 7, 3}, {7, 7, 1}} {
			t.Run(fmt.Sprintf("%v/%d/%d", engine, tc.n, tc.conns), func(t *testing.T) {
				var served atomic.Int64
				srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply {
					served.Add(1)
					return testserver.OK
				})
				cfg := config(t, srv.URL, tc.conns, tc.threads, 20*time.Second)
				cfg.Requests, cfg.Engine = uint64(tc.n), engine
				res := run(t, cfg)
				if res.Requests != uint64(tc.n) || served.Load() != int64(tc.n) || res.Sent != uint64(tc.n) || !res.Completed {
					t.Errorf("responses %d, served %d, sent %d, completed %v; want %d each", res.Requests, served.Load(), res.Sent, res.Completed, tc.n)
				}
				if res.Runtime > 10*time.Second {
					t.Errorf("runtime %v: the run did not end when the requests were done", res.Runtime)
				}
				var sum uint64
				for _, n := range res.ConnRequests {
					sum += n
				}
				if sum != uint64(tc.n) || len(res.ConnRequests) != tc.conns || res.Established != tc.conns {
					t.Errorf("per-connection responses %v (sum %d), established %d", res.ConnRequests, sum, res.Established)
				}
			})
		}
	}
}

func TestRequestsCountErrorsAndNeverRetry(t *testing.T) {
	srv := testserver.Start(t, false, func(i int64, _ *fasthttp.Request) testserver.Reply {
		if i%4 == 0 {
			return testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"), Then: testserver.Close}
		}
		return testserver.OK
	})
	cfg := config(t, srv.URL, 4, 1, 20*time.Second)
	cfg.Requests = 400
	res := run(t, cfg)
	// A failed connect is no request: it does not count toward -n.
	e := res.Errors
	if got := res.Requests + e.Read + e.Write + e.Timeout + e.Reset; got != 400 || e.Read == 0 {
		t.Errorf("responses %d + errors %+v = %d, want 400 with read errors", res.Requests, res.Errors, got)
	}
}

func TestRequestsOpenLoopSendExactlyN(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	cfg := config(t, srv.URL, 5, 1, 20*time.Second)
	cfg.Requests = 301
	cfg.Pacer = pace.ConstantRate(1000)
	res := run(t, cfg)
	if res.Requests != 301 || res.Sent != 301 || res.Corrected.TotalCount() != 301 {
		t.Errorf("responses %d, sent %d, corrected samples %d; want 301", res.Requests, res.Sent, res.Corrected.TotalCount())
	}
	if res.Runtime < 250*time.Millisecond || res.Runtime > 2*time.Second {
		t.Errorf("runtime %v, want about 0.3s at 1000/s", res.Runtime)
	}
}

func TestWarmupIsLeftOut(t *testing.T) {
	for _, engine := range engines {
		t.Run(engine.String(), func(t *testing.T) {
			// The first 300 requests are answered, in the warm-up; the rest
			// hang, so the measured part has no response and no error.
			srv := testserver.Start(t, false, answerFirst(301, testserver.OK))
			cfg := config(t, srv.URL, 3, 1, 500*time.Millisecond)
			cfg.Warmup, cfg.Engine, cfg.Timeout = 500*time.Millisecond, engine, 5*time.Second
			cfg.SeriesInterval = 250 * time.Millisecond
			res := run(t, cfg)
			if res.Requests != 0 || res.Errors != (generator.Errors{}) || res.Latency.TotalCount() != 0 || res.Bytes != 0 || res.Sent != 0 {
				t.Errorf("measured %d responses, %d bytes, %d sent, errors %+v: the warm-up counted", res.Requests, res.Bytes, res.Sent, res.Errors)
			}
			if res.Runtime < 450*time.Millisecond || res.Runtime > time.Second {
				t.Errorf("runtime %v, want the 0.5s after the warm-up", res.Runtime)
			}
			if len(res.Series) == 0 || res.Series[0].Start != 0 {
				t.Errorf("series %+v: want it to start at 0 after the warm-up", res.Series)
			}
		})
	}
}

func TestWarmupThenMeasures(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	cfg := config(t, srv.URL, 4, 1, time.Second)
	cfg.Warmup = time.Second
	cfg.Pacer = pace.ConstantRate(400)
	res := run(t, cfg)
	if res.Requests < 360 || res.Requests > 420 || res.Due < 395 || res.Due > 405 {
		t.Errorf("measured %d responses, %d due; want about 400 of the 800 sent", res.Requests, res.Due)
	}
	if res.Connect.TCP.TotalCount() != 0 {
		t.Errorf("%d connections timed: they were made in the warm-up", res.Connect.TCP.TotalCount())
	}
}

// redirects answers /r3 -> /r2 -> http://host/r1 -> /final (302, 301, 307).
func redirects(t *testing.T) *testserver.Server {
	return testserver.Start(t, true, func(_ int64, req *fasthttp.Request) testserver.Reply {
		to := map[string]string{"/r3": "302 /r2", "/r2": "301 http://" + string(req.Host()) + "/r1", "/r1": "307 final", "/away": "302 http://elsewhere.test/x"}[string(req.URI().Path())]
		if to == "" {
			return testserver.OK
		}
		code, loc, _ := strings.Cut(to, " ")
		return testserver.Reply{Raw: []byte("HTTP/1.1 " + code + " R\r\nLocation: " + loc + "\r\nContent-Length: 0\r\n\r\n")}
	})
}

func TestFollowRedirects(t *testing.T) {
	for _, engine := range engines {
		for _, tc := range []struct {
			follow           int
			status           int
			hops, unfollowed uint64
		}{{3, 200, 3, 0}, {2, 307, 2, 1}, {0, 302, 0, 0}} {
			t.Run(fmt.Sprintf("%v/%d", engine, tc.follow), func(t *testing.T) {
				srv := redirects(t)
				cfg := config(t, srv.URL+"/r3", 2, 1, 20*time.Second)
				cfg.Engine, cfg.Follow, cfg.Requests = engine, tc.follow, 50
				cfg.Method, cfg.Body = "POST", []byte("hello")
				res := run(t, cfg)
				if res.Requests != 50 || res.StatusCodes[tc.status] != 50 || res.Redirects != 50*tc.hops || res.Unfollowed != 50*tc.unfollowed {
					t.Fatalf("responses %d, statuses %v, redirects %d, unfollowed %d", res.Requests, res.StatusCodes, res.Redirects, res.Unfollowed)
				}
				seen := srv.Seen()
				if want := 50 * int(tc.hops+1); len(seen) != want {
					t.Fatalf("server saw %d requests, want %d", len(seen), want)
				}
				// 302 after a POST is a GET without a body; 307 keeps GET.
				want := map[string]string{"/r3": "POST hello", "/r2": "GET ", "/r1": "GET ", "/final": "GET "}
				for _, r := range seen {
					if got := r.Method + " " + r.Body; got != want[r.Path] {
						t.Fatalf("%s came as %q, want %q", r.Path, got, want[r.Path])
					}
				}
			})
		}
	}
}

func TestFollowKeepsMethodAndBodyOn307(t *testing.T) {
	srv := redirects(t)
	cfg := config(t, srv.URL+"/r1", 1, 1, 20*time.Second)
	cfg.Follow, cfg.Requests, cfg.Method, cfg.Body = 5, 5, "PUT", []byte("x=1")
	res := run(t, cfg)
	seen := srv.Seen()
	if res.Redirects != 5 || len(seen) != 10 || seen[1].Method != "PUT" || seen[1].Body != "x=1" || seen[1].Path != "/final" || seen[0].Path != "/r1" {
		t.Errorf("redirects %d, seen %+v", res.Redirects, seen)
	}
}

func TestFollowStaysOnTheOrigin(t *testing.T) {
	srv := redirects(t)
	cfg := config(t, srv.URL+"/away", 1, 1, 20*time.Second)
	cfg.Follow, cfg.Requests = 5, 10
	res := run(t, cfg)
	if res.StatusCodes[302] != 10 || res.Unfollowed != 10 || res.Redirects != 0 {
		t.Errorf("statuses %v, unfollowed %d, redirects %d", res.StatusCodes, res.Unfollowed, res.Redirects)
	}
}

func TestFollowOverHTTP2(t *testing.T) {
	var served atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b?q=1", http.StatusFound)
			return
		}
		fmt.Fprint(w, "ok")
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()
	cfg := config(t, srv.URL+"/a", 2, 1, 20*time.Second)
	cfg.Transport.HTTP2, cfg.Transport.Streams = true, 4
	cfg.Follow, cfg.Requests = 1, 40
	res := run(t, cfg)
	if res.Requests != 40 || res.StatusCodes[200] != 40 || res.Redirects != 40 || served.Load() != 80 {
		t.Errorf("responses %d, statuses %v, redirects %d, served %d", res.Requests, res.StatusCodes, res.Redirects, served.Load())
	}
}

func TestExpectChecks(t *testing.T) {
	srv := testserver.Start(t, false, func(i int64, _ *fasthttp.Request) testserver.Reply {
		switch i % 4 {
		case 1:
			return testserver.Status(404) // "ok" body
		case 2:
			return testserver.Reply{Raw: []byte("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfail")}
		case 3:
			return testserver.Reply{Raw: []byte("HTTP/1.1 503 X\r\nContent-Length: 2\r\n\r\nok"), Delay: 0}
		}
		return testserver.OK
	})
	cfg := config(t, srv.URL, 1, 1, 20*time.Second)
	cfg.Requests = 400
	cfg.Expect = generator.Expect{Status: []generator.StatusRange{{Lo: 200, Hi: 299}, {Lo: 404, Hi: 404}}, Body: &generator.BodyCheck{Match: regexp.MustCompile(`^ok$`)}}
	res := run(t, cfg)
	// Of each four: 404 passes, a 200 fails its body, a 503 its status.
	if res.Errors.Check != 200 || res.Errors.CheckBody != 100 || res.Errors.Status != 0 {
		t.Errorf("errors %+v, want 200 checks (100 of them bodies) and no status errors", res.Errors)
	}
	if got := res.FailedLatency.TotalCount(); got != 200 || res.Latency.TotalCount() != 400 {
		t.Errorf("failed latency samples %d of %d, want 200 of 400", got, res.Latency.TotalCount())
	}
	reasons := fmt.Sprint(res.ErrorReasons)
	if !strings.Contains(reasons, "HTTP 503") || !strings.Contains(reasons, "body check failed") {
		t.Errorf("reasons %s", reasons)
	}
}

func TestFailedLatencyWithoutChecks(t *testing.T) {
	srv := testserver.Start(t, false, func(i int64, _ *fasthttp.Request) testserver.Reply {
		if i%2 == 0 {
			return testserver.Status(429)
		}
		return testserver.Reply{Raw: testserver.OK.Raw, Delay: 2 * time.Millisecond}
	})
	cfg := config(t, srv.URL, 1, 1, 20*time.Second)
	cfg.Requests = 100
	res := run(t, cfg)
	if res.Errors.Status != 50 || res.FailedLatency.TotalCount() != 50 {
		t.Fatalf("status errors %d, failed samples %d; want 50 each", res.Errors.Status, res.FailedLatency.TotalCount())
	}
	if res.FailedLatency.ValueAtQuantile(50) >= 2000 {
		t.Errorf("failed p50 %dus: the fast 429s are not apart", res.FailedLatency.ValueAtQuantile(50))
	}
}
