package luascript

import (
	lua "github.com/yuin/gopher-lua"
)

// paramsRead reports, for each of the first n parameters of fn, whether
// its body may read it. A response(status) that never looks at its headers
// or body is then called with nil for them, skipping the table of headers
// and the body's string, which are most of the hook's cost; the function
// cannot tell the difference. The scan of the bytecode is conservative:
// any instruction that might read the register counts, and a closure
// capturing it is a MOVE that reads it.
func paramsRead(fn *lua.LFunction, n int) []bool {
	used := make([]bool, n)
	p := fn.Proto
	if p == nil {
		for i := range used {
			used[i] = true
		}
		return used
	}
	for r := 0; r < n; r++ {
		used[r] = r < int(p.NumParameters) && readsRegister(p.Code, r)
	}
	return used
}

// Fields of a gopher-lua instruction: from the top, opcode (6 bits), A
// (8), C (9) and B (9).
func opcode(i uint32) int { return int(i >> 26) }
func argA(i uint32) int   { return int(i>>18) & 0xff }
func argC(i uint32) int   { return int(i>>9) & 0x1ff }
func argB(i uint32) int   { return int(i & 0x1ff) }

// rk reports whether an RK operand names register r (constants have the
// 256 bit set).
func rk(x, r int) bool { return x < 256 && x == r }

func readsRegister(code []uint32, r int) bool {
	for _, inst := range code {
		a, b, c := argA(inst), argB(inst), argC(inst)
		var reads bool
		switch opcode(inst) {
		case lua.OP_MOVE, lua.OP_MOVEN, lua.OP_UNM, lua.OP_NOT, lua.OP_LEN, lua.OP_TESTSET:
			reads = b == r
		case lua.OP_LOADK, lua.OP_LOADBOOL, lua.OP_LOADNIL, lua.OP_GETUPVAL, lua.OP_GETGLOBAL,
			lua.OP_NEWTABLE, lua.OP_JMP, lua.OP_VARARG, lua.OP_NOP, lua.OP_CLOSE, lua.OP_CLOSURE:
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			reads = b == r || rk(c, r)
		case lua.OP_SETGLOBAL, lua.OP_SETUPVAL, lua.OP_TEST:
			reads = a == r
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			reads = a == r || rk(b, r) || rk(c, r)
		case lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW,
			lua.OP_EQ, lua.OP_LT, lua.OP_LE:
			reads = rk(b, r) || rk(c, r)
		case lua.OP_CONCAT:
			reads = b <= r && r <= c
		case lua.OP_CALL, lua.OP_TAILCALL:
			reads = r >= a && (b == 0 || r <= a+b-1)
		case lua.OP_RETURN:
			reads = r >= a && (b == 0 || r <= a+b-2)
		case lua.OP_FORLOOP, lua.OP_FORPREP, lua.OP_TFORLOOP:
			reads = r >= a && r <= a+2
		case lua.OP_SETLIST:
			reads = r >= a && (b == 0 || r <= a+b)
		default:
			reads = true
		}
		if reads {
			return true
		}
	}
	return false
}
