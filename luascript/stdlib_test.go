package luascript

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLuaJITLibrary checks the library functions gowrk adapts to LuaJIT
// 2.1; each expected value is what wrk's LuaJIT prints.
func TestLuaJITLibrary(t *testing.T) {
	h := load(t, "")
	for _, tc := range []struct{ expr, want string }{
		{`os.date("!%c", 0)`, "Thu Jan  1 00:00:00 1970"},
		{`os.date("!%Y-%m-%dT%TZ", 86400 * 365)`, "1971-01-01T00:00:00Z"},
		{`os.date("!%D %e %j %s %u %h %R", 1234567890)`, "02/13/09 13 044 1234567890 5 Feb 23:31"},
		{`os.date("!%x %X %p %I %a %A %B %y %C %g %G %V %U %W %k %l %z %%", 1234567890)`, "02/13/09 23:31:30 PM 11 Fri Friday February 09 20 09 2009 07 06 06 23 11 +0000 %"},
		{`os.date("!*t", 1234567890).yday`, "44"},
		{`#"\x00\x01\xff"`, "3"},
		{`"\x41\u{48}\u{20AC}"`, "AH€"},
		{`string.format("%-10s|", "héllo")`, "héllo    |"},
		{`string.format("%10s|%.3s", "日本", "日本")`, "    日本|日"},
		{`string.format("%a %A", 1, 0.5)`, "0x1p+0 0X1P-1"},
		{`string.format("%p", 1)`, "NULL"},
		{`string.format("%p", {}):sub(1, 2)`, "0x"},
		{`string.format("%q", "a\r\0\0011\127\n")`, "\"a\\13\\0\\0011\\127\\\n\""},
		{`string.format("%f", math.huge)`, "inf"},
		{`("x"):rep(3, ",")`, "x,x,x"},
		{`math.random(0)`, "1"},
		{`tonumber("1e2")`, "100"},
		{`tonumber("-0x10")`, "-16"},
		{`tonumber(" 0b101 ")`, "5"},
		{`tonumber("inf")`, "inf"},
		{`tonumber("12a")`, "nil"},
		{`tonumber("ff", 16)`, "255"},
		{`load("return 1 + 1")()`, "2"},
		{`select(2, load("return +"))`, `[string "return +"]:1: syntax error near '+'`},
		{`type(collectgarbage("count"))`, "number"},
		{`collectgarbage()`, "0"},
		{`tostring(math.huge) .. tostring(-math.huge)`, "inf-inf"},
		{`select(2, pcall(assert, false, "msg"))`, "msg"},
		{`select(2, io.open("/nonexistent/x"))`, "/nonexistent/x: No such file or directory"},
		{`select(2, io.stdout.close())`, "cannot close standard file"},
	} {
		if got := evalChunk(t, h.script.main, tc.expr); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestEscapesKeepLineNumbers(t *testing.T) {
	h := load(t, "s = \"a\\z\n\n   b\" x = 1\nfunction f() error('here') end\n")
	err := h.script.main.L.DoString("f()")
	if err == nil || !strings.Contains(err.Error(), "script.lua:4: here") {
		t.Fatalf("error %v, want it at line 4", err)
	}
	if got := eval(t, h.script.main, "s"); got != "ab" {
		t.Errorf("s = %q", got)
	}
}

func TestRewriteEscapesLeavesCommentsAndLongStrings(t *testing.T) {
	src := "-- \\x41\n--[[ \\x41 ]] local a = [[\\x41]] local b = '\\x41' local c = \"\\\\x41\"\n"
	want := "-- \\x41\n--[[ \\x41 ]] local a = [[\\x41]] local b = '\\065' local c = \"\\\\x41\"\n"
	if got := string(rewriteEscapes([]byte(src))); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestReadFormats(t *testing.T) {
	name := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(name, []byte("12.5 rest\nline two\nline three\nlast"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := load(t, "")
	got := eval(t, h.script.main, `(function()
		local f = assert(io.open("`+name+`"))
		local t = { f:read("*number", "*line", "*L", "n") }
		local rest = { f:read("l", "L", "a") }
		f.close(f)
		return table.concat(t, "|") .. "#" .. table.concat(rest, "|")
	end)()`)
	if want := "12.5| rest|line two\n#line three|last|"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRequire(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "lib", "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lib/pkg/init.lua", `return { name = ... }`)
	write("mod.lua", `return { x = "\x41" }`)
	write("native.so", "")
	write("script.lua", `package.cpath = package.cpath .. ";`+dir+`/?.so"`)
	h, err := tryLoad(t, filepath.Join(dir, "script.lua"))
	if err != nil {
		t.Fatal(err)
	}
	st := h.script.main
	if got := eval(t, st, `require("mod").x .. require("lib.pkg").name .. tostring(require("mod") == require("mod"))`); got != "Alib.pkgtrue" {
		t.Errorf("modules beside the script: %q", got)
	}
	err = st.L.DoString(`require "native"`)
	if err == nil || !strings.HasSuffix(strings.SplitN(err.Error(), "\n", 2)[0], "module 'native' is a C module ("+dir+"/native.so): gowrk runs Lua modules only") {
		t.Errorf("C module: %v", err)
	}
	if got := eval(t, st, `package.path:match("^[^;]*")`); got != "./?.lua" {
		t.Errorf("package.path starts %q", got)
	}
}

func TestCJSON(t *testing.T) {
	h := load(t, `cjson = require "cjson"; safe = require "cjson.safe"`)
	st := h.script.main
	for _, tc := range []struct{ expr, want string }{
		{`cjson.encode({a = {1, 2, 3}})`, `{"a":[1,2,3]}`},
		{`cjson.encode({"x/y\n\1", cjson.null, true, 1.5, 1e20})`, `["x\/y\n\u0001",null,true,1.5,1e+20]`},
		{`cjson.encode({}) .. cjson.encode(cjson.empty_array) .. cjson.encode(setmetatable({}, cjson.empty_array_mt))`, `{}[][]`},
		{`cjson.decode('{"x":[1,{"y":null}]}').x[2].y == cjson.null`, `true`},
		{`cjson.decode('"\\u00e9\\ud83d\\ude00"')`, "é😀"},
		{`cjson.decode('[1, 2.5e1, -3]')[2]`, "25"},
		{`select(2, safe.decode("{bad"))`, "Expected object key string but found invalid token at character 2"},
		{`select(2, pcall(cjson.encode, {[1] = 1, [100] = 2}))`, "probe:1: Cannot serialise table: excessively sparse array"},
		{`select(2, pcall(cjson.encode, 0/0))`, "probe:1: Cannot serialise number: must not be NaN or Infinity"},
		{`cjson.encode_empty_table_as_object(false) and "" or cjson.encode({})`, "[]"},
		{`cjson.new().encode({})`, "{}"},
	} {
		if got := evalChunk(t, st, tc.expr); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// evalChunk evaluates expr compiled as scripts are (LuaJIT's escapes
// included), in a chunk named "probe", and returns tostring of its value.
func evalChunk(t testing.TB, st *state, expr string) string {
	t.Helper()
	fn, err := compileChunk(st.L, []byte("return tostring("+expr+")"), "probe")
	if err != nil {
		t.Fatalf("compile %s: %v", expr, err)
	}
	ret, err := st.call(fn, 1)
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return ret[0].String()
}

// TestPatterns covers the pattern matcher, %f included; the expected values
// are LuaJIT's.
func TestPatterns(t *testing.T) {
	h := load(t, "")
	for _, tc := range []struct{ expr, want string }{
		{`string.match("THE (quick) fox", "%f[%a]%a+")`, "THE"},
		{`select(2, string.gsub("the quick brown", "%f[%w]%w+", "X"))`, "3"},
		{`string.find("hello world", "%f[%W]")`, "6"},
		{`table.concat({string.find("key=val", "(%w+)=(%w+)")}, ",")`, "1,7,key,val"},
		{`table.concat({string.match("abc", "()b()")}, ",")`, "2,3"},
		{`string.match("x(a(b)c)y", "%b()")`, "(a(b)c)"},
		{`string.gsub("abc", "%w", "%0%0")`, "aabbcc"},
		{`string.gsub("hello world", "(o)", {o = "0"})`, "hell0 w0rld"},
		{`string.gsub("abc", "", "-")`, "-a-b-c-"},
		{`string.gsub("abc", "^a", "X")`, "Xbc"},
		{`string.gsub("a b", "%s*", "_")`, "_a__b_"}, // Lua 5.1's rule for empty matches
		{`string.match("  trim  ", "^%s*(.-)%s*$")`, "trim"},
		{`string.match("2024-01-02", "(%d+)-(%d+)")`, "2024"},
		{`string.find("a.b", ".", 1, true)`, "2"},
		{`string.find("abc", "b", -1)`, "nil"},
		{`string.match("[x]", "[]x[]+")`, "[x]"},
		{`string.match("aaa", "a-b")`, "nil"},
		{`string.match("abab", "(ab)%1")`, "ab"},
		{`select(2, pcall(string.match, "a", "%"))`, "malformed pattern (ends with '%')"},
		{`select(2, pcall(function() return string.match("a", "[a") end))`, "probe:1: malformed pattern (missing ']')"},
		{`(function() local t = {} for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do t[#t+1] = k .. v end return table.concat(t, ";") end)()`, "a1;b2"},
		{`(function() local n = 0 for w in ("one two"):gmatch("%a*") do n = n + 1 end return n end)()`, "4"},
	} {
		if got := evalChunk(t, h.script.main, tc.expr); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestTieAway(t *testing.T) {
	h := load(t, "")
	for _, tc := range []struct{ expr, want string }{
		{`string.format("%.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, -2.5)`, "1 2 3 -3"},
		{`string.format("%.2f %.1e %.3g", 0.125, 1234.5, 1.0625)`, "0.13 1.2e+03 1.06"},
		{`string.format("%.3e %.2f", 1234.5, 0.1)`, "1.235e+03 0.10"},
		{`tostring(123456789012345)`, "1.2345678901235e+14"},
		{`tostring(0.1 + 0.2)`, "0.3"},
		{`tostring(2.5)`, "2.5"},
	} {
		if got := evalChunk(t, h.script.main, tc.expr); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestLoadFileAndDoFile(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib.lua")
	if err := os.WriteFile(lib, []byte(`return "\x41" .. (... or "")`), 0o644); err != nil {
		t.Fatal(err)
	}
	h := load(t, "")
	for _, tc := range []struct{ expr, want string }{
		{`loadfile("` + lib + `")("b")`, "Ab"},
		{`dofile("` + lib + `")`, "A"},
		{`select(2, loadfile("/nonexistent/x.lua"))`, "cannot open /nonexistent/x.lua"},
	} {
		if got := evalChunk(t, h.script.main, tc.expr); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestRequireCustomLoader(t *testing.T) {
	h := load(t, `table.insert(package.loaders, function(name)
			if name == "virtual" then return function() return { ok = "yes" } end end
			return "\n\tno virtual module '" .. name .. "'"
		end)`)
	if got := evalChunk(t, h.script.main, `require("virtual").ok`); got != "yes" {
		t.Errorf("custom loader: %q", got)
	}
	got := evalChunk(t, h.script.main, `select(2, pcall(require, "nothere"))`)
	if !strings.HasPrefix(got, "probe:1: module 'nothere' not found:\n\tno field package.preload['nothere']\n\tno file './nothere.lua'") ||
		!strings.HasSuffix(got, "\n\tno virtual module 'nothere'") {
		t.Errorf("not found: %q", got)
	}
}

func TestGsubNumberReplacement(t *testing.T) {
	h := load(t, "")
	if got := evalChunk(t, h.script.main, `(string.gsub("a", "a", 0.1 + 0.2))`); got != "0.3" {
		t.Errorf("got %q", got)
	}
}
