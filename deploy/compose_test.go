package deploy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/gowrk/gowrk/target"
)

// loadCompose loads docker-compose.yml as `docker compose` does (the
// compose-spec reference loader: schema validation, interpolation,
// merge keys, normalisation), with env as the only environment, so the
// result does not depend on the shell running the tests.
func loadCompose(t *testing.T, env ...string) *types.Project {
	t.Helper()
	root := repoRoot(t)
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithEnv(env),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("no service %q", name)
	}
	return s
}

func envValue(s types.ServiceConfig, key string) (string, bool) {
	v, ok := s.Environment[key]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

// targetEnvVars is the environment variables the target reads, from its own
// usage text ("(env NAME)").
func targetEnvVars(t *testing.T) []string {
	t.Helper()
	var usage bytes.Buffer
	_, err := target.ParseConfig([]string{"-h"}, func(string) string { return "" }, &usage)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("target -h: %v", err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`\(env ([A-Z0-9_]+)\)`).FindAllStringSubmatch(usage.String(), -1) {
		names = append(names, m[1])
	}
	if !slices.Contains(names, "DATABASE_URL") {
		t.Fatalf("target's usage names no DATABASE_URL:\n%s", usage.String())
	}
	return names
}

func TestComposeServices(t *testing.T) {
	p := loadCompose(t)
	names := p.ServiceNames()
	slices.Sort(names)
	if !slices.Equal(names, []string{"app", "db", "tester"}) {
		t.Fatalf("services %q, want app, db, tester", names)
	}

	// app and tester run the image built from ./Dockerfile.
	root := repoRoot(t)
	app, tester := service(t, p, "app"), service(t, p, "tester")
	for _, s := range []types.ServiceConfig{app, tester} {
		if s.Build == nil || s.Build.Context != root || s.Build.Dockerfile != "Dockerfile" {
			t.Errorf("%s: build %+v, want context . and Dockerfile", s.Name, s.Build)
		}
	}
	if app.Image == "" || app.Image != tester.Image {
		t.Errorf("app image %q and tester image %q: want one image for both", app.Image, tester.Image)
	}

	// No service is reachable from outside this host: any published port
	// is bound to the loopback address.
	for _, s := range p.Services {
		for _, port := range s.Ports {
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s:%s->%d on all interfaces; bind it to 127.0.0.1", s.Name, port.HostIP, port.Published, port.Target)
			}
		}
	}

	// A depends_on condition service_healthy needs a healthcheck there.
	for _, s := range p.Services {
		for dep, d := range s.DependsOn {
			if d.Condition == types.ServiceConditionHealthy {
				if hc := p.Services[dep].HealthCheck; hc == nil || hc.Disable || len(hc.Test) == 0 {
					t.Errorf("%s waits for %s to be healthy, which has no healthcheck", s.Name, dep)
				}
			}
		}
	}
}

func TestComposeDB(t *testing.T) {
	p := loadCompose(t)
	db := service(t, p, "db")
	if !regexp.MustCompile(`^postgres:1[56](\.\d+)*(-[a-z]+)?$`).MatchString(db.Image) {
		t.Errorf("db image %q, want postgres:15 or postgres:16", db.Image)
	}

	// Settings sized for the load, as `postgres -c name=value` flags.
	settings := map[string]string{}
	cmd := []string(db.Command)
	if len(cmd) == 0 || cmd[0] != "postgres" {
		t.Fatalf("db command %q, want postgres -c ...", cmd)
	}
	for i := 1; i < len(cmd); i++ {
		if cmd[i] == "-c" && i+1 < len(cmd) {
			k, v, _ := strings.Cut(cmd[i+1], "=")
			settings[k] = v
			i++
		}
	}
	if n, err := strconv.Atoi(settings["max_connections"]); err != nil || n < 200 {
		t.Errorf("db max_connections %q, want at least 200 (the notes ran out at the default 100; the pool experiment goes to 100)", settings["max_connections"])
	}
	if settings["shared_buffers"] == "" {
		t.Error("db command does not size shared_buffers")
	}

	hc := db.HealthCheck
	if hc == nil || len(hc.Test) < 2 {
		t.Fatal("db has no healthcheck")
	}
	if (hc.Test[0] != "CMD" && hc.Test[0] != "CMD-SHELL") || !strings.Contains(strings.Join(hc.Test[1:], " "), "pg_isready") {
		t.Errorf("db healthcheck %q, want pg_isready", hc.Test)
	}
	if hc.Interval == nil || hc.Retries == nil {
		t.Error("db healthcheck without interval or retries")
	}

	// The data in a named volume.
	var dataVol *types.ServiceVolumeConfig
	for i, v := range db.Volumes {
		if v.Target == "/var/lib/postgresql/data" {
			dataVol = &db.Volumes[i]
		}
	}
	if dataVol == nil || dataVol.Type != types.VolumeTypeVolume {
		t.Errorf("db volumes %+v: want a named volume at /var/lib/postgresql/data", db.Volumes)
	} else if _, ok := p.Volumes[dataVol.Source]; !ok {
		t.Errorf("db volume %q is not declared under volumes:", dataVol.Source)
	}
	if len(db.Ports) > 0 {
		t.Errorf("db publishes ports %+v; only app needs the database", db.Ports)
	}
}

func TestComposeApp(t *testing.T) {
	p := loadCompose(t)
	app, db := service(t, p, "app"), service(t, p, "db")

	// Runs the image's default command, the target.
	if len(app.Command) > 0 || len(app.Entrypoint) > 0 {
		t.Errorf("app overrides command %q / entrypoint %q; the image's CMD runs the target", app.Command, app.Entrypoint)
	}
	if got := imageCmd(t, loadDockerfile(t)); !slices.Equal(got, []string{"target"}) {
		t.Errorf("image CMD %q, so app would not run the target", got)
	}

	// Every variable set is one the target reads, and together they give a
	// valid configuration: the target's own parser decides.
	known := targetEnvVars(t)
	for k := range app.Environment {
		if !slices.Contains(known, k) {
			t.Errorf("app sets %s, which the target does not read (it reads %q)", k, known)
		}
	}
	getenv := func(k string) string { v, _ := envValue(app, k); return v }
	cfg, err := target.ParseConfig(nil, getenv, io.Discard)
	if err != nil {
		t.Fatalf("the target rejects app's environment: %v", err)
	}
	if cfg.Listen != "0.0.0.0:"+appPort {
		t.Errorf("target listens on %q, want 0.0.0.0:%s inside the container", cfg.Listen, appPort)
	}
	if !cfg.Pprof {
		t.Error("pprof is off in app; the notes profile the running target")
	}

	// DATABASE_URL: the db service, with its user, password and database.
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		t.Fatalf("DATABASE_URL %q: %v", cfg.DatabaseURL, err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		t.Errorf("DATABASE_URL scheme %q", u.Scheme)
	}
	if u.Hostname() != "db" || (u.Port() != "" && u.Port() != "5432") {
		t.Errorf("DATABASE_URL host %q, want db:5432", u.Host)
	}
	pass, _ := u.User.Password()
	for k, got := range map[string]string{
		"POSTGRES_USER":     u.User.Username(),
		"POSTGRES_PASSWORD": pass,
		"POSTGRES_DB":       strings.TrimPrefix(u.Path, "/"),
	} {
		if want, _ := envValue(db, k); got != want {
			t.Errorf("DATABASE_URL has %q where db's %s is %q", got, k, want)
		}
	}

	if d, ok := app.DependsOn["db"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("app depends_on db %+v, want condition service_healthy", app.DependsOn)
	}
	if hc := app.HealthCheck; hc == nil || !strings.Contains(strings.Join(hc.Test, " "), ":"+appPort+"/api") {
		t.Errorf("app healthcheck %+v, want a request to /api on port %s", app.HealthCheck, appPort)
	}

	// Reachable in the compose network on 3000; on the host only at
	// 127.0.0.1 (pprof is on), by default on port 3000 for the notes'
	// `go tool pprof http://localhost:3000/debug/pprof/profile`.
	if !slices.Contains([]string(app.Expose), appPort) {
		t.Errorf("app expose %q, want %s", app.Expose, appPort)
	}
	for _, port := range app.Ports {
		if strconv.Itoa(int(port.Target)) != appPort || port.HostIP != "127.0.0.1" || port.Published != appPort {
			t.Errorf("app port %+v, want 127.0.0.1:%s:%s", port, appPort, appPort)
		}
	}

	if app.CPUS != 0 {
		t.Errorf("app cpus %v, want no limit by default (Docker refuses one above the host's CPUs)", app.CPUS)
	}
}

func TestComposeTester(t *testing.T) {
	p := loadCompose(t)
	tester := service(t, p, "tester")

	// Idles, so `docker compose exec tester gowrk|wrk ...` works.
	if !slices.Equal([]string(tester.Command), []string{"sleep", "infinity"}) || len(tester.Entrypoint) > 0 {
		t.Errorf("tester command %q entrypoint %q, want sleep infinity", tester.Command, tester.Entrypoint)
	}
	if d, ok := tester.DependsOn["app"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("tester depends_on %+v, want app with condition service_healthy", tester.DependsOn)
	}
	if tester.CPUS != 0 {
		t.Errorf("tester cpus %v, want no limit by default (Docker refuses one above the host's CPUs)", tester.CPUS)
	}

	// Open files for 10k connections (wrk does not raise the soft limit).
	nofile := tester.Ulimits["nofile"]
	if nofile == nil {
		t.Fatal("tester has no nofile ulimit")
	}
	soft, hard := nofile.Soft, nofile.Hard
	if nofile.Single > 0 {
		soft, hard = nofile.Single, nofile.Single
	}
	if soft < 16384 || hard < soft {
		t.Errorf("tester nofile soft %d hard %d: want at least 16384 for 10k connections", soft, hard)
	}

	// Results outlive the container, in the image's bench/results.
	found := false
	for _, v := range tester.Volumes {
		if v.Target == imageBenchDir+"/results" {
			found = true
			if v.Type == types.VolumeTypeVolume {
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("tester volume %q not declared under volumes:", v.Source)
				}
			}
		}
	}
	if !found {
		t.Errorf("tester volumes %+v: none at %s/results", tester.Volumes, imageBenchDir)
	}

	// `--scale tester=N` works: no fixed name, and the one published port,
	// the live dashboard's (gowrk --dashboard 0.0.0.0:5665), takes a host
	// port from a range, on 127.0.0.1 only.
	if tester.ContainerName != "" {
		t.Errorf("tester has container_name %q; it could not be scaled", tester.ContainerName)
	}
	if len(tester.Ports) != 1 {
		t.Fatalf("tester ports %+v, want the dashboard's only", tester.Ports)
	}
	if port := tester.Ports[0]; port.Target != 5665 || port.HostIP != "127.0.0.1" || !strings.Contains(port.Published, "-") {
		t.Errorf("tester port %+v, want 127.0.0.1:FIRST-LAST:5665", port)
	}
}

// TestComposeSettingsFromEnvironment: the documented variables change
// what they say, and every variable the file reads is documented in it.
func TestComposeSettingsFromEnvironment(t *testing.T) {
	p := loadCompose(t, "APP_CPUS=1.5", "TESTER_CPUS=2", "DB_CPUS=1", "APP_PORT=3100",
		"TARGET_POOL_SIZE=100", "TARGET_WRITE_MODE=direct", "GOWRK_IMAGE=registry.example/gowrk:v1")
	app, tester, db := service(t, p, "app"), service(t, p, "tester"), service(t, p, "db")
	if app.CPUS != 1.5 || tester.CPUS != 2 || db.CPUS != 1 {
		t.Errorf("cpus app %v tester %v db %v, want 1.5, 2, 1 from the environment", app.CPUS, tester.CPUS, db.CPUS)
	}
	if len(app.Ports) != 1 || app.Ports[0].Published != "3100" || app.Ports[0].Target != 3000 {
		t.Errorf("APP_PORT=3100: app ports %+v", app.Ports)
	}
	cfg, err := target.ParseConfig(nil, func(k string) string { v, _ := envValue(app, k); return v }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PoolSize != 100 || cfg.WriteMode != target.WriteDirect {
		t.Errorf("pool %d mode %q, want 100 and direct from the environment", cfg.PoolSize, cfg.WriteMode)
	}
	if app.Image != "registry.example/gowrk:v1" || tester.Image != app.Image {
		t.Errorf("GOWRK_IMAGE: app image %q tester image %q", app.Image, tester.Image)
	}

	src := readRootFile(t, "docker-compose.yml")
	var comments strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "#") {
			comments.WriteString(line + "\n")
		}
	}
	vars := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`).FindAllStringSubmatch(string(src), -1)
	if len(vars) < 3 {
		t.Errorf("docker-compose.yml reads only %d variables; CPUs must be adjustable", len(vars))
	}
	for _, m := range vars {
		if !regexp.MustCompile(`\b` + m[1] + `\b`).MatchString(comments.String()) {
			t.Errorf("docker-compose.yml reads ${%s} but its comments do not document it", m[1])
		}
	}
}

// Docker refuses a CPU limit above the host's count, so the defaults set
// none and the file comes up on a 1- or 2-CPU host.
func TestComposeNoCPULimitByDefault(t *testing.T) {
	p := loadCompose(t)
	for _, name := range []string{"db", "app", "tester"} {
		if s := service(t, p, name); s.CPUS != 0 {
			t.Errorf("%s cpus %v by default, want 0 (no limit)", name, s.CPUS)
		}
	}
}
