package luascript

import (
	lua "github.com/yuin/gopher-lua"
)

// state is one Lua state with wrk's environment installed: the standard
// libraries, bit, the wrk table, and output bound to the script's writer.
type state struct {
	L      *lua.LState
	script *Script
	// wrk is the table the script sees as the global wrk; kept directly
	// because wrk's own functions refer to their module table, not to
	// whatever the global name holds later.
	wrk *lua.LTable

	// Metatables of the userdata kinds, one set per state.
	addrMT, threadMT, statsMT, fileMT *lua.LTable
	// Methods handed out by the thread object's __index.
	threadGet, threadSet, threadStop *lua.LFunction

	// fmtBuf is reused by wrk.format and string.format between calls,
	// concatBuf by table.concat.
	fmtBuf, concatBuf []byte
	// contentLength caches the last Content-Length value pushed by
	// wrk.format, because bodies usually keep their length.
	contentLength    int
	contentLengthVal lua.LValue

	out *stdout

	// cjson's null, empty_array and metatables, shared by its instances.
	cjsonNull, cjsonEmptyArray      *lua.LUserData
	cjsonArrayMT, cjsonEmptyArrayMT *lua.LTable
}

// library is a standard library and the function that opens it.
type library struct {
	name string
	open lua.LGFunction
}

// libraries are the standard libraries LuaJIT opens for wrk, minus jit and
// ffi which have no gopher-lua counterpart; bit is added separately.
func libraries() []library {
	return []library{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.IoLibName, lua.OpenIo},
		{lua.OsLibName, lua.OpenOs},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.DebugLibName, lua.OpenDebug},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	}
}

// newState builds a state for s and runs the script's top level in it.
func newState(s *Script) (*state, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	st := &state{L: L, script: s, contentLength: -1}
	for _, lib := range libraries() {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	st.openBit()
	st.openOutput()
	st.openFormat()
	st.openRandom()
	st.openStdlib()
	st.openPackage()
	st.openFast()
	st.openCoroutine()
	st.addrMT = st.newAddrMeta()
	st.threadMT = st.newThreadMeta()
	st.statsMT = st.newStatsMeta()
	st.openWrk()

	// Until a thread state gets its run's context, Ctrl-C at load time
	// interrupts the top level.
	L.SetContext(s.ctx)
	L.Push(L.NewFunctionFromProto(s.proto))
	if err := L.PCall(0, 0, nil); err != nil {
		err = st.interrupted(runtimeError(s.path, err))
		L.Close()
		return nil, err
	}
	return st, nil
}

// call runs fn with args in protected mode and returns its nret results
// popped off the stack; a Lua error becomes a located *Error.
func (st *state) call(fn lua.LValue, nret int, args ...lua.LValue) ([]lua.LValue, error) {
	L := st.L
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), nret, nil); err != nil {
		return nil, st.interrupted(runtimeError(st.script.path, err))
	}
	if nret == 0 {
		return nil, nil
	}
	ret := make([]lua.LValue, nret)
	for i := range ret {
		ret[i] = L.Get(-nret + i)
	}
	L.Pop(nret)
	return ret, nil
}

// function returns the global name when it holds a function.
func (st *state) function(name string) (*lua.LFunction, bool) {
	fn, ok := st.L.GetGlobal(name).(*lua.LFunction)
	return fn, ok
}

func (st *state) close() { st.L.Close() }
