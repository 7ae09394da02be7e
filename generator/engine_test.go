package generator

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testserver"
)

// TestMain runs every test once per engine, unless EngineEnv already picks
// one or the platform has only one. A fuzzing run uses the default engine.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); os.Getenv(EngineEnv) != "" || !loopSupported || (f != nil && f.Value.String() != "") {
		os.Exit(m.Run())
	}
	code := 0
	for _, engine := range []string{"loop", "goroutine"} {
		os.Setenv(EngineEnv, engine)
		if c := m.Run(); c != 0 {
			fmt.Printf("FAIL: the failures above are on the %s engine\n", engine)
			code = c
		}
	}
	os.Unsetenv(EngineEnv)
	os.Exit(code)
}

func TestEngineChoice(t *testing.T) {
	plain, _ := url.Parse("http://127.0.0.1:1/")
	secure, _ := url.Parse("https://127.0.0.1:1/")
	proxy, _ := url.Parse("http://127.0.0.1:2/")
	loop := EngineLoop
	if !loopSupported {
		loop = EngineGoroutine
	}
	for _, tc := range []struct {
		name    string
		env     string
		cfg     Config
		want    Engine
		refused string
	}{
		{name: "auto", cfg: Config{URL: plain}, want: loop},
		{name: "auto https", cfg: Config{URL: secure}, want: EngineGoroutine},
		{name: "auto h2c", cfg: Config{URL: plain, Transport: Transport{HTTP2: true}}, want: loop},
		{name: "auto unix socket", cfg: Config{URL: plain, Transport: Transport{UnixSocket: "/tmp/x.sock"}}, want: loop},
		{name: "auto absolute-form proxy", cfg: Config{URL: plain, Transport: Transport{Proxy: proxy}}, want: loop},
		{name: "auto proxy tunnel", cfg: Config{URL: plain, Transport: Transport{Proxy: proxy, HTTP2: true}}, want: EngineGoroutine},
		{name: "env loop", env: "loop", cfg: Config{URL: plain}, want: loop},
		{name: "env loop, https", env: "loop", cfg: Config{URL: secure}, want: EngineGoroutine},
		{name: "env goroutine", env: "goroutine", cfg: Config{URL: plain}, want: EngineGoroutine},
		{name: "env bad", env: "fast", cfg: Config{URL: plain}, refused: "GOWRK_ENGINE must be"},
		{name: "goroutine", env: "loop", cfg: Config{URL: plain, Engine: EngineGoroutine}, want: EngineGoroutine},
		{name: "loop https", cfg: Config{URL: secure, Engine: EngineLoop}, refused: "the loop engine cannot run TLS"},
		{name: "loop tunnel", cfg: Config{URL: secure, Engine: EngineLoop, Transport: Transport{Proxy: proxy}}, refused: "the loop engine cannot run"},
	} {
		t.Setenv(EngineEnv, tc.env)
		if !loopSupported && tc.cfg.Engine == EngineLoop {
			tc.refused = "on this operating system"
		}
		d, err := newDialer(&tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := chooseEngine(&tc.cfg, d)
		switch {
		case tc.refused != "":
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.refused) {
				t.Errorf("%s: %v, %v; want refused with %q", tc.name, got, err, tc.refused)
			}
		case err != nil || got != tc.want:
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestParseEngine(t *testing.T) {
	for _, e := range []Engine{EngineAuto, EngineLoop, EngineGoroutine} {
		if got, err := ParseEngine(e.String()); got != e || err != nil {
			t.Errorf("%v: %v, %v", e, got, err)
		}
	}
	if _, err := ParseEngine("epoll"); err == nil || !strings.Contains(err.Error(), "auto, loop or goroutine") {
		t.Errorf("bad name: %v", err)
	}
}

// A run on the loop engine runs its threads on event loops, whose
// connections have no buffer or timer of their own.
func TestRunUsesTheLoop(t *testing.T) {
	if !loopSupported {
		t.Skip("no event loop on this platform")
	}
	srv := testserver.Start(t, false, alwaysOK)
	u, _ := url.Parse(srv.URL + "/")
	cfg, err := (&Config{URL: u, Connections: 3, Threads: 2, Duration: 100 * time.Millisecond}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg)
	r.useLoop = true
	addrs, err := resolve(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	th := newThread(r, 0, 2, addrs[0])
	th.start()
	if th.loop == nil {
		t.Fatal("thread runs on goroutines")
	}
	if c := th.conns[0]; c.in.b != nil || c.timer != nil {
		t.Error("a loop connection has the goroutine engine's buffers")
	}
	r.stopping.Store(true)
	th.interruptAll()
	th.wg.Wait()
}
