package luascript

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// tw223 is LuaJIT 2.1's math.random generator: a combined Tausworthe
// generator of period 2^223 (L'Ecuyer 1991, table 3, first entry), four
// 64-bit LFSRs whose xor fills the mantissa of a double in [1, 2). Every wrk
// thread's Lua state starts from the same fixed seed, so without
// math.randomseed each thread, and each run, draws the same sequence; gowrk
// reproduces it bit for bit, so the same script sends the same requests.
type tw223 struct{ gen [4]uint64 }

// step advances the four generators and returns the bits of a double in
// [1, 2).
func (r *tw223) step() uint64 {
	var out uint64
	out ^= r.lfsr(0, 63, 31, 18)
	out ^= r.lfsr(1, 58, 19, 28)
	out ^= r.lfsr(2, 55, 24, 7)
	out ^= r.lfsr(3, 47, 21, 8)
	return out&0x000fffffffffffff | 0x3ff0000000000000
}

func (r *tw223) lfsr(i int, k, q, s uint) uint64 {
	z := r.gen[i]
	z = ((z<<q)^z)>>(k-s) ^ (z&(^uint64(0)<<(64-k)))<<s
	r.gen[i] = z
	return z
}

// seed is LuaJIT's random_init: each generator's state is the bit pattern
// of a double derived from d, made large enough for its LFSR, then the
// generator is warmed up by ten steps.
func (r *tw223) seed(d float64) {
	shifts := [4]uint{1, 6, 9, 17} // 64-k of each generator
	for i := range r.gen {
		// The explicit conversion keeps Go from fusing the multiply-add,
		// which would round differently from LuaJIT.
		d = float64(d*math.Pi) + math.E
		u := math.Float64bits(d)
		if m := uint64(1) << shifts[i]; u < m {
			u += m
		}
		r.gen[i] = u
	}
	for range 10 {
		r.step()
	}
}

// float returns the next number in [0, 1).
func (r *tw223) float() float64 {
	return math.Float64frombits(r.step()) - 1
}

// openRandom replaces math.random and math.randomseed with LuaJIT's.
func (st *state) openRandom() {
	L := st.L
	lib, ok := L.GetGlobal("math").(*lua.LTable)
	if !ok {
		return
	}
	rng := &tw223{}
	rng.seed(0)
	lib.RawSetString("random", L.NewFunction(func(L *lua.LState) int {
		d := rng.float()
		switch L.GetTop() {
		case 0:
		case 1:
			// LuaJIT takes the bounds as they are, without truncating or
			// checking them: random(0) is 1 and random(m, n) with m > n
			// counts down from m.
			d = math.Floor(float64(d*float64(L.CheckNumber(1)))) + 1
		default:
			lo, hi := float64(L.CheckNumber(1)), float64(L.CheckNumber(2))
			d = math.Floor(float64(d*(hi-lo+1))) + lo
		}
		L.Push(number(d))
		return 1
	}))
	lib.RawSetString("randomseed", L.NewFunction(func(L *lua.LState) int {
		rng.seed(float64(L.CheckNumber(1)))
		return 0
	}))
}
