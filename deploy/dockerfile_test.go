package deploy

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// The binaries the image ships and where; the compose file and the
// Kubernetes manifests run them by these names.
var (
	imageBinaries = []string{"gowrk", "target", "localpg"}
	imageBinDir   = "/usr/local/bin"
	imageBenchDir = "/app/bench"
	appPort       = "3000"
)

// dockerfile is the parsed Dockerfile: BuildKit's own parser and
// instruction decoder, with its linter on.
type dockerfile struct {
	stages   []instructions.Stage
	metaArgs map[string]string // global ARG defaults
}

func parseDockerfile(t *testing.T, src []byte) dockerfile {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatalf("Dockerfile does not parse: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile parser warning: %s", w.Short)
	}
	var lint []string
	lnt := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		lint = append(lint, fmt.Sprintf("line %d: %s: %s", line, rule, msg))
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lnt)
	if err != nil {
		t.Fatalf("Dockerfile instructions: %v", err)
	}
	for _, l := range lint {
		t.Errorf("Dockerfile lint: %s", l)
	}
	d := dockerfile{stages: stages, metaArgs: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			d.metaArgs[kv.Key] = kv.ValueString()
		}
	}
	return d
}

// baseImage is a stage's FROM image with the global ARGs expanded.
func (d dockerfile) baseImage(t *testing.T, s instructions.Stage) string {
	t.Helper()
	var env []string
	for k, v := range d.metaArgs {
		env = append(env, k+"="+v)
	}
	img, _, err := shell.NewLex('\\').ProcessWord(s.BaseName, shell.EnvsFromSlice(env))
	if err != nil {
		t.Fatalf("FROM %s: %v", s.BaseName, err)
	}
	return img
}

func (d dockerfile) stage(t *testing.T, name string) instructions.Stage {
	t.Helper()
	for _, s := range d.stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("Dockerfile has no stage %q", name)
	return instructions.Stage{}
}

func commandsOf[T instructions.Command](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// runCommands is the simple shell commands of a RUN (shell or exec form).
func runCommands(t *testing.T, r *instructions.RunCommand) [][]string {
	t.Helper()
	if !r.PrependShell {
		return [][]string{r.CmdLine}
	}
	return shellCommands(t, strings.Join(r.CmdLine, " "))
}

func loadDockerfile(t *testing.T) dockerfile {
	return parseDockerfile(t, readRootFile(t, "Dockerfile"))
}

func TestDockerfileStages(t *testing.T) {
	d := loadDockerfile(t)
	var names []string
	for _, s := range d.stages {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"build", "runtime"}) {
		t.Fatalf("stages %q, want [build runtime] (the last one is the image)", names)
	}

	// The build stage: the official Go image, Debian-based, of the Go
	// version go.mod asks for.
	img := d.baseImage(t, d.stage(t, "build"))
	m := regexp.MustCompile(`^golang:(\d+\.\d+(?:\.\d+)?)-(bookworm|trixie)$`).FindStringSubmatch(img)
	if m == nil {
		t.Fatalf("build stage FROM %s, want golang:<go version>-<debian release>", img)
	}
	if want := goDirective(t); !goImageSatisfies(m[1], want) {
		t.Errorf("build stage FROM %s: go.mod needs go %s", img, want)
	}

	// The runtime stage: a small Debian.
	if img := d.baseImage(t, d.stage(t, "runtime")); !regexp.MustCompile(`^debian:(bookworm|trixie)-slim$`).MatchString(img) {
		t.Errorf("runtime stage FROM %s, want debian:<release>-slim", img)
	}
}

// goImageSatisfies reports whether the golang image tag (1.26 or 1.26.3)
// brings a toolchain that go.mod's go directive (1.26.0) accepts: the same
// minor release, and for a tag with a patch version no older one.
func goImageSatisfies(tag, directive string) bool {
	tp, dp := strings.Split(tag, "."), strings.Split(directive, ".")
	if tp[0] != dp[0] || tp[1] != dp[1] {
		return false
	}
	if len(tp) == 3 && len(dp) == 3 {
		a, _ := strconv.Atoi(tp[2])
		b, _ := strconv.Atoi(dp[2])
		return a >= b
	}
	return true
}

// TestDockerfileBuildsLikeMakefile: the image builds the binaries with
// exactly the Makefile's `build` commands (the README's build), only the
// output directory differs, and with cgo off (static binaries).
func TestDockerfileBuildsLikeMakefile(t *testing.T) {
	d := loadDockerfile(t)
	build := d.stage(t, "build")

	var makeBuilds []goBuild
	for _, line := range makeRecipe(t, readRootFile(t, "Makefile"), "build") {
		makeBuilds = append(makeBuilds, goBuilds(t, shellCommands(t, line))...)
	}
	if len(makeBuilds) == 0 {
		t.Fatal("the Makefile's build target has no go build command")
	}
	var makeNames []string
	for _, b := range makeBuilds {
		makeNames = append(makeNames, path.Base(b.Output))
	}
	for _, bin := range imageBinaries {
		if !slices.Contains(makeNames, bin) {
			t.Errorf("the Makefile's build target does not build %s (it builds %q); the image ships it", bin, makeNames)
		}
	}

	// go build commands of the build stage, with the ENV in force.
	env := map[string]string{}
	var dockerBuilds []goBuild
	for _, c := range build.Commands {
		switch c := c.(type) {
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env[kv.Key] = kv.Value
			}
		case *instructions.RunCommand:
			for _, b := range goBuilds(t, runCommands(t, c)) {
				cgo, ok := b.Env["CGO_ENABLED"]
				if !ok {
					cgo = env["CGO_ENABLED"]
				}
				if cgo != "0" {
					t.Errorf("Dockerfile %q runs with CGO_ENABLED=%q, want 0 (static binary)", b.Line, cgo)
				}
				dockerBuilds = append(dockerBuilds, b)
			}
		}
	}
	for _, s := range d.stages {
		if s.Name != "build" && len(goBuilds(t, runAll(t, s))) > 0 {
			t.Errorf("stage %s runs go build; only the build stage should", s.Name)
		}
	}

	makeKeys := map[string]string{}
	for _, b := range makeBuilds {
		makeKeys[b.key()] = b.Line
	}
	dockerKeys := map[string]string{}
	for _, b := range dockerBuilds {
		dockerKeys[b.key()] = b.Line
		if path.Dir(b.Output) != "/out" {
			t.Errorf("Dockerfile %q: output outside /out, where the runtime stage copies from", b.Line)
		}
		if len(b.Env) > 0 && !(len(b.Env) == 1 && b.Env["CGO_ENABLED"] == "0") {
			t.Errorf("Dockerfile %q sets environment the Makefile does not: %v", b.Line, b.Env)
		}
	}
	for k, line := range makeKeys {
		if _, ok := dockerKeys[k]; !ok {
			t.Errorf("Makefile build command %q has no counterpart in the Dockerfile (same flags and package, output in /out)", line)
		}
	}
	for k, line := range dockerKeys {
		if _, ok := makeKeys[k]; !ok {
			t.Errorf("Dockerfile command %q is not one of the Makefile's build commands", line)
		}
	}
}

func runAll(t *testing.T, s instructions.Stage) [][]string {
	var all [][]string
	for _, r := range commandsOf[*instructions.RunCommand](s) {
		all = append(all, runCommands(t, r)...)
	}
	return all
}

// TestDockerfileRuntime: the image carries Debian's wrk, the three
// binaries and bench/, runs as a non-root user and starts the target.
func TestDockerfileRuntime(t *testing.T) {
	d := loadDockerfile(t)
	rt := d.stage(t, "runtime")

	// apt-get: update and install in one RUN (no stale lists), wrk from
	// Debian's package, lists removed.
	var installed []string
	for _, r := range commandsOf[*instructions.RunCommand](rt) {
		cmds := runCommands(t, r)
		updated, cleaned := false, false
		var pkgs []string
		for _, w := range cmds {
			if len(w) >= 2 && w[0] == "apt-get" && w[1] == "update" {
				updated = true
			}
			if slices.Contains(w, "rm") && slices.ContainsFunc(w, func(s string) bool { return strings.HasPrefix(s, "/var/lib/apt/lists") }) {
				cleaned = true
			}
			i := slices.Index(w, "apt-get")
			if i < 0 || i+1 >= len(w) || w[i+1] != "install" {
				continue
			}
			if !slices.Contains(w, "-y") && !slices.Contains(w, "--yes") && !slices.Contains(w, "-qy") {
				t.Errorf("%q: apt-get install without -y", strings.Join(w, " "))
			}
			if !slices.Contains(w, "--no-install-recommends") {
				t.Errorf("%q: without --no-install-recommends the image grows", strings.Join(w, " "))
			}
			for _, a := range w[i+2:] {
				if !strings.HasPrefix(a, "-") {
					pkgs = append(pkgs, a)
				}
			}
			if !updated {
				t.Errorf("%q: no apt-get update before it in the same RUN", strings.Join(w, " "))
			}
		}
		if len(pkgs) > 0 && !cleaned {
			t.Errorf("RUN installing %q does not remove /var/lib/apt/lists", pkgs)
		}
		installed = append(installed, pkgs...)
	}
	for _, p := range []string{"wrk", "ca-certificates", "curl"} {
		if !slices.Contains(installed, p) {
			t.Errorf("runtime stage does not apt-get install %s (installs %q)", p, installed)
		}
	}

	// Nothing is downloaded from outside a package registry: no ADD of a
	// URL or git repository, no URL in any RUN.
	url := regexp.MustCompile(`(?i)\b(https?|ftp)://|^git@`)
	for _, s := range d.stages {
		for _, a := range commandsOf[*instructions.AddCommand](s) {
			t.Errorf("stage %s: ADD %q; use COPY (and never fetch a URL)", s.Name, a.SourcePaths)
		}
		for _, w := range runAll(t, s) {
			for _, word := range w {
				if url.MatchString(word) || word == "wget" {
					t.Errorf("stage %s: RUN %q downloads from outside a package registry", s.Name, strings.Join(w, " "))
				}
			}
		}
	}

	// The binaries, from the build stage, onto PATH.
	var copied []string
	benchCopied := false
	for _, c := range commandsOf[*instructions.CopyCommand](rt) {
		switch {
		case c.From == "build":
			if strings.TrimSuffix(c.DestPath, "/") != imageBinDir {
				t.Errorf("COPY --from=build %q to %s, want %s", c.SourcePaths, c.DestPath, imageBinDir)
			}
			copied = append(copied, c.SourcePaths...)
		case c.From == "":
			for _, src := range c.SourcePaths {
				if strings.TrimSuffix(src, "/") == "bench" && strings.TrimSuffix(c.DestPath, "/") == imageBenchDir {
					benchCopied = true
				}
			}
		}
	}
	for _, bin := range imageBinaries {
		if !slices.Contains(copied, "/out/"+bin) {
			t.Errorf("runtime stage does not copy /out/%s from the build stage (copies %q)", bin, copied)
		}
	}
	if !benchCopied {
		t.Errorf("runtime stage does not COPY bench/ to %s", imageBenchDir)
	}

	// A non-root user.
	users := commandsOf[*instructions.UserCommand](rt)
	if len(users) == 0 {
		t.Error("runtime stage has no USER: the image would run as root")
	} else if u, _, _ := strings.Cut(users[len(users)-1].User, ":"); u == "root" || u == "0" {
		t.Errorf("runtime stage runs as USER %s", users[len(users)-1].User)
	}

	// The target listens on all interfaces inside the container, on the
	// exposed port.
	listen := ""
	for _, e := range commandsOf[*instructions.EnvCommand](rt) {
		for _, kv := range e.Env {
			if kv.Key == "TARGET_LISTEN" {
				listen = kv.Value
			}
		}
	}
	if listen != "0.0.0.0:"+appPort {
		t.Errorf("runtime stage ENV TARGET_LISTEN=%q, want 0.0.0.0:%s (127.0.0.1 is unreachable from other containers)", listen, appPort)
	}
	var exposed []string
	for _, e := range commandsOf[*instructions.ExposeCommand](rt) {
		exposed = append(exposed, e.Ports...)
	}
	if !slices.Contains(exposed, appPort) && !slices.Contains(exposed, appPort+"/tcp") {
		t.Errorf("runtime stage EXPOSE %q, want %s", exposed, appPort)
	}

	// Default command: the target, in exec form; no ENTRYPOINT, so a
	// compose `command:` (the tester's sleep) or `docker run IMAGE gowrk`
	// replaces it whole.
	if eps := commandsOf[*instructions.EntrypointCommand](rt); len(eps) > 0 {
		t.Errorf("runtime stage has ENTRYPOINT %q; the tester's command would become its arguments", eps[len(eps)-1].CmdLine)
	}
	if got := imageCmd(t, d); !slices.Equal(got, []string{"target"}) {
		t.Errorf("image CMD %q, want [\"target\"] in exec form", got)
	}
}

// imageCmd is the final stage's CMD in exec form.
func imageCmd(t *testing.T, d dockerfile) []string {
	t.Helper()
	last := d.stages[len(d.stages)-1]
	cmds := commandsOf[*instructions.CmdCommand](last)
	if len(cmds) == 0 {
		t.Fatal("final stage has no CMD")
	}
	c := cmds[len(cmds)-1]
	if c.PrependShell {
		t.Errorf("CMD %q in shell form: signals would go to sh, not to the target", c.CmdLine)
	}
	return c.CmdLine
}

// imageUID is the uid of the final stage's USER, as created by useradd.
func imageUID(t *testing.T, d dockerfile) int {
	t.Helper()
	rt := d.stages[len(d.stages)-1]
	users := commandsOf[*instructions.UserCommand](rt)
	if len(users) == 0 {
		t.Fatal("final stage has no USER")
	}
	user, _, _ := strings.Cut(users[len(users)-1].User, ":")
	if uid, err := strconv.Atoi(user); err == nil {
		return uid
	}
	for _, w := range runAll(t, rt) {
		if len(w) == 0 || w[0] != "useradd" || w[len(w)-1] != user {
			continue
		}
		for i, a := range w {
			if (a == "--uid" || a == "-u") && i+1 < len(w) {
				uid, err := strconv.Atoi(w[i+1])
				if err != nil {
					t.Fatalf("useradd %q: uid %q", w, w[i+1])
				}
				return uid
			}
		}
	}
	t.Fatalf("no useradd --uid for USER %s", user)
	return 0
}
