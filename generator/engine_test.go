package generator

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
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
	for _, tc := range []struct {
		env       string
		u         *url.URL
		want, bad bool
	}{
		{"", plain, loopSupported, false},
		{"loop", plain, loopSupported, false},
		{"loop", secure, false, false},
		{"goroutine", plain, false, false},
		{"fast", plain, false, true},
	} {
		t.Setenv(EngineEnv, tc.env)
		got, err := chooseEngine(&Config{URL: tc.u})
		if got != tc.want || (err != nil) != tc.bad || (err != nil && !errors.Is(err, ErrConfig)) {
			t.Errorf("%s=%q %s: loop %v, err %v", EngineEnv, tc.env, tc.u.Scheme, got, err)
		}
	}
}

// HTTP/2 and proxies need the goroutine engine; a unix socket does not.
func TestChooseEngineTransport(t *testing.T) {
	t.Setenv(EngineEnv, "")
	u, _ := url.Parse("http://x/")
	pu, _ := url.Parse("http://proxy:3128")
	for _, tc := range []struct {
		tr   Transport
		want bool
	}{
		{Transport{HTTP2: true}, false},
		{Transport{Proxy: pu}, false},
		{Transport{UnixSocket: "/tmp/x.sock"}, loopSupported},
	} {
		if got, err := chooseEngine(&Config{URL: u, Transport: tc.tr}); got != tc.want || err != nil {
			t.Errorf("%+v: loop %v, err %v", tc.tr, got, err)
		}
	}
}

// A run on the loop engine runs its threads on event loops.
func TestRunUsesTheLoop(t *testing.T) {
	if !loopSupported || os.Getenv(EngineEnv) != "loop" {
		t.Skip("not on the loop engine")
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
	if c := th.conns[0]; c.buf != nil || c.timer != nil {
		t.Error("a loop connection has the goroutine engine's buffers")
	}
	r.stopping.Store(true)
	th.interruptAll()
	th.wg.Wait()
}
