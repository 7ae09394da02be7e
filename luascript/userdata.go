package luascript

import (
	lua "github.com/yuin/gopher-lua"
)

// wrap makes v a userdata of this state with metatable mt: the common form
// of the address, thread and stats objects.
func (st *state) wrap(v any, mt *lua.LTable) *lua.LUserData {
	ud := st.L.NewUserData()
	ud.Value = v
	ud.Metatable = mt
	return ud
}

// checkUserData returns argument n as the T wrapped with metatable mt, or
// raises an argument error naming what was expected.
func checkUserData[T any](st *state, n int, mt *lua.LTable, what string) T {
	if ud, ok := st.L.Get(n).(*lua.LUserData); ok && ud.Metatable == mt {
		if v, ok := ud.Value.(T); ok {
			return v
		}
	}
	st.L.ArgError(n, what+" expected, got "+st.L.Get(n).Type().String())
	var zero T
	return zero
}
