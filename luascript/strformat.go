package luascript

import (
	"fmt"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// openFormat replaces string.format. gopher-lua's version hands Lua values
// straight to Go's fmt, so "%s" of an address or stats object prints
// "userdata: 0x...", not its __tostring, and "%5.1f" of a string fails;
// wrk scripts rely on both (addr.lua formats thread.addr with "%s").
func (st *state) openFormat() {
	L := st.L
	if lib, ok := L.GetGlobal("string").(*lua.LTable); ok {
		lib.RawSetString("format", L.NewFunction(st.stringFormat))
	}
}

// stringFormat is Lua 5.1's string.format with LuaJIT's leniency for %s
// (any value goes through tostring).
func (st *state) stringFormat(L *lua.LState) int {
	f := L.CheckString(1)
	b := st.fmtBuf[:0]
	arg := 1
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		i++
		if i >= len(f) {
			L.RaiseError("invalid option '%%' to 'format'")
		}
		if f[i] == '%' {
			b = append(b, '%')
			continue
		}
		// Flags, width (at most two digits) and precision, as Lua 5.1 allows.
		start := i
		for i < len(f) && (f[i] == '-' || f[i] == '+' || f[i] == ' ' || f[i] == '#' || f[i] == '0') {
			i++
		}
		for n := 0; n < 2 && i < len(f) && f[i] >= '0' && f[i] <= '9'; n++ {
			i++
		}
		if i < len(f) && f[i] == '.' {
			i++
			for n := 0; n < 2 && i < len(f) && f[i] >= '0' && f[i] <= '9'; n++ {
				i++
			}
		}
		if i >= len(f) {
			L.RaiseError("invalid format (missing conversion)")
		}
		spec := f[start:i]
		conv := f[i]
		arg++
		if arg > L.GetTop() {
			L.ArgError(arg, "no value")
		}
		switch conv {
		case 'd', 'i':
			n := int64(L.CheckNumber(arg))
			if spec == "" {
				b = strconv.AppendInt(b, n, 10)
			} else {
				b = fmt.Appendf(b, "%"+spec+"d", n)
			}
		case 'u':
			b = fmt.Appendf(b, "%"+spec+"d", uint64(int64(L.CheckNumber(arg))))
		case 'o', 'x', 'X':
			// C prints negative values as their two's complement.
			b = fmt.Appendf(b, "%"+spec+string(conv), uint64(int64(L.CheckNumber(arg))))
		case 'c':
			b = append(b, byte(int64(L.CheckNumber(arg))))
		case 'e', 'E', 'f', 'g', 'G':
			x := float64(L.CheckNumber(arg))
			if math.IsInf(x, 0) || math.IsNaN(x) {
				b = fmt.Appendf(b, "%"+infSpec(spec)+"s", appendNumber(nil, x))
			} else {
				b = fmt.Appendf(b, "%"+spec+string(conv), x)
			}
		case 's':
			if spec == "" {
				b = appendValue(L, b, L.Get(arg))
			} else {
				b = fmt.Appendf(b, "%"+spec+"s", toString(L, L.Get(arg)))
			}
		case 'q':
			b = appendQuoted(b, L.CheckString(arg))
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", conv)
		}
	}
	st.fmtBuf = b
	L.Push(lua.LString(b))
	return 1
}

// infSpec adapts a float spec for printing "inf" or "nan" as a string:
// C ignores the 0 flag and the precision there, keeping only the width.
func infSpec(spec string) string {
	out := make([]byte, 0, len(spec))
	flags := true
	for i := 0; i < len(spec); i++ {
		c := spec[i]
		if c == '.' {
			break
		}
		flags = flags && (c == '-' || c == '+' || c == ' ' || c == '#' || c == '0')
		if !flags || c != '0' {
			out = append(out, c)
		}
	}
	return string(out)
}

// appendQuoted is Lua's %q: a double-quoted string Lua can read back.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', '\n')
		case '\r':
			b = append(b, '\\', 'r')
		case 0:
			b = append(b, '\\', '0')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
