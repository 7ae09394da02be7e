package luascript

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// Scripts that build bodies call string.char, string.byte and math.random
// once per byte. gopher-lua's versions allocate for every result (the byte
// slice, the string and its interface box; a number's box); these return
// boxed values made once, so a call allocates nothing.

// Boxed small integers and one-byte strings, shared by every state: both
// are immutable values.
const (
	smallIntMin = -1024
	smallIntMax = 4096
)

var (
	smallInts   [smallIntMax - smallIntMin + 1]lua.LValue
	byteStrings [256]lua.LValue
)

func init() {
	for i := range smallInts {
		smallInts[i] = lua.LNumber(i + smallIntMin)
	}
	for i := range byteStrings {
		byteStrings[i] = lua.LString([]byte{byte(i)})
	}
}

// number boxes f, without allocating for small integers.
func number(f float64) lua.LValue {
	if f >= smallIntMin && f <= smallIntMax && f == math.Trunc(f) && !(f == 0 && math.Signbit(f)) {
		return smallInts[int(f)-smallIntMin]
	}
	return lua.LNumber(f)
}

// openFast installs the allocation-free string.char and string.byte.
func (st *state) openFast() {
	L := st.L
	lib, ok := L.GetGlobal("string").(*lua.LTable)
	if !ok {
		return
	}
	lib.RawSetString("find", L.NewFunction(strFind))
	lib.RawSetString("match", L.NewFunction(strMatch))
	lib.RawSetString("gmatch", L.NewFunction(strGmatch))
	lib.RawSetString("gsub", L.NewFunction(strGsub))
	lib.RawSetString("char", L.NewFunction(stringChar))
	lib.RawSetString("byte", L.NewFunction(stringByte))
	if tab, ok := L.GetGlobal("table").(*lua.LTable); ok {
		tab.RawSetString("concat", L.NewFunction(st.tableConcat))
	}
}

// charArg is argument i of string.char, which LuaJIT requires to be a byte.
func charArg(L *lua.LState, i int) byte {
	n := float64(L.CheckNumber(i))
	if !(n >= 0 && n < 256) {
		L.ArgError(i, "invalid value")
	}
	return byte(n)
}

func stringChar(L *lua.LState) int {
	top := L.GetTop()
	if top == 1 {
		L.Push(byteStrings[charArg(L, 1)])
		return 1
	}
	b := make([]byte, top)
	for i := range b {
		b[i] = charArg(L, i+1)
	}
	L.Push(lua.LString(b))
	return 1
}

// stringByte is string.byte(s [, i [, j]]).
func stringByte(L *lua.LState) int {
	s := L.CheckString(1)
	i := L.OptInt(2, 1)
	j := L.OptInt(3, i)
	n := len(s)
	if i < 0 {
		i += n + 1
	}
	if j < 0 {
		j += n + 1
	}
	i = max(i, 1)
	j = min(j, n)
	if i > j {
		return 0
	}
	if j-i >= math.MaxInt32 {
		L.RaiseError("string slice too long")
	}
	for k := i; k <= j; k++ {
		L.Push(smallInts[int(s[k-1])-smallIntMin])
	}
	return j - i + 1
}

// tableConcat is table.concat built in one reused buffer: gopher-lua's
// pushes every element on the stack and joins a slice of them, several
// times the result's size in garbage per call.
func (st *state) tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := L.OptInt(3, 1)
	j := t.Len()
	if L.GetTop() >= 4 && L.Get(4) != lua.LNil {
		j = L.CheckInt(4)
	}
	b := st.concatBuf[:0]
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			b = append(b, v...)
		case lua.LNumber:
			b = appendNumber(b, float64(v))
		default:
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", v.Type().String(), k)
		}
		if k < j {
			b = append(b, sep...)
		}
	}
	st.concatBuf = b
	if len(b) == 1 {
		L.Push(byteStrings[b[0]])
	} else {
		L.Push(lua.LString(b))
	}
	return 1
}
