package deploy

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// repoRoot is the module root: the tests run in deploy/.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at the repository root %s: %v", root, err)
	}
	return root
}

func readRootFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shellCommands splits a POSIX shell command line into simple commands (at
// &&, || and ;), each as its words, with BuildKit's shell lexer (the one
// that expands Dockerfile words). Variables are left unexpanded.
func shellCommands(t *testing.T, line string) [][]string {
	t.Helper()
	// Separators glued to a word ("a;") become words of their own.
	line = regexp.MustCompile(`(&&|\|\||;)`).ReplaceAllString(line, " $1 ")
	lex := shell.NewLex('\\')
	lex.SkipUnsetEnv = true
	words, err := lex.ProcessWords(line, shell.EnvsFromSlice(nil))
	if err != nil {
		t.Fatalf("split %q: %v", line, err)
	}
	var cmds [][]string
	var cur []string
	for _, w := range words {
		switch w {
		case "&&", "||", ";":
			if len(cur) > 0 {
				cmds = append(cmds, cur)
			}
			cur = nil
		default:
			cur = append(cur, w)
		}
	}
	if len(cur) > 0 {
		cmds = append(cmds, cur)
	}
	return cmds
}

// goBuild is one `go build` invocation: its flags (without -o), the output
// path and the packages.
type goBuild struct {
	Env      map[string]string // leading VAR=value assignments
	Flags    []string
	Output   string
	Packages []string
	Line     string
}

// key identifies the build regardless of the output directory.
func (b goBuild) key() string {
	return strings.Join(b.Flags, " ") + " -o <dir>/" + filepath.Base(b.Output) + " " + strings.Join(b.Packages, " ")
}

// goBuilds finds the `go build` commands in a list of simple commands.
func goBuilds(t *testing.T, cmds [][]string) []goBuild {
	t.Helper()
	var out []goBuild
	for _, words := range cmds {
		b := goBuild{Env: map[string]string{}, Line: strings.Join(words, " ")}
		i := 0
		for ; i < len(words) && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(words[i]); i++ {
			k, v, _ := strings.Cut(words[i], "=")
			b.Env[k] = v
		}
		if len(words) < i+2 || words[i] != "go" || words[i+1] != "build" {
			continue
		}
		args := words[i+2:]
		for j := 0; j < len(args); j++ {
			a := args[j]
			switch {
			case a == "-o" && j+1 < len(args):
				b.Output = args[j+1]
				j++
			case strings.HasPrefix(a, "-o="):
				b.Output = strings.TrimPrefix(a, "-o=")
			case strings.HasPrefix(a, "-"):
				b.Flags = append(b.Flags, a)
			default:
				b.Packages = append(b.Packages, a)
			}
		}
		if b.Output == "" {
			t.Errorf("%q: no -o output", b.Line)
		}
		out = append(out, b)
	}
	return out
}

// makeRecipe returns the recipe lines of a Makefile target, joined across
// backslash continuations, with make's @ and - prefixes removed.
func makeRecipe(t *testing.T, makefile []byte, target string) []string {
	t.Helper()
	var lines []string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(makefile))
	var cont string
	for sc.Scan() {
		line := sc.Text()
		if !in {
			name, _, ok := strings.Cut(line, ":")
			in = ok && !strings.HasPrefix(line, "\t") && strings.TrimSpace(name) == target && !strings.HasPrefix(strings.TrimSpace(line[len(name)+1:]), "=")
			continue
		}
		if !strings.HasPrefix(line, "\t") && cont == "" {
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
				continue
			}
			break
		}
		line = cont + strings.TrimSpace(line)
		cont = ""
		if strings.HasSuffix(line, "\\") {
			cont = strings.TrimSuffix(line, "\\") + " "
			continue
		}
		lines = append(lines, strings.TrimLeft(line, "@-+"))
	}
	if !in {
		t.Fatalf("Makefile has no %q target", target)
	}
	return lines
}

// goDirective is go.mod's go version, e.g. "1.26.0".
func goDirective(t *testing.T) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+(?:\.\d+)?)\s*$`).FindSubmatch(readRootFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	return string(m[1])
}

// goCmd runs the go tool in the repository root.
func goCmd(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}
