package luascript

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintGoesToStdout(t *testing.T) {
	h := load(t, `print("a", 1, 2.5, 1/3, nil, true, 1e308*10, setmetatable({}, {__tostring = function() return "obj" end}))`)
	want := "a\t1\t2.5\t0.33333333333333\tnil\ttrue\tinf\tobj\n"
	if got := h.out.String(); got != want {
		t.Errorf("print wrote %q, want %q", got, want)
	}
}

func TestIoWrite(t *testing.T) {
	h := load(t, `io.write("x=", 42, " ", 0.1, "\n"); io.stdout:write("via file\n"); io.output():write("default\n")`)
	if got := h.out.String(); got != "x=42 0.1\nvia file\ndefault\n" {
		t.Errorf("io.write wrote %q", got)
	}
	if _, err := tryLoad(t, writeScript(t, `io.write({})`)); err == nil || !strings.Contains(err.Error(), "string expected, got table") {
		t.Errorf("io.write of a table: %v", err)
	}
}

func TestTostringNumbers(t *testing.T) {
	h := load(t, "")
	for expr, want := range map[string]string{
		"tostring(10)":      "10",
		"tostring(-0.5)":    "-0.5",
		"tostring(1e15)":    "1e+15",
		"tostring(2^53)":    "9.007199254741e+15",
		"tostring(0/0)":     "nan",
		"tostring(-1/0)":    "-inf",
		"tostring(123.456)": "123.456",
	} {
		if got := eval(t, h.script.main, expr); got != want {
			t.Errorf("%s = %s, want %s", expr, got, want)
		}
	}
}

// TestIoOutputRedirect checks io.output(file) sends io.write to the file
// and io.output(io.stdout) brings it back.
func TestIoOutputRedirect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	h := load(t, fmt.Sprintf(`io.output(%q)
		io.write("to file")
		io.output():close()
		io.output(io.stdout)
		io.write("to stdout")`, path))
	if got := h.out.String(); got != "to stdout" {
		t.Errorf("stdout got %q", got)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "to file" {
		t.Errorf("file has %q, %v", b, err)
	}
}
