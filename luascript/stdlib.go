package luascript

import (
	"bytes"
	"errors"
	"math"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openStdlib brings gopher-lua's standard library closer to LuaJIT 2.1's,
// the Lua wrk embeds, where scripts found in the wild rely on the
// difference: os.date's conversions, tonumber's syntax, load of a string,
// collectgarbage's options, assert's message, math.huge, string.rep's
// separator and the file read formats.
func (st *state) openStdlib() {
	L := st.L
	L.SetGlobal("tonumber", L.NewFunction(luaToNumber))
	L.SetGlobal("load", L.NewFunction(st.load(L.GetGlobal("load"))))
	L.SetGlobal("loadstring", L.NewFunction(st.loadString))
	L.SetGlobal("loadfile", L.NewFunction(luaLoadFile))
	L.SetGlobal("dofile", L.NewFunction(luaDoFile))
	L.SetGlobal("collectgarbage", L.NewFunction(newCollectGarbage()))
	L.SetGlobal("assert", L.NewFunction(luaAssert))
	L.SetGlobal("error", L.NewFunction(luaError))
	if lib, ok := L.GetGlobal("math").(*lua.LTable); ok {
		lib.RawSetString("huge", lua.LNumber(math.Inf(1)))
		lib.RawSetString("max", L.NewFunction(minMax(true)))
		lib.RawSetString("min", L.NewFunction(minMax(false)))
	}
	if lib, ok := L.GetGlobal("table").(*lua.LTable); ok {
		lib.RawSetString("insert", L.NewFunction(tableInsert))
	}
	if lib, ok := L.GetGlobal("os").(*lua.LTable); ok {
		lib.RawSetString("date", L.NewFunction(osDate))
	}
	if lib, ok := L.GetGlobal("string").(*lua.LTable); ok {
		lib.RawSetString("rep", L.NewFunction(stringRep))
		lib.RawSetString("upper", L.NewFunction(asciiCase(true)))
		lib.RawSetString("lower", L.NewFunction(asciiCase(false)))
	}
	st.openFiles()
}

// luaToNumber is tonumber with LuaJIT's number syntax: decimal with
// exponent, hexadecimal (also fractional, with a binary exponent), 0b
// binary, inf and nan, surrounded by spaces.
func luaToNumber(L *lua.LState) int {
	v := L.CheckAny(1)
	base := L.OptInt(2, 10)
	if base == 10 {
		switch v := v.(type) {
		case lua.LNumber:
			L.Push(v)
			return 1
		case lua.LString:
			if n, ok := parseNumber(string(v)); ok {
				L.Push(lua.LNumber(n))
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	}
	if base < 2 || base > 36 {
		L.ArgError(2, "base out of range")
	}
	s := strings.TrimSpace(L.CheckString(1))
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil || s == "" || strings.ContainsAny(s, "_+-") {
		L.Push(lua.LNil)
		return 1
	}
	f := float64(n)
	if neg {
		f = -f
	}
	L.Push(lua.LNumber(f))
	return 1
}

// parseNumber converts a string as LuaJIT's lj_strscan does for tonumber.
func parseNumber(s string) (float64, bool) {
	s = strings.Trim(s, " \t\n\v\f\r")
	body := s
	neg := false
	if body != "" && (body[0] == '-' || body[0] == '+') {
		neg = body[0] == '-'
		body = body[1:]
	}
	if body == "" || strings.ContainsRune(body, '_') {
		return 0, false
	}
	var f float64
	switch lower := strings.ToLower(body); {
	case lower == "inf" || lower == "infinity":
		f = math.Inf(1)
	case lower == "nan":
		f = math.NaN()
	case strings.HasPrefix(lower, "0x"):
		if len(lower) == 2 {
			return 0, false
		}
		hex := lower
		if !strings.Contains(hex, "p") {
			hex += "p0"
		}
		v, err := strconv.ParseFloat(hex, 64)
		if err != nil && !isRange(err) {
			return 0, false
		}
		f = v
	case strings.HasPrefix(lower, "0b"):
		v, err := strconv.ParseUint(lower[2:], 2, 64)
		if err != nil || len(lower) == 2 {
			return 0, false
		}
		f = float64(v)
	default:
		if c := lower[0]; c != '.' && (c < '0' || c > '9') {
			return 0, false // "infinity"-like words Go accepts and Lua does not
		}
		v, err := strconv.ParseFloat(lower, 64)
		if err != nil && !isRange(err) {
			return 0, false
		}
		f = v
	}
	if neg {
		f = -f
	}
	return f, true
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// load accepts a string, as LuaJIT's does, besides a reader function.
func (st *state) load(orig lua.LValue) lua.LGFunction {
	return func(L *lua.LState) int {
		if _, ok := L.Get(1).(lua.LString); ok {
			return st.loadString(L)
		}
		return st.forward(orig)
	}
}

// loadString compiles a chunk from a string, naming it as LuaJIT does so
// error positions read [string "..."]:line.
func (st *state) loadString(L *lua.LState) int {
	src := L.CheckString(1)
	name := L.OptString(2, "")
	if name == "" {
		name = stringChunkName(src)
	} else if name[0] == '=' || name[0] == '@' {
		name = name[1:]
	}
	fn, err := compileChunk(L, []byte(src), name)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

// stringChunkName is LuaJIT's name for a chunk loaded from a string: its
// first line, shortened to fit.
func stringChunkName(src string) string {
	const maxLen = 45
	line, _, cut := strings.Cut(src, "\n")
	if len(line) > maxLen {
		line, cut = line[:maxLen], true
	}
	if cut {
		return `[string "` + line + `..."]`
	}
	return `[string "` + line + `"]`
}

// compileChunk compiles Lua source as Load does (LuaJIT's escapes, a
// first "#" line skipped) into a function of the state.
func compileChunk(L *lua.LState, src []byte, name string) (*lua.LFunction, error) {
	proto, err := compileSource(src, name)
	if err != nil {
		return nil, err
	}
	return L.NewFunctionFromProto(proto), nil
}

// newCollectGarbage is collectgarbage with LuaJIT's options and results.
// Go's collector runs by itself, so "collect" and "step" only answer;
// "count" is the Go heap in use, in kilobytes.
func newCollectGarbage() lua.LGFunction {
	pause, stepmul := 200.0, 200.0
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	return func(L *lua.LState) int {
		opt := L.OptString(1, "collect")
		switch opt {
		case "collect", "stop", "restart":
			L.Push(lua.LNumber(0))
		case "count":
			metrics.Read(sample)
			kb := 0.0
			if sample[0].Value.Kind() == metrics.KindUint64 {
				kb = float64(sample[0].Value.Uint64()) / 1024
			}
			L.Push(lua.LNumber(kb))
		case "step":
			L.Push(lua.LFalse)
		case "setpause":
			old := pause
			pause = float64(L.OptNumber(2, 0))
			L.Push(lua.LNumber(old))
		case "setstepmul":
			old := stepmul
			stepmul = float64(L.OptNumber(2, 0))
			L.Push(lua.LNumber(old))
		default:
			L.ArgError(1, "invalid option '"+opt+"'")
		}
		return 1
	}
}

// luaAssert raises the message alone, without a position, as LuaJIT does.
func luaAssert(L *lua.LState) int {
	if truthy(L.CheckAny(1)) {
		return L.GetTop()
	}
	if L.GetTop() < 2 {
		L.Error(lua.LString("assertion failed!"), 0)
	}
	L.Error(L.Get(2), 0)
	return 0
}

// stringRep is string.rep with LuaJIT's optional separator.
func stringRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	sep := L.OptString(3, "")
	if n <= 0 {
		L.Push(lua.LString(""))
		return 1
	}
	if sep == "" {
		L.Push(lua.LString(strings.Repeat(s, n)))
		return 1
	}
	var b bytes.Buffer
	b.Grow(n*len(s) + (n-1)*len(sep))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// luaError is error(obj [, level]) as LuaJIT has it: obj may be nil, and a
// number is raised as its string, located like a message.
func luaError(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	if n, ok := obj.(lua.LNumber); ok {
		obj = lua.LString(appendNumber(nil, float64(n)))
	}
	if msg, ok := obj.(lua.LString); ok && level > 0 {
		// Located at the function level levels up, when it is Lua code.
		if dbg, ok := L.GetStack(level); ok {
			if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.CurrentLine > 0 {
				obj = lua.LString(dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": " + string(msg))
			}
		}
	}
	L.Error(obj, 0)
	return 0
}

// tableInsert is Lua 5.1's table.insert: a position past the end leaves
// the elements between unset, so the length does not include them.
func tableInsert(L *lua.LState) int {
	t := L.CheckTable(1)
	e := t.Len() + 1
	switch L.GetTop() {
	case 2:
		t.RawSetInt(e, L.Get(2))
	case 3:
		pos := L.CheckInt(2)
		if pos > e {
			e = pos
		}
		for i := e; i > pos; i-- {
			t.RawSetInt(i, t.RawGetInt(i-1))
		}
		t.RawSetInt(pos, L.Get(3))
	default:
		L.RaiseError("wrong number of arguments to 'insert'")
	}
	return 0
}

// minMax is math.min or math.max as LuaJIT computes them, with SSE's
// minsd/maxsd: a comparison involving NaN yields the later argument.
func minMax(isMax bool) lua.LGFunction {
	return func(L *lua.LState) int {
		r := float64(L.CheckNumber(1))
		for i := 2; i <= L.GetTop(); i++ {
			n := float64(L.CheckNumber(i))
			if isMax && !(r > n) || !isMax && !(r < n) {
				r = n
			}
		}
		L.Push(number(r))
		return 1
	}
}

// asciiCase is string.upper or string.lower in the C locale: bytes
// outside ASCII are left alone.
func asciiCase(upper bool) lua.LGFunction {
	return func(L *lua.LState) int {
		s := L.CheckString(1)
		b := []byte(s)
		for i, c := range b {
			switch {
			case upper && c >= 'a' && c <= 'z':
				b[i] = c - 32
			case !upper && c >= 'A' && c <= 'Z':
				b[i] = c + 32
			}
		}
		L.Push(lua.LString(b))
		return 1
	}
}

// compileFile compiles a Lua file as scripts are compiled, errors as Lua
// gives them ("cannot open <name>" or the located syntax error).
func compileFile(L *lua.LState, path string) (*lua.LFunction, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New("cannot open " + path)
	}
	return compileChunk(L, src, path)
}

// luaLoadFile is loadfile(path) with LuaJIT's escapes; reading standard input
// (no path) is not supported.
func luaLoadFile(L *lua.LState) int {
	fn, err := compileFile(L, L.CheckString(1))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

// luaDoFile is dofile(path): loadfile, then call, returning its results.
func luaDoFile(L *lua.LState) int {
	fn, err := compileFile(L, L.CheckString(1))
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	top := L.GetTop()
	L.Push(fn)
	L.Call(0, lua.MultRet)
	return L.GetTop() - top
}
