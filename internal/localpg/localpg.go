// Package localpg starts a throwaway PostgreSQL server from the system's
// initdb and pg_ctl, for tests, demos and benchmarks.
//
// The cluster lives in one directory (a fresh temporary one unless given),
// listens on 127.0.0.1 on a free port, keeps its unix socket inside the data
// directory, trusts local connections and keeps durability on (fsync and
// synchronous_commit), so write benchmarks against it mean something. When the
// process runs as root, PostgreSQL refuses to start, so initdb and pg_ctl run
// as the "postgres" user and the directory is handed to that user.
package localpg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotInstalled means initdb or pg_ctl could not be found.
var ErrNotInstalled = errors.New("localpg: PostgreSQL server binaries (initdb, pg_ctl) not found")

// Options configures Start. The zero value is usable.
type Options struct {
	// Dir holds the cluster: Dir/data is the data directory and Dir/postgres.log
	// the server log. Empty means a new temporary directory, removed by Stop.
	// A Dir that already holds a cluster is reused as it is.
	Dir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// MaxConnections is PostgreSQL's max_connections; 0 means 200.
	MaxConnections int
	// BinDir is where initdb and pg_ctl live; empty means search PATH, then
	// /usr/lib/postgresql/*/bin (newest first).
	BinDir string
	// Settings are extra postgresql.conf lines ("name = value"), applied after
	// the defaults.
	Settings []string
}

// Server is a running (or halted) local cluster.
type Server struct {
	dir      string
	dataDir  string
	logFile  string
	port     int
	binDir   string
	temp     bool
	asUser   string // non-empty when commands run as another user
	settings []string
}

// DefaultMaxConnections is max_connections when Options leaves it zero.
const DefaultMaxConnections = 200

// Start initialises the cluster if needed and starts PostgreSQL, returning
// once it accepts connections.
func Start(ctx context.Context, opts Options) (*Server, error) {
	binDir, err := findBinDir(opts.BinDir)
	if err != nil {
		return nil, err
	}
	s := &Server{binDir: binDir, port: opts.Port}
	if os.Geteuid() == 0 {
		s.asUser = "postgres"
	}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "localpg-")
		if err != nil {
			return nil, fmt.Errorf("localpg: temp dir: %w", err)
		}
		s.dir, s.temp = dir, true
	} else {
		dir, err := filepath.Abs(opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("localpg: %w", err)
		}
		// Parents stay searchable so the postgres user can reach dir.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("localpg: %w", err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, fmt.Errorf("localpg: %w", err)
		}
		s.dir = dir
	}
	s.dataDir = filepath.Join(s.dir, "data")
	s.logFile = filepath.Join(s.dir, "postgres.log")
	maxConns := opts.MaxConnections
	if maxConns <= 0 {
		maxConns = DefaultMaxConnections
	}
	s.settings = append([]string{
		"listen_addresses = '127.0.0.1'",
		fmt.Sprintf("unix_socket_directories = '%s'", s.dataDir),
		fmt.Sprintf("max_connections = %d", maxConns),
		// Durability stays on: write benchmarks must pay for real commits.
		"fsync = on",
		"synchronous_commit = on",
		"full_page_writes = on",
		"shared_buffers = 256MB",
		"logging_collector = off",
		"log_min_messages = warning",
	}, opts.Settings...)

	fail := func(err error) (*Server, error) {
		if s.temp {
			_ = os.RemoveAll(s.dir)
		}
		return nil, err
	}
	if err := s.checkReachable(s.dir); err != nil {
		return fail(err)
	}
	if err := s.chown(s.dir); err != nil {
		return fail(err)
	}
	if running, port := s.runningPort(); running {
		// Reusing a cluster someone left running (the CLI's "start" twice).
		s.port = port
		return s, nil
	}
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); err != nil {
		if err := s.initdb(ctx); err != nil {
			return fail(err)
		}
	}
	if err := s.start(ctx, opts.Port == 0); err != nil {
		return fail(err)
	}
	return s, nil
}

// URL is a DATABASE_URL for the "postgres" superuser and database over TCP.
func (s *Server) URL() string { return s.DatabaseURL("postgres") }

// DatabaseURL is like URL but for another database on the same server.
func (s *Server) DatabaseURL(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// Port is the TCP port PostgreSQL listens on.
func (s *Server) Port() int { return s.port }

// Dir is the directory holding the cluster.
func (s *Server) Dir() string { return s.dir }

// DataDir is PostgreSQL's data directory, which also holds the unix socket.
func (s *Server) DataDir() string { return s.dataDir }

// Halt stops PostgreSQL (fast shutdown: open sessions are cut) and keeps the
// cluster, so Restart can bring it back on the same port.
func (s *Server) Halt(ctx context.Context) error {
	return s.pgctl(ctx, "stop", "-D", s.dataDir, "-m", "fast", "-w", "-t", "60")
}

// Restart starts a halted server again on the same port.
func (s *Server) Restart(ctx context.Context) error {
	return s.start(ctx, false)
}

// Stop stops PostgreSQL and, for a temporary directory, removes it.
func (s *Server) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var err error
	if running, _ := s.runningPort(); running {
		err = s.Halt(ctx)
		if err != nil {
			// Fast shutdown waits for a checkpoint; immediate does not.
			err = s.pgctl(ctx, "stop", "-D", s.dataDir, "-m", "immediate", "-w", "-t", "30")
		}
	}
	if s.temp {
		if rmErr := os.RemoveAll(s.dir); rmErr != nil && err == nil {
			err = fmt.Errorf("localpg: remove %s: %w", s.dir, rmErr)
		}
	}
	return err
}

// StopDir stops a server that Start left running in dir (the CLI's "stop").
// It is not an error when none is running there.
func StopDir(dir string, opts Options) error {
	binDir, err := findBinDir(opts.BinDir)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	s := &Server{dir: abs, dataDir: filepath.Join(abs, "data"), logFile: filepath.Join(abs, "postgres.log"), binDir: binDir}
	if os.Geteuid() == 0 {
		s.asUser = "postgres"
	}
	return s.Stop()
}

func (s *Server) initdb(ctx context.Context) error {
	// --no-sync only skips syncing initdb's own files; the running server
	// still fsyncs every commit.
	err := s.run(ctx, filepath.Join(s.binDir, "initdb"),
		"-D", s.dataDir, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	if err != nil {
		return err
	}
	conf := filepath.Join(s.dataDir, "postgresql.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	_, err = f.WriteString("\ninclude_if_exists = 'localpg.conf'\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("localpg: %s: %w", conf, err)
	}
	return nil
}

// start writes the settings (with the current port) and runs pg_ctl start.
// With a port picked here, a lost race for it is retried on another.
func (s *Server) start(ctx context.Context, pickPort bool) error {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if pickPort {
			p, err := freePort()
			if err != nil {
				return err
			}
			s.port = p
		} else if s.port == 0 {
			return errors.New("localpg: no port to restart on")
		}
		if err := s.writeSettings(); err != nil {
			return err
		}
		lastErr = s.pgctl(ctx, "start", "-D", s.dataDir, "-l", s.logFile, "-w", "-t", "60")
		if lastErr == nil || !pickPort || ctx.Err() != nil {
			break
		}
	}
	return lastErr
}

func (s *Server) writeSettings() error {
	lines := append([]string{fmt.Sprintf("port = %d", s.port)}, s.settings...)
	path := filepath.Join(s.dataDir, "localpg.conf")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	return s.chown(path)
}

// runningPort reads postmaster.pid: a live postmaster's pid and its port.
func (s *Server) runningPort() (bool, int) {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "postmaster.pid"))
	if err != nil {
		return false, 0
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return false, 0
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(lines[0]))
	port, err2 := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err1 != nil || err2 != nil || pid <= 0 {
		return false, 0
	}
	if !processExists(pid) {
		return false, 0
	}
	return true, port
}

func (s *Server) pgctl(ctx context.Context, args ...string) error {
	return s.run(ctx, filepath.Join(s.binDir, "pg_ctl"), args...)
}

// run executes a PostgreSQL tool, as s.asUser when set, from inside the
// cluster directory (the tools warn when they cannot read the working
// directory, which root's usually is not for postgres).
func (s *Server) run(ctx context.Context, bin string, args ...string) error {
	name, argv := bin, args
	if s.asUser != "" {
		runuser, err := exec.LookPath("runuser")
		if err == nil {
			name, argv = runuser, append([]string{"-u", s.asUser, "--", bin}, args...)
		} else {
			su, err := exec.LookPath("su")
			if err != nil {
				return fmt.Errorf("localpg: running as root needs runuser or su to become %s", s.asUser)
			}
			quoted := make([]string, 0, len(args)+1)
			for _, a := range append([]string{bin}, args...) {
				quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
			}
			name, argv = su, []string{"-s", "/bin/sh", s.asUser, "-c", strings.Join(quoted, " ")}
		}
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Dir = s.dir
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// pg_ctl start leaves the postmaster holding our pipes; without a wait
	// delay, Wait would block until the server exits.
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil && !errors.Is(err, exec.ErrWaitDelay) {
		msg := strings.TrimSpace(out.String())
		if i := strings.LastIndexByte(msg, '\n'); i >= 0 && len(msg) > 2000 {
			msg = msg[i+1:]
		}
		hint := ""
		if filepath.Base(bin) == "pg_ctl" && len(args) > 0 && args[0] == "start" {
			hint = " (server log: " + s.logFile + ")"
		}
		return fmt.Errorf("localpg: %s %s: %v: %s%s", filepath.Base(bin), args[0], err, oneLine(msg), hint)
	}
	return nil
}

// cleanEnv drops libpq variables that would redirect the tools elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// chown hands path to the postgres user when running as root.
func (s *Server) chown(path string) error {
	if s.asUser == "" {
		return nil
	}
	u, err := user.Lookup(s.asUser)
	if err != nil {
		return fmt.Errorf("localpg: running as root needs a %q user: %w", s.asUser, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	return nil
}

// checkReachable makes sure the postgres user can reach dir when running
// as root: every parent must be searchable by others.
func (s *Server) checkReachable(dir string) error {
	if s.asUser == "" {
		return nil
	}
	for p := filepath.Dir(dir); p != "/" && p != "."; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("localpg: %s is not searchable by %s; choose a directory under a world-searchable path", p, s.asUser)
		}
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("localpg: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// findBinDir locates the directory holding both initdb and pg_ctl.
func findBinDir(hint string) (string, error) {
	has := func(dir string) bool {
		for _, b := range []string{"initdb", "pg_ctl"} {
			if fi, err := os.Stat(filepath.Join(dir, b)); err != nil || fi.IsDir() {
				return false
			}
		}
		return true
	}
	if hint != "" {
		if has(hint) {
			return hint, nil
		}
		return "", fmt.Errorf("%w in %s", ErrNotInstalled, hint)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// Resolve symlinks so pg_ctl comes from the same installation.
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
		if has(filepath.Dir(p)) {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestVer := "", -1
	for _, d := range dirs {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(d)))
		if err != nil {
			v = 0
		}
		if has(d) && v > bestVer {
			best, bestVer = d, v
		}
	}
	if best != "" {
		return best, nil
	}
	return "", ErrNotInstalled
}

// Installed reports whether PostgreSQL's server binaries can be found.
func Installed() bool {
	_, err := findBinDir("")
	return err == nil
}
