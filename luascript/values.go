package luascript

import (
	"bytes"
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
	case f == math.Trunc(f) && math.Abs(f) < 1e14: // "%.14g" prints these whole
		return strconv.AppendInt(b, int64(f), 10)
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	return strconv.AppendFloat(b, tieAway(f, 'g', 14), 'g', 14, 64)
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

// tieAway adjusts x so that Go's formatting, which rounds an exact tie to
// even, rounds it away from zero as LuaJIT's formatter does (2.5 with
// "%.0f" is 3, 1234.5 with "%.3e" is 1.235e+03). conv is the printf
// conversion and prec its precision. A tie needs the exact decimal value
// of x to end, with a 5, just past the last digit kept; doubles with at
// most 15 significant digits print exactly in their shortest form, so the
// shortest form shows it, and moving x by one unit in the last place
// rounds it the other way without touching the digits kept.
func tieAway(x float64, conv byte, prec int) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return x
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
	if s[0] == '-' {
		s = s[1:]
	}
	e := bytes.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(string(s[e+1:]))
	digits := 1
	if e > 1 {
		digits += e - 2 // after "d."
	}
	if s[e-1] != '5' || digits > 15 {
		return x
	}
	var kept int
	switch conv | 0x20 {
	case 'e':
		kept = prec + 1
	case 'f':
		kept = exp + 1 + prec
	case 'g':
		p := max(prec, 1)
		if exp < -4 || exp >= p {
			kept = p // printed as %e with p-1 decimals
		} else {
			kept = exp + 1 + (p - 1 - exp)
		}
	default:
		return x
	}
	if digits != kept+1 {
		return x
	}
	return math.Nextafter(x, math.Copysign(math.Inf(1), x))
}
