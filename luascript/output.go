package luascript

import (
	"io"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// syncWriter serializes writes from the states of one script: thread states
// print while the run is in progress, from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// stdout is one state's view of standard output. gopher-lua's print and io
// library write to the process's os.Stdout directly; these replacements
// write to Options.Stdout instead, so the command and tests decide where
// script output goes.
type stdout struct {
	w *syncWriter
	// file is the userdata scripts see as io.stdout.
	file *lua.LUserData
	// redirected is set once the script points io.output at a real file;
	// io.write then goes through gopher-lua's own implementation.
	redirected bool
	origWrite  lua.LValue
	origOutput lua.LValue
	// line is reused to build each write.
	line []byte
}

// openOutput replaces print, tostring, io.write, io.output and io.stdout.
func (st *state) openOutput() {
	L := st.L
	o := &stdout{w: st.script.out}
	st.out = o
	L.SetGlobal("print", L.NewFunction(st.print))
	L.SetGlobal("tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(toString(L, L.CheckAny(1))))
		return 1
	}))

	ioLib, ok := L.GetGlobal("io").(*lua.LTable)
	if !ok {
		return
	}
	o.origWrite = ioLib.RawGetString("write")
	o.origOutput = ioLib.RawGetString("output")

	st.fileMT = L.NewTable()
	methods := L.NewTable()
	methods.RawSetString("write", L.NewFunction(func(L *lua.LState) int {
		return st.write(L, 2)
	}))
	noop := L.NewFunction(func(L *lua.LState) int { L.Push(lua.LTrue); return 1 })
	methods.RawSetString("flush", noop)
	methods.RawSetString("setvbuf", noop)
	methods.RawSetString("close", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNil)
		L.Push(lua.LString("cannot close standard file"))
		return 2
	}))
	st.fileMT.RawSetString("__index", methods)
	st.fileMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("file (stdout)"))
		return 1
	}))
	o.file = L.NewUserData()
	o.file.Metatable = st.fileMT
	ioLib.RawSetString("stdout", o.file)

	ioLib.RawSetString("write", L.NewFunction(func(L *lua.LState) int {
		if o.redirected {
			return st.forward(o.origWrite)
		}
		return st.write(L, 1)
	}))
	ioLib.RawSetString("output", L.NewFunction(func(L *lua.LState) int {
		switch arg := L.Get(1); {
		case arg == lua.LNil:
			if o.redirected {
				return st.forward(o.origOutput)
			}
			L.Push(o.file)
			return 1
		case arg == o.file:
			o.redirected = false
			L.Push(o.file)
			return 1
		default:
			o.redirected = true
			return st.forward(o.origOutput)
		}
	}))
}

// forward calls fn with the current arguments and returns its results.
func (st *state) forward(fn lua.LValue) int {
	L := st.L
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// print writes its arguments' tostring values separated by tabs as one
// line, in a single write so concurrent threads do not interleave.
func (st *state) print(L *lua.LState) int {
	b := st.out.line[:0]
	top := L.GetTop()
	for i := 1; i <= top; i++ {
		if i > 1 {
			b = append(b, '\t')
		}
		b = appendValue(L, b, L.Get(i))
	}
	b = append(b, '\n')
	_, _ = st.out.w.Write(b)
	st.out.line = b
	return 0
}

// write implements io.write and file:write: strings and numbers only, as
// Lua 5.1 does, and returns the file.
func (st *state) write(L *lua.LState, first int) int {
	b := st.out.line[:0]
	for i := first; i <= L.GetTop(); i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			b = append(b, v...)
		case lua.LNumber:
			b = appendNumber(b, float64(v))
		default:
			L.ArgError(i, "string expected, got "+v.Type().String())
		}
	}
	if len(b) > 0 {
		_, _ = st.out.w.Write(b)
	}
	st.out.line = b
	L.Push(st.out.file)
	return 1
}
