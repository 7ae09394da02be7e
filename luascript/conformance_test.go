package luascript

import (
	"strings"
	"testing"
)

// conformanceDifferences are the probes of testdata/conformance.lua whose
// output differs from wrk's on purpose or by a documented limitation; the
// README's list of differences names each. Every other probe must print
// exactly what wrk prints.
var conformanceDifferences = map[string]string{
	// gopher-lua words runtime errors its own way and locates errors
	// raised by library functions called directly through pcall.
	"format %d bad":    "error wording",
	"concat bad":       "error wording",
	"err index nil":    "error wording",
	"err call nil":     "error wording",
	"err arith":        "error wording",
	"err concat":       "error wording",
	"err compare":      "error wording",
	"err global call":  "error wording",
	"err bad arg":      "error wording",
	"err bad arg type": "error wording",
	"closed file":      "error wording",
	"load error":       "error wording",
	"require missing":  "error position",
	"format too few":   "error wording",
	"char 256":         "error wording",
	"char -1":          "error wording",
	"sort mixed":       "error position",
	"tonumber nil":     "error wording",
	"concat nil":       "error wording",
	"len of number":    "error wording",
	// gopher-lua's tables count the length of their array part.
	"insert pos": "length with holes",
	// gopher-lua's compiler shares one constant for 0 and -0.
	"tostring -0": "negative zero literal",
	// The .. operator formats numbers with gopher-lua's own code.
	"concat float": "concatenated numbers",
	// gowrk has cjson built in; the wrk under test usually has none.
	"cjson":         "built-in cjson",
	"cjson present": "built-in cjson",
}

// TestConformance runs the probes under wrk and under gowrk and compares
// what each printed, probe by probe.
func TestConformance(t *testing.T) {
	d := differential(t, "testdata/conformance.lua", runOpts{threads: 1, conns: 1}, nil)
	wrkProbes, gowrkProbes := probeLines(d.wrkOut), probeLines(d.gowrkOut)
	if len(wrkProbes) < 200 {
		t.Fatalf("wrk printed %d probes:\n%s", len(wrkProbes), d.wrkOut)
	}
	for name, w := range wrkProbes {
		g, ok := gowrkProbes[name]
		switch {
		case !ok:
			t.Errorf("gowrk printed no probe %q", name)
		case conformanceDifferences[name] != "":
		case g != w:
			t.Errorf("%s\nwrk   %s\ngowrk %s", name, w, g)
		}
	}
}

// probeLines maps each probe's name to its printed value. A value may span
// lines (a %q of a newline); continuation lines belong to the probe before.
func probeLines(out string) map[string]string {
	m := map[string]string{}
	last := ""
	for _, l := range strings.Split(out, "\n") {
		if name, v, ok := strings.Cut(l, " = "); ok && !strings.HasPrefix(l, " ") {
			m[name], last = v, name
		} else if last != "" {
			m[last] += "\n" + l
		}
	}
	return m
}

// TestDiffRandomPerThread checks that every thread draws LuaJIT's default
// sequence, as each of wrk's threads does.
func TestDiffRandomPerThread(t *testing.T) {
	script := writeScript(t, `function init(args)
			local t = {}
			for i = 1, 4 do t[i] = string.format("%.17g", math.random()) end
			t[5] = math.random(1, 100000)
			print(table.concat(t, " "))
		end`)
	d := differential(t, script, runOpts{threads: 2, conns: 2}, nil)
	lines := strings.Split(strings.TrimSpace(d.wrkOut), "\n")
	if len(lines) != 2 || lines[0] != lines[1] {
		t.Fatalf("wrk printed %q", d.wrkOut)
	}
	if d.gowrkOut != d.wrkOut {
		t.Errorf("gowrk printed %q, wrk %q", d.gowrkOut, d.wrkOut)
	}
}
