package luascript

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func withByEndpoint(o *Options) { o.ByEndpoint = true }

// request() builds a new string every time: the requests are grouped by
// method and path, the query left out, pipelined ones one by one.
const mixedScript = `
n = 0
request = function()
  n = n + 1
  if n % 3 == 0 then
    return wrk.format("POST", "/b") .. wrk.format("GET", "/a?n=" .. n)
  end
  return wrk.format("GET", "/a?n=" .. n)
end`

func TestRequestsCarryTheirEndpoint(t *testing.T) {
	h := load(t, mixedScript, withByEndpoint)
	th, _ := h.thread(0)
	var got []string
	for range 3 {
		req, err := th.Next(0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(req.Endpoints))
	}
	if s := strings.Join(got, " "); s != "[0] [0] [1 0]" {
		t.Errorf("endpoints %s, want [0] [0] [1 0]", s)
	}
	if names := strings.Join(th.EndpointNames(), ","); names != "GET /a,POST /b" {
		t.Errorf("names %s", names)
	}
	// A group seen before allocates nothing beyond what request() does.
	plain := load(t, mixedScript)
	pth, _ := plain.thread(0)
	for range 3 {
		_, _ = pth.Next(0)
	}
	// AllocsPerRun truncates its average, so a stray allocation by the
	// runtime can tip one side by a whole unit; the exact means, compared
	// with a margin well under one allocation per request, cannot.
	base := meanAllocs(3000, func() { _, _ = pth.Next(0) })
	tagged := meanAllocs(3000, func() { _, _ = th.Next(0) })
	if tagged > base+0.25 {
		t.Errorf("%.2f allocations per request with endpoints, %.2f without", tagged, base)
	}
}

// meanAllocs is the mean number of heap allocations of one call of f.
func meanAllocs(runs int, f func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(runs)
}

func TestStaticScriptRequestHasAnEndpoint(t *testing.T) {
	h := load(t, `wrk.method = "PUT" wrk.path = "/x/y?z=1"`, withByEndpoint)
	th, _ := h.thread(0)
	req, ok := th.Static()
	if !ok || req.EndpointOf(0) != 0 || strings.Join(th.EndpointNames(), ",") != "PUT /x/y" {
		t.Errorf("static %v, endpoints %v, names %v", ok, req.Endpoints, th.EndpointNames())
	}
}

func TestWithoutByEndpointRequestsCarryNone(t *testing.T) {
	h := load(t, `request = function() return wrk.format("GET", "/a") end`)
	th, _ := h.thread(0)
	req, _ := th.Next(0)
	if req.Endpoints != nil || th.EndpointNames() != nil {
		t.Errorf("endpoints %v", req.Endpoints)
	}
}
