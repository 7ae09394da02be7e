package luascript

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// Expected values are what LuaJIT produces.
func TestStringFormat(t *testing.T) {
	h := load(t, "")
	cases := map[string]string{
		`string.format("%d-%5d-%-5d|", 42, 7, 3)`:                          "42-    7-3    |",
		`string.format("%g%%,%d", 99.999, 1234.9)`:                         "99.999%,1234",
		`string.format("%.2f %e %G", 3.14159, 1234.5, 1e-10)`:              "3.14 1.234500e+03 1E-10",
		`string.format("%x %X %o %#x", 255, 255, 8, 255)`:                  "ff FF 10 0xff",
		`string.format("%x", -1)`:                                          "ffffffffffffffff",
		`string.format("%s|%10s|%-4s|%.2s", "a", "b", "c", "xyz")`:         "a|         b|c   |xy",
		`string.format("%s %s %s", 1, 0.5, nil)`:                           "1 0.5 nil",
		`string.format("%q", 'a"b\\c' .. "\n")`:                            `"a\"b\\c\` + "\n" + `"`,
		`string.format("%c%c", 72, 105)`:                                   "Hi",
		`string.format("%5.1f|%05d|%+d", 2.25, 42, 3)`:                     "  2.3|00042|+3", // LuaJIT rounds ties away from zero
		`string.format("%f %5.1f", 1/0, -1/0)`:                             "inf  -inf",
		`string.format("thread addr: %s", wrk.lookup("127.0.0.1", 80)[1])`: "thread addr: 127.0.0.1:80",
		`("%d requests"):format(3)`:                                        "3 requests",
	}
	for expr, want := range cases {
		if got := eval(t, h.script.main, expr); got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
	for _, bad := range []string{`string.format("%d")`, `string.format("%y", 1)`, `string.format("%d", "x")`} {
		if err := h.script.main.L.DoString(bad); err == nil || !strings.Contains(err.Error(), "format") && !strings.Contains(err.Error(), "bad argument") {
			t.Errorf("%s: error %v", bad, err)
		}
	}
}

func TestFormatPaddedInt(t *testing.T) {
	h := load(t, "")
	for _, spec := range []string{"%5d", "%-5d|", "%05d", "%08d", "%2d", "%-08d|", "%010i"} {
		for _, n := range []string{"42", "-42", "0", "123456789"} {
			got := eval(t, h.script.main, "string.format('"+spec+"', "+n+")")
			want := fmt.Sprintf(strings.ReplaceAll(spec, "i", "d"), atoi(t, n))
			if got != want {
				t.Errorf("format(%q, %s) = %q, want %q", spec, n, got, want)
			}
		}
	}
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
