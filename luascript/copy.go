package luascript

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// copyValue copies v so that dst can own it: thread:get and thread:set move
// values between states that run on different goroutines, so tables are
// rebuilt rather than shared. Nested tables copy deeply, keeping shared
// and cyclic references (wrk's copy crashes on nested tables).
func copyValue(dst *lua.LState, v lua.LValue) (lua.LValue, error) {
	return copyRec(dst, v, nil)
}

func copyRec(dst *lua.LState, v lua.LValue, seen map[*lua.LTable]*lua.LTable) (lua.LValue, error) {
	switch v := v.(type) {
	case *lua.LNilType, lua.LBool, lua.LNumber, lua.LString:
		// Immutable values can be shared.
		return v, nil
	case *lua.LTable:
		if c, ok := seen[v]; ok {
			return c, nil
		}
		if seen == nil {
			seen = make(map[*lua.LTable]*lua.LTable)
		}
		c := dst.CreateTable(v.Len(), 0)
		seen[v] = c
		for k, val := v.Next(lua.LNil); k != lua.LNil; k, val = v.Next(k) {
			ck, err := copyRec(dst, k, seen)
			if err != nil {
				return nil, err
			}
			cv, err := copyRec(dst, val, seen)
			if err != nil {
				return nil, err
			}
			c.RawSet(ck, cv)
		}
		return c, nil
	}
	return nil, fmt.Errorf("cannot transfer '%s' to thread", v.Type().String())
}
