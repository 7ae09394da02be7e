package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/testnginx"
	"github.com/gowrk/gowrk/internal/testserver"
)

// runDoc runs gowrk with --json - and decodes the document, checked
// against the schema.
func runDoc(t *testing.T, args ...string) (doc map[string]any, stderr string) {
	t.Helper()
	code, stdout, stderr := runMain(append([]string{"--json", "-"}, args...)...)
	if code != 0 {
		t.Fatalf("%q: exit %d: %s", args, code, stderr)
	}
	decodeValid(t, reportSchema, []byte(stdout), &doc)
	return doc, stderr
}

func num(doc map[string]any, path ...string) float64 {
	var v any = doc
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	f, _ := v.(float64)
	return f
}

func count(entries []testnginx.Entry, match func(testnginx.Entry) bool) int {
	n := 0
	for _, e := range entries {
		if match(e) {
			n++
		}
	}
	return n
}

func TestRequestFlagsAgainstNginx(t *testing.T) {
	srv := testnginx.Start(t, `location /echo { proxy_pass $sink; }
        location /r3 { return 302 /r2; }
        location /r2 { return 301 /r1; }
        location /r1 { return 307 /final; }
        location /down { return 503 "down\n"; }`)

	t.Run("method, body, exact count", func(t *testing.T) {
		doc, _ := runDoc(t, "-m", "PUT", "-b", "name=gowrk", "-n", "37", "-c", "3", "-t", "1", srv.URL+"/echo")
		log := srv.Log(t)
		put := count(log, func(e testnginx.Entry) bool { return e.Method == "PUT" && e.Path == "/echo" && e.Body == "name=gowrk" })
		if put != 37 || len(log) != 37 || num(doc, "requests") != 37 {
			t.Errorf("nginx logged %d (%d as sent) PUTs, JSON says %v; want 37", len(log), put, num(doc, "requests"))
		}
	})
	t.Run("redirects", func(t *testing.T) {
		for _, tc := range []struct {
			follow, final string
			hops          int
		}{{"2", "307", 2}, {"3", "200", 3}} {
			before := len(srv.Log(t))
			doc, stderr := runDoc(t, "--follow", tc.follow, "-n", "20", "-c", "2", "-t", "1", srv.URL+"/r3")
			log := srv.Log(t)[before:]
			for i, path := range []string{"/r3", "/r2", "/r1", "/final"} {
				want := 0
				if i <= tc.hops {
					want = 20
				}
				if n := count(log, func(e testnginx.Entry) bool { return e.Path == path }); n != want {
					t.Errorf("--follow %s: nginx logged %d requests for %s, want %d", tc.follow, n, path, want)
				}
			}
			if n := num(doc, "status_codes", tc.final); n != 20 || num(doc, "request_options", "redirects") != float64(20*tc.hops) {
				t.Errorf("--follow %s: %v responses %s, redirects %v", tc.follow, n, tc.final, num(doc, "request_options", "redirects"))
			}
			if unfollowed := tc.final != "200"; unfollowed != strings.Contains(stderr, "20 redirects were not followed") {
				t.Errorf("--follow %s: stderr %q", tc.follow, stderr)
			}
		}
	})
	t.Run("warm-up", func(t *testing.T) {
		before := len(srv.Log(t))
		doc, _ := runDoc(t, "--warmup", "1s", "-d", "1s", "-R", "200", "-c", "4", "-t", "1", srv.URL+"/warm")
		logged := len(srv.Log(t)) - before
		measured := num(doc, "requests")
		// 200/s for 2s reach nginx; the first second is left out.
		if due := num(doc, "schedule", "due"); logged < int(measured)+150 || measured < 150 || measured > 215 || due < 199 || due > 203 || num(doc, "config", "warmup_s") != 1 {
			t.Errorf("nginx logged %d, JSON measured %v (due %v); want about 400 and 200", logged, measured, num(doc, "schedule", "due"))
		}
	})
	t.Run("checks", func(t *testing.T) {
		code, stdout, stderr := runMain("-n", "30", "-c", "1", "-t", "1", "--expect-status", "2xx", "--expect-body", "^ok", srv.URL+"/down")
		if code != 0 || !strings.Contains(stdout, "Failed checks: 30 (status 30, body 0)") || strings.Contains(stdout, "Non-2xx") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
		page := filepath.Join(t.TempDir(), "r.html")
		code, stdout, _ = runMain("-n", "30", "-c", "1", "-t", "1", "--by-endpoint", "--report", page, srv.URL+"/down")
		html, err := os.ReadFile(page)
		if err != nil || !strings.Contains(string(html), "<h3>Successes and failures</h3>") || !strings.Contains(string(html), `<th class="num">Fail p99</th>`) {
			t.Errorf("HTML report without the successes and failures apart (%v)", err)
		}
		if lines := strings.Split(stdout, "\n"); code != 0 || !strings.Contains(stdout, "OK p99  Fail p99") || !strings.Contains(stdout, "GET /down") || !okFail(lines[len(lines)-2]) {
			t.Errorf("--by-endpoint: exit %d, stdout %q", code, stdout)
		}
		doc, _ := runDoc(t, "-n", "30", "-c", "1", "-t", "1", "--expect-status", "200,503", "--expect-body", "^ok", srv.URL+"/down")
		if num(doc, "errors", "check") != 30 || num(doc, "errors", "check_body") != 30 || num(doc, "errors", "status") != 0 || num(doc, "latency", "outcomes", "failure", "count") < 30 || num(doc, "latency", "outcomes", "success", "count") != 0 {
			// wrk's correction may add samples to the 30 failures.
			t.Errorf("errors %v, outcomes %v", doc["errors"], doc["latency"].(map[string]any)["outcomes"])
		}
	})
}

func TestBodyFileIsBinarySafe(t *testing.T) {
	srv := testserver.Start(t, true, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	body := make([]byte, 4096)
	for i := range body {
		body[i] = byte(i * 7)
	}
	copy(body, "\r\n\r\nGET / HTTP/1.1\r\n\x00")
	path := filepath.Join(t.TempDir(), "body.bin")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runMain("-m", "POST", "--body-file", path, "-n", "12", "-c", "2", "-t", "1", srv.URL+"/up"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	seen := srv.Seen()
	if len(seen) != 12 {
		t.Fatalf("server saw %d requests, want 12", len(seen))
	}
	for _, r := range seen {
		if r.Method != "POST" || r.Body != string(body) {
			t.Fatalf("%s %s with %d body bytes, want POST with the file's %d", r.Method, r.Path, len(r.Body), len(body))
		}
	}
}

func TestRequestFlagsBadValues(t *testing.T) {
	url := "http://127.0.0.1:1/"
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"want a whole number of requests", []string{"-n", "abc", url}},
		{"want requests from 1", []string{"-n", "0", url}},
		{"fewer than the 10 connections", []string{"-n", "5", url}},
		{"want redirects from 1 to 20", []string{"--follow", "21", url}},
		{"invalid status \"2xy\"", []string{"--expect-status", "2xy", url}},
		{"invalid status \"99\"", []string{"--expect-status", "200,99", url}},
		{"invalid --expect-body regular expression", []string{"--expect-body", "(", url}},
		{"cannot read --expect-body's file", []string{"--expect-body", "@/nonexistent/x", url}},
		{"cannot read --body-file", []string{"--body-file", "/nonexistent/x", url}},
		{"-b and --body-file cannot be used together", []string{"-b", "x", "--body-file", "/etc/hostname", url}},
		{"invalid method \"GE T\"", []string{"-m", "GE T", url}},
		{"--warmup cannot be used with --breakpoint", []string{"--warmup", "2s", "--breakpoint", "1:10", url}},
		{"-n cannot be used with --breakpoint", []string{"-n", "100", "--stages", "1s:10", url}},
		{"want a duration from 1s", []string{"--warmup", "0", url}},
		{"-m, -b and --body-file set the request without a targets file", []string{"-m", "POST", "--targets", "/etc/hostname", url}},
		{"--follow is not available with --http3", []string{"--follow", "3", "--http3", "https://127.0.0.1:1/"}},
	} {
		oneLine(t, tc.want, tc.args...)
	}
}

// okFail reports whether an endpoint row has no successes' p99 and a
// failures' one.
func okFail(row string) bool {
	f := strings.Fields(row)
	return len(f) == 11 && f[9] == "-" && f[10] != "-"
}
