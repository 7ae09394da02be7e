package luascript

import (
	"math"
	"math/bits"

	lua "github.com/yuin/gopher-lua"
)

// openBit installs LuaJIT's bit library (global bit, also require "bit"):
// wrk runs on LuaJIT, so scripts use it freely. As in LuaJIT, every
// operation works on 32-bit integers and returns a signed 32-bit result.
func (st *state) openBit() {
	L := st.L
	lib := L.NewTable()
	L.SetFuncs(lib, map[string]lua.LGFunction{
		"tobit":   func(L *lua.LState) int { return pushBit(L, checkBit(L, 1)) },
		"bnot":    func(L *lua.LState) int { return pushBit(L, ^checkBit(L, 1)) },
		"band":    bitFold(func(a, b int32) int32 { return a & b }),
		"bor":     bitFold(func(a, b int32) int32 { return a | b }),
		"bxor":    bitFold(func(a, b int32) int32 { return a ^ b }),
		"lshift":  bitShift(func(x uint32, n int) uint32 { return x << n }),
		"rshift":  bitShift(func(x uint32, n int) uint32 { return x >> n }),
		"arshift": bitShift(func(x uint32, n int) uint32 { return uint32(int32(x) >> n) }),
		"rol":     bitShift(func(x uint32, n int) uint32 { return bits.RotateLeft32(x, n) }),
		"ror":     bitShift(func(x uint32, n int) uint32 { return bits.RotateLeft32(x, -n) }),
		"bswap": func(L *lua.LState) int {
			return pushBit(L, int32(bits.ReverseBytes32(uint32(checkBit(L, 1)))))
		},
		"tohex": bitToHex,
	})
	L.SetGlobal("bit", lib)
	if loaded, ok := L.GetField(L.GetGlobal("package"), "loaded").(*lua.LTable); ok {
		loaded.RawSetString("bit", lib)
	}
}

// toBit is LuaJIT's normalization: round to the nearest integer (ties to
// even, as LuaJIT's 2^52+2^51 addition does) and keep the low 32 bits.
func toBit(x float64) int32 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	v := math.Mod(math.RoundToEven(x), 1<<32)
	return int32(uint32(int64(v)))
}

func checkBit(L *lua.LState, n int) int32 { return toBit(float64(L.CheckNumber(n))) }

func pushBit(L *lua.LState, v int32) int {
	L.Push(lua.LNumber(v))
	return 1
}

// bitFold applies op over all arguments, at least one.
func bitFold(op func(a, b int32) int32) lua.LGFunction {
	return func(L *lua.LState) int {
		acc := checkBit(L, 1)
		for i := 2; i <= L.GetTop(); i++ {
			acc = op(acc, checkBit(L, i))
		}
		return pushBit(L, acc)
	}
}

// bitShift applies op with the shift count reduced to 0-31, as x86 and
// LuaJIT do.
func bitShift(op func(x uint32, n int) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		x := uint32(checkBit(L, 1))
		n := int(checkBit(L, 2) & 31)
		return pushBit(L, int32(op(x, n)))
	}
}

// bitToHex is bit.tohex(x [, n]): n hex digits (default 8), upper case
// when n is negative.
func bitToHex(L *lua.LState) int {
	x := uint32(checkBit(L, 1))
	n := int32(8)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		n = checkBit(L, 2)
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n < 0 || n > 8 { // n < 0 only for -(-2^31)
		n = 8
	}
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = digits[x&15]
		x >>= 4
	}
	L.Push(lua.LString(out))
	return 1
}
