package luascript

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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
		if f[i] != '%' {
			// Copy the literal run up to the next conversion at once.
			j := strings.IndexByte(f[i:], '%')
			if j < 0 {
				b = append(b, f[i:]...)
				break
			}
			b = append(b, f[i:i+j]...)
			i += j
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
			} else if nb, ok := appendPaddedInt(b, spec, n); ok {
				b = nb
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
				b = fmt.Appendf(b, "%"+spec+string(conv), tieAway(x, conv, precision(spec)))
			}
		case 's':
			if spec == "" {
				b = appendValue(L, b, L.Get(arg))
			} else {
				b = appendPadded(b, spec, toString(L, L.Get(arg)))
			}
		case 'a', 'A':
			b = appendPadded(b, widthOnly(spec), hexFloat(float64(L.CheckNumber(arg)), conv == 'A'))
		case 'p':
			b = appendPadded(b, widthOnly(spec), pointer(L.Get(arg)))
		case 'q':
			if n, ok := L.Get(arg).(lua.LNumber); ok {
				b = append(b, '"')
				b = appendNumber(b, float64(n))
				b = append(b, '"')
			} else {
				b = appendQuoted(b, L.CheckString(arg))
			}
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

// appendQuoted is LuaJIT's %q: a double-quoted string Lua can read back,
// control characters as decimal escapes (three digits when a digit
// follows, so the escape does not swallow it).
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', '\n')
		case c < ' ' || c == 127:
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				b = append(b, '\\', '0'+c/100, '0'+c/10%10, '0'+c%10)
			} else {
				b = append(b, '\\')
				b = strconv.AppendInt(b, int64(c), 10)
			}
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendPadded is C's %s with flags, width and precision, which count
// bytes: Go's fmt counts runes, so UTF-8 text would be padded differently.
func appendPadded(b []byte, spec, s string) []byte {
	left := false
	i := 0
	for ; i < len(spec) && strings.IndexByte("-+ #0", spec[i]) >= 0; i++ {
		left = left || spec[i] == '-'
	}
	width, prec := 0, -1
	for ; i < len(spec) && spec[i] >= '0' && spec[i] <= '9'; i++ {
		width = width*10 + int(spec[i]-'0')
	}
	if i < len(spec) && spec[i] == '.' {
		prec = 0
		for i++; i < len(spec) && spec[i] >= '0' && spec[i] <= '9'; i++ {
			prec = prec*10 + int(spec[i]-'0')
		}
	}
	if prec >= 0 && len(s) > prec {
		s = s[:prec]
	}
	if !left {
		for n := len(s); n < width; n++ {
			b = append(b, ' ')
		}
	}
	b = append(b, s...)
	if left {
		for n := len(s); n < width; n++ {
			b = append(b, ' ')
		}
	}
	return b
}

// widthOnly keeps the flags and width of a spec, for conversions printed
// as strings.
func widthOnly(spec string) string {
	if i := strings.IndexByte(spec, '.'); i >= 0 {
		return spec[:i]
	}
	return spec
}

// hexFloat is C's %a: Go's hexadecimal form with the exponent's leading
// zeros dropped ("0x1p+00" becomes "0x1p+0").
func hexFloat(x float64, upper bool) string {
	var s string
	switch {
	case math.IsInf(x, 0) || math.IsNaN(x):
		s = string(appendNumber(nil, x))
	default:
		s = strconv.FormatFloat(x, 'x', -1, 64)
		if p := strings.LastIndexByte(s, 'p'); p >= 0 && p+2 < len(s) {
			exp := strings.TrimLeft(s[p+2:], "0")
			if exp == "" {
				exp = "0"
			}
			s = s[:p+2] + exp
		}
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return s
}

// pointer is %p: the address of a reference value, and "NULL" for values
// that have none, as LuaJIT prints them.
func pointer(v lua.LValue) string {
	switch v.(type) {
	case *lua.LTable, *lua.LFunction, *lua.LUserData, *lua.LState:
		s := v.String()
		if i := strings.Index(s, "0x"); i >= 0 {
			return s[i:]
		}
	}
	return "NULL"
}

// appendPaddedInt is %d with a width and the '-' or '0' flag, the forms
// scripts use per request, without going through fmt. It reports false
// for other specs.
func appendPaddedInt(b []byte, spec string, n int64) ([]byte, bool) {
	fill, left := byte(' '), false
	i := 0
	for ; i < len(spec) && (spec[i] == '-' || spec[i] == '0'); i++ {
		if spec[i] == '-' {
			left = true
		} else {
			fill = '0'
		}
	}
	width := 0
	for ; i < len(spec); i++ {
		c := spec[i]
		if c < '0' || c > '9' {
			return b, false
		}
		width = width*10 + int(c-'0')
	}
	if left {
		fill = ' '
	}
	var digits [24]byte
	d := strconv.AppendInt(digits[:0], n, 10)
	pad := width - len(d)
	switch {
	case pad <= 0:
		b = append(b, d...)
	case left:
		b = append(b, d...)
		for ; pad > 0; pad-- {
			b = append(b, ' ')
		}
	case fill == '0' && d[0] == '-':
		b = append(b, '-')
		for ; pad > 0; pad-- {
			b = append(b, '0')
		}
		b = append(b, d[1:]...)
	default:
		for ; pad > 0; pad-- {
			b = append(b, fill)
		}
		b = append(b, d...)
	}
	return b, true
}

// precision is a spec's precision, or C's default of 6.
func precision(spec string) int {
	i := strings.IndexByte(spec, '.')
	if i < 0 {
		return 6
	}
	p := 0
	for _, c := range spec[i+1:] {
		p = p*10 + int(c-'0')
	}
	return p
}
