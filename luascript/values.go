package luascript

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// appendNumber formats a number as Lua's tostring does ("%.14g"), which
// gopher-lua's own formatting does not: it prints 1/3 with 16 digits and
// infinity as "+Inf", so means and rates printed from done() would not
// match wrk's.
func appendNumber(b []byte, f float64) []byte {
	switch {
	case f == 0 && math.Signbit(f):
		return append(b, "-0"...)
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.AppendInt(b, int64(f), 10)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	return strconv.AppendFloat(b, f, 'g', 14, 64)
}

// appendValue appends tostring(v).
func appendValue(L *lua.LState, b []byte, v lua.LValue) []byte {
	switch v := v.(type) {
	case lua.LString:
		return append(b, v...)
	case lua.LNumber:
		return appendNumber(b, float64(v))
	}
	return append(b, toString(L, v)...)
}

// toString is Lua's tostring: __tostring first, then the default text.
func toString(L *lua.LState, v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return string(appendNumber(nil, float64(v)))
	}
	if s, ok := L.ToStringMeta(v).(lua.LString); ok {
		return string(s)
	}
	return L.ToStringMeta(v).String()
}

// truthy is Lua's truth test: everything but nil and false.
func truthy(v lua.LValue) bool {
	return v != lua.LNil && v != lua.LFalse
}
