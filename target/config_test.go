package target

import (
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := ParseConfig(nil, envMap(map[string]string{"DATABASE_URL": "postgres://x/db"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:3000" || cfg.WriteMode != WriteBatch || cfg.Pprof {
		t.Errorf("defaults: %+v", cfg)
	}
	if cfg.PoolSize != min(8*runtime.GOMAXPROCS(0), 64) || cfg.readWorkers() != max(2, runtime.GOMAXPROCS(0)) {
		t.Errorf("pool size %d, read workers %d: not sized for GOMAXPROCS=%d", cfg.PoolSize, cfg.readWorkers(), runtime.GOMAXPROCS(0))
	}
	cfg.PoolSize = 1
	if cfg.readWorkers() != 1 {
		t.Errorf("automatic read workers %d exceed a pool of 1", cfg.readWorkers())
	}
	if cfg.AcquireTimeout != time.Second {
		t.Errorf("acquire timeout %v, want 1s", cfg.AcquireTimeout)
	}
}

func TestConfigEnvAndFlags(t *testing.T) {
	env := envMap(map[string]string{
		"DATABASE_URL":       "postgres://env/db",
		"TARGET_LISTEN":      "127.0.0.1:4000",
		"TARGET_POOL_SIZE":   "12",
		"TARGET_WRITE_MODE":  "direct",
		"TARGET_PPROF":       "true",
		"TARGET_BATCH_WAIT":  "3ms",
		"TARGET_BATCH_MAX":   "64",
		"TARGET_LOG_IGNORED": "x",
	})
	cfg, err := ParseConfig([]string{"--pool-size", "6", "--write-mode=batch"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.DatabaseURL = "postgres://env/db"
	want.Listen = "127.0.0.1:4000"
	want.PoolSize = 6           // flag beats env
	want.WriteMode = WriteBatch // flag beats env
	want.Pprof = true
	want.BatchWait = 3 * time.Millisecond
	want.BatchMax = 64
	if cfg != want {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestConfigErrors(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://x/db"}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no database", nil, map[string]string{}, "database URL is required"},
		{"bad mode", []string{"--write-mode", "fast"}, base, "write mode"},
		{"bad env int", nil, map[string]string{"DATABASE_URL": "x", "TARGET_POOL_SIZE": "many"}, "TARGET_POOL_SIZE"},
		{"zero pool", []string{"--pool-size", "0"}, base, "pool size"},
		{"workers over pool", []string{"--pool-size", "2", "--batch-workers", "3", "--read-workers", "2"}, base, "batch workers"},
		{"readers over pool", []string{"--pool-size", "2", "--read-workers", "3"}, base, "read workers"},
		{"stray arg", []string{"serve2"}, base, "unexpected argument"},
		{"unknown flag", []string{"--nope"}, base, "nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(tc.args, envMap(tc.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
