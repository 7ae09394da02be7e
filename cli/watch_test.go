package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gowrk/gowrk/internal/headless"
	"github.com/gowrk/gowrk/internal/testenv"
	"github.com/gowrk/gowrk/internal/testserver"
	"github.com/gowrk/gowrk/sysstat"
)

// The test binary doubles as gowrk and as a fast HTTP server in a process
// of its own, for the tests that watch processes from outside.
func TestMain(m *testing.M) {
	switch os.Getenv("GOWRK_TEST_HELPER") {
	case "gowrk":
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	case "server":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println(ln.Addr())
		go func() {
			// The server ends with the test's end of its stdin.
			_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
			os.Exit(0)
		}()
		serveFast(ln)
		os.Exit(0)
	}
	code := m.Run()
	removeBinary()
	os.Exit(code)
}

// serveFast answers every GET with a fixed response, doing as little as it
// can per request, so that a generator is the slower side.
func serveFast(ln net.Listener) {
	response := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 64<<10)
			out := make([]byte, 0, 64<<10)
			var tail []byte // the end of the last read, for a split "\r\n\r\n"
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				data := append(tail, buf[:n]...)
				count := bytes.Count(data, []byte("\r\n\r\n"))
				if i := bytes.LastIndex(data, []byte("\r\n\r\n")); i >= 0 {
					data = data[i+4:]
				}
				tail = append(tail[:0], data[max(0, len(data)-3):]...)
				out = out[:0]
				for range count {
					out = append(out, response...)
				}
				if _, err := c.Write(out); err != nil {
					return
				}
			}
		}()
	}
}

// helper runs the test binary as a helper, under prefix (e.g. taskset).
func helper(t *testing.T, mode string, prefix []string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append(append(append([]string(nil), prefix...), self), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "GOWRK_TEST_HELPER="+mode)
	return cmd
}

// startServer starts the helper server and returns its URL and process.
func startServer(t *testing.T) (string, *exec.Cmd) {
	t.Helper()
	cmd := helper(t, "server", nil)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return "http://" + strings.TrimSpace(addr) + "/", cmd
}

func TestWatchBadInput(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	notCgroup := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--monitor-pid", "1073741824"}, "no such process"},
		{[]string{"--monitor-pid", "abc"}, "invalid PID"},
		{[]string{"--monitor-cgroup", notCgroup}, "not a cgroup v2 directory"},
		{[]string{"--dashboard", taken.Addr().String()}, "address already in use"},
		{[]string{"--dashboard=nohost"}, "invalid dashboard address"},
		{[]string{"--dashboard-linger", "5s"}, "--dashboard-linger needs --dashboard"},
		{[]string{"--prometheus-rw", "ftp://127.0.0.1:9090/"}, "want an http:// or https:// URL"},
	} {
		args := append(append([]string{"-t1", "-c1", "-d1s"}, tc.args...), srv.URL)
		code, stdout, stderr := runMain(args...)
		want := tc.want
		if !sysstat.Supported() && strings.HasPrefix(tc.args[0], "--monitor") && tc.args[1] != "abc" {
			want = "not supported on this system"
		}
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", tc.args, code, stdout, stderr, want)
		}
	}
	if n := srv.Connections(); n != 0 {
		t.Errorf("%d connections made despite bad input", n)
	}
}

// startDashboardRun starts gowrk with --dashboard on a free port and args,
// and waits until it says where the dashboard is: its URL, gowrk's stderr,
// and where its exit status comes.
func startDashboardRun(t *testing.T, args ...string) (base string, stderr *testenv.Buffer, done <-chan int) {
	t.Helper()
	stderr = &testenv.Buffer{}
	exit := make(chan int, 1)
	go func() {
		var stdout testenv.Buffer
		exit <- Main(append([]string{"--dashboard", "127.0.0.1:0"}, args...), &stdout, stderr)
	}()
	for deadline := time.Now().Add(5 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := regexp.MustCompile(`dashboard at (http://\S+)`).FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no dashboard address on stderr: %q", stderr.String())
	}
	return base, stderr, exit
}

// A run with the dashboard: an event stream gets an update every second
// with growing counts, a browser draws them and, at the end, the figures
// of the JSON report.
func TestDashboardRun(t *testing.T) {
	srv := testserver.Start(t, false, func(int64, *fasthttp.Request) testserver.Reply { return testserver.OK })
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	base, stderr, done := startDashboardRun(t, "-t1", "-c2", "-d4s", "-q", "--dashboard-linger", "6s", "--json", jsonPath, srv.URL)

	type browserResult struct {
		dom     string
		console []string
	}
	browser := make(chan browserResult, 1)
	if bin, ok := chromiumPath(t); ok {
		go func() {
			dom, console := headless.Chromium(t, bin, base, "--dump-dom", "--virtual-time-budget=5000")
			browser <- browserResult{dom, console}
		}()
	} else {
		close(browser)
	}

	st := openEvents(t, base)
	var last, lastElapsed float64
	var lastAt time.Time
	live := 0
	var final map[string]float64
	for final == nil {
		u := st.next(t)
		now := time.Now()
		if u.Final {
			final = u.numbers
			break
		}
		n, elapsed := u.numbers["requests"], u.numbers["elapsed_s"]
		if elapsed == 0 {
			continue // before the first second
		}
		// An update may repeat the last second's figures (a viewer that
		// connects between two seconds); a new second must show more.
		if n < last || (n == last && elapsed-lastElapsed > 0.5) {
			t.Errorf("requests %v at %vs after %v at %vs", n, elapsed, last, lastElapsed)
		}
		lastElapsed = elapsed
		if !lastAt.IsZero() && now.Sub(lastAt) > 1500*time.Millisecond {
			t.Errorf("%s between updates", now.Sub(lastAt))
		}
		last, lastAt = n, now
		live++
	}
	if live < 3 {
		t.Errorf("%d live updates in a 4s run, want one a second", live)
	}
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var doc struct {
		Requests       float64 `json:"requests"`
		RequestsPerSec float64 `json:"requests_per_sec"`
		Errors         struct{ Total float64 }
		Latency        struct {
			Corrected struct {
				MaxUS       float64 `json:"max_us"`
				Percentiles []struct {
					Percentile float64
					ValueUS    float64 `json:"value_us"`
				}
			}
		}
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"requests": doc.Requests, "requests_per_sec": doc.RequestsPerSec, "errors": doc.Errors.Total, "max_us": doc.Latency.Corrected.MaxUS}
	for _, p := range doc.Latency.Corrected.Percentiles {
		want["p"+strconv.FormatFloat(p.Percentile, 'f', -1, 64)+"_us"] = p.ValueUS
	}
	for name, v := range want {
		if final[name] != v {
			t.Errorf("final %s = %v, JSON report %v", name, final[name], v)
		}
	}
	if r, ok := <-browser; ok {
		if len(r.console) > 0 {
			t.Errorf("console messages (a refused request logs one):\n%s", strings.Join(r.console, "\n"))
		}
		if !strings.Contains(r.dom, `data-final="true"`) {
			t.Errorf("the page did not get the final update:\n%.2000s", r.dom)
		}
		m := regexp.MustCompile(`data-updates="(\d+)"`).FindStringSubmatch(r.dom)
		if m == nil || m[1] == "0" || m[1] == "1" {
			t.Errorf("updates drawn: %v", m)
		}
		for name, v := range want {
			re := regexp.MustCompile(`id="n-` + regexp.QuoteMeta(name) + `" data-value="([^"]+)"`)
			m := re.FindStringSubmatch(r.dom)
			if m == nil {
				t.Errorf("page lacks %s", name)
				continue
			}
			if got, _ := strconv.ParseFloat(m[1], 64); got != v {
				t.Errorf("page %s = %s, JSON report %v", name, m[1], v)
			}
		}
	}
}

func chromiumPath(t *testing.T) (string, bool) {
	if testenv.InCI() {
		return testenv.Require(t, "chromium"), true
	}
	bin, err := exec.LookPath("chromium")
	return bin, err == nil
}

type event struct {
	Final   bool
	numbers map[string]float64
}

type eventStream struct{ r *bufio.Reader }

func openEvents(t *testing.T, base string) *eventStream {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
	return &eventStream{bufio.NewReader(conn)}
}

func (s *eventStream) next(t *testing.T) event {
	t.Helper()
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		data, ok := strings.CutPrefix(strings.TrimRight(line, "\r\n"), "data: ")
		if !ok {
			continue
		}
		var u struct {
			Final   bool
			Numbers []struct {
				Name  string
				Value float64
			}
		}
		if err := json.Unmarshal([]byte(data), &u); err != nil {
			t.Fatal(err)
		}
		ev := event{Final: u.Final, numbers: map[string]float64{}}
		for _, n := range u.Numbers {
			ev.numbers[n.Name] = n.Value
		}
		return ev
	}
}

// --monitor-pid of a server: its CPU, idle before, rises under load, and
// its memory is there.
func TestMonitorPID(t *testing.T) {
	if !sysstat.Supported() {
		t.Skip("no /proc")
	}
	url, server := startServer(t)
	pid := server.Process.Pid
	idle, err := sysstat.New([]int{pid}, nil)
	if err != nil {
		t.Fatal(err)
	}
	idle.Start(time.Hour)
	time.Sleep(500 * time.Millisecond)
	idle.Sample()
	before := idle.Series()[1].Points[0].CPU
	idle.Stop()

	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runMain("-t1", "-c10", "-d3s", "--monitor-pid", strconv.Itoa(pid), "--json", jsonPath, url)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(jsonPath)
	var doc struct {
		Monitor []struct {
			Kind, Name, Note string
			PID              int
			Series           []struct {
				CPU float64 `json:"cpu_cores"`
				Mem uint64  `json:"mem_bytes"`
			}
		}
		Generator struct{ Series []struct{} }
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Monitor) != 1 {
		t.Fatalf("monitor %+v", doc.Monitor)
	}
	m := doc.Monitor[0]
	if m.Kind != "pid" || m.PID != pid || !strings.HasPrefix(m.Name, fmt.Sprintf("pid %d (", pid)) || m.Note != "" || len(m.Series) < 3 {
		t.Fatalf("series %+v", m)
	}
	peak := 0.0
	for _, p := range m.Series {
		peak = max(peak, p.CPU)
		if p.Mem == 0 {
			t.Errorf("no RSS in %+v", p)
		}
	}
	if before > 0.05 || peak < 0.1 || peak < 3*before {
		t.Errorf("server CPU %.3f idle, %.3f at most under load: want it to rise", before, peak)
	}
	if len(doc.Generator.Series) < 3 {
		t.Errorf("generator series %+v", doc.Generator)
	}
}

// --monitor-cgroup of a cgroup holding a server, where cgroup v2 is
// writable (in CI as root it must be).
func TestMonitorCgroup(t *testing.T) {
	root, ok := sysstat.CgroupRoot()
	dir := filepath.Join(root, fmt.Sprintf("gowrk-cli-test-%d", os.Getpid()))
	var err error
	if ok {
		err = os.Mkdir(dir, 0o755)
	}
	if !ok || err != nil {
		if testenv.InCI() && ok && os.Geteuid() == 0 {
			t.Fatalf("cgroup v2 at %s not writable: %v", root, err)
		}
		t.Skipf("no writable cgroup v2 (mounted %v: %v)", ok, err)
	}
	t.Cleanup(func() { os.Remove(dir) })
	url, server := startServer(t)
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(server.Process.Pid)), 0o644); err != nil {
		t.Fatalf("moving the server into %s: %v", dir, err)
	}
	// The server ends before its cgroup is removed.
	t.Cleanup(func() { server.Process.Kill(); server.Wait() })
	jsonPath := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr := runMain("-t1", "-c10", "-d3s", "--monitor-cgroup", dir, "--json", jsonPath, url)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, _ := os.ReadFile(jsonPath)
	var doc struct {
		Monitor []struct {
			Kind, Cgroup string
			Series       []struct {
				CPU       float64  `json:"cpu_cores"`
				Throttled *float64 `json:"throttled_share"`
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Monitor) != 1 || doc.Monitor[0].Kind != "cgroup" || doc.Monitor[0].Cgroup != dir || len(doc.Monitor[0].Series) < 3 {
		t.Fatalf("monitor %+v", doc.Monitor)
	}
	peak := 0.0
	for _, p := range doc.Monitor[0].Series {
		peak = max(peak, p.CPU)
		if p.Throttled == nil {
			t.Errorf("no throttling in %+v", p)
		}
	}
	if peak < 0.1 {
		t.Errorf("the server's cgroup used %.3f cores at most under load", peak)
	}
}

// A generator pinned to one core against a fast local server is the limit
// and says so after the report; at a low rate it does not.
func TestSaturationLine(t *testing.T) {
	if !sysstat.Supported() || runtime.NumCPU() < 2 {
		t.Skip("needs /proc and two cores")
	}
	taskset := testenv.Require(t, "taskset")
	url, _ := startServer(t)
	run := func(args ...string) (string, string) {
		cmd := helper(t, "gowrk", []string{taskset, "-c", "0"}, append(args, url)...)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut.String())
		}
		return out.String(), errOut.String()
	}
	stdout, stderr := run("-t1", "-c20", "-d3s")
	if !strings.HasPrefix(stdout, "Running 3s test @ ") || !strings.Contains(stdout, "Requests/sec:") {
		t.Errorf("report %q", stdout)
	}
	if !regexp.MustCompile(`(?m)^gowrk: the generator may be the limit, not the server: it used [0-9.]+ of its 1 core \(affinity\)`).MatchString(stderr) {
		t.Errorf("no saturation line naming the generator: %q", stderr)
	}
	_, stderr = run("-t1", "-c2", "-d3s", "-R", "100")
	if strings.Contains(stderr, "generator may be the limit") {
		// Time waiting for a CPU counts: on a machine so busy that even 100
		// requests/sec fall behind, the line is right.
		if strings.Contains(stderr, "behind schedule") && !testenv.InCI() {
			t.Skipf("the machine is too busy to keep 100 requests/sec: %q", stderr)
		}
		t.Errorf("saturation line at 100 requests/sec: %q", stderr)
	}
}

func TestParseDashboardAddress(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		addr, url  string
		scriptArgs int
	}{
		{[]string{"--dashboard", "http://h/"}, "127.0.0.1:5665", "http://h/", 0},
		{[]string{"--dashboard", "0.0.0.0:5665", "http://h/"}, "0.0.0.0:5665", "http://h/", 0},
		{[]string{"--dashboard=[::1]:7000", "http://h/"}, "[::1]:7000", "http://h/", 0},
		{[]string{"http://h/", "--dashboard"}, "127.0.0.1:5665", "http://h/", 0},
		{[]string{"http://h/", "--dashboard", "localhost:9"}, "localhost:9", "http://h/", 0},
		{[]string{"http://h/", "--", "--dashboard", "x:1"}, "", "http://h/", 2},
		{[]string{"http://h/"}, "", "http://h/", 0},
	} {
		o, err := Parse(tc.args)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if o.Dashboard != tc.addr || o.RawURL != tc.url || len(o.ScriptArgs) != tc.scriptArgs {
			t.Errorf("%q: dashboard %q url %q script args %q", tc.args, o.Dashboard, o.RawURL, o.ScriptArgs)
		}
	}
	o, err := Parse([]string{"--monitor-pid", "12", "--monitor-pid", "34", "--monitor-cgroup", "/a", "--monitor-cgroup", "b", "--dashboard", "--dashboard-linger", "1m", "http://h/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.MonitorPIDs) != 2 || o.MonitorPIDs[1] != 34 || len(o.MonitorCgroups) != 2 || o.Linger != 60 {
		t.Errorf("watch options %+v", o.Watch)
	}
}
