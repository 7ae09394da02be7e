package luascript

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openFiles adapts gopher-lua's io library to LuaJIT's: read takes the 5.2
// style formats ("n", "l", "L", "a", with or without "*", and the long
// "*number", "*line") and "*L"; close called with a dot and no file
// closes the default output as in LuaJIT instead of raising; io.open's
// error text is the C library's ("name: No such file or directory").
func (st *state) openFiles() {
	L := st.L
	mt, ok := L.GetTypeMetatable("FILE*").(*lua.LTable)
	if !ok {
		return
	}
	methods, ok := mt.RawGetString("__index").(*lua.LTable)
	if !ok {
		return
	}
	read := methods.RawGetString("read")
	closeFn := methods.RawGetString("close")
	methods.RawSetString("read", L.NewFunction(func(L *lua.LState) int {
		return st.read(read, L.Get(1), 2)
	}))
	methods.RawSetString("close", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() == 0 {
			return st.closeDefault(closeFn)
		}
		return st.forward(closeFn)
	}))
	ioLib, ok := L.GetGlobal("io").(*lua.LTable)
	if !ok {
		return
	}
	ioRead := ioLib.RawGetString("read")
	ioInput := ioLib.RawGetString("input")
	ioLib.RawSetString("read", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() == 0 {
			return st.forward(ioRead)
		}
		L.Push(ioInput)
		L.Call(0, 1)
		in := L.Get(-1)
		L.Pop(1)
		return st.read(read, in, 1)
	}))
	open := ioLib.RawGetString("open")
	ioLib.RawSetString("open", L.NewFunction(func(L *lua.LState) int {
		n := st.forward(open)
		if n >= 2 && L.Get(-n) == lua.LNil {
			if msg, ok := L.Get(-n + 1).(lua.LString); ok {
				L.Replace(-n+1, lua.LString(cError(string(msg))))
			}
		}
		return n
	}))
}

// closeDefault is f.close() without a file: LuaJIT closes the default
// output, which is standard output unless io.output changed it.
func (st *state) closeDefault(closeFn lua.LValue) int {
	L := st.L
	out := st.out
	if !out.redirected {
		L.Push(lua.LNil)
		L.Push(lua.LString("cannot close standard file"))
		return 2
	}
	L.Push(out.origOutput)
	L.Call(0, 1)
	f := L.Get(-1)
	L.Pop(1)
	top := L.GetTop()
	L.Push(closeFn)
	L.Push(f)
	L.Call(1, lua.MultRet)
	return L.GetTop() - top
}

// read reads the formats from the arguments starting at first, one at a
// time through gopher-lua's read, stopping at the first that fails.
func (st *state) read(read, file lua.LValue, first int) int {
	L := st.L
	top := L.GetTop()
	if top < first {
		L.Push(read)
		L.Push(file)
		L.Call(1, 1)
		return 1
	}
	n := 0
	for i := first; i <= top; i++ {
		arg := L.Get(i)
		format, isString := arg.(lua.LString)
		var v lua.LValue
		if isString && readFormat(string(format)) == 'L' {
			v = st.readLineKeep(read, file)
		} else {
			if isString {
				arg = lua.LString("*" + string(readFormat(string(format))))
			}
			L.Push(read)
			L.Push(file)
			L.Push(arg)
			L.Call(2, 1)
			v = L.Get(-1)
			L.Pop(1)
		}
		L.Push(v)
		n++
		if v == lua.LNil {
			break
		}
	}
	return n
}

// readFormat is the letter a read format stands for: "*number", "n" and
// "*n" are all 'n'. An unknown one is passed on for gopher-lua to reject.
func readFormat(f string) byte {
	f = strings.TrimPrefix(f, "*")
	if f == "" {
		return 0
	}
	switch f[0] {
	case 'n', 'l', 'L', 'a':
		return f[0]
	}
	return f[0]
}

// readLineKeep is the "L" format: a line with its end of line.
func (st *state) readLineKeep(read, file lua.LValue) lua.LValue {
	L := st.L
	var b []byte
	one := lua.LNumber(1)
	for {
		L.Push(read)
		L.Push(file)
		L.Push(one)
		L.Call(2, 1)
		v := L.Get(-1)
		L.Pop(1)
		s, ok := v.(lua.LString)
		if !ok || s == "" {
			if b == nil {
				return lua.LNil
			}
			return lua.LString(b)
		}
		b = append(b, s...)
		if s == "\n" {
			return lua.LString(b)
		}
	}
}

// cError turns a Go file error text ("open x: no such file or directory")
// into the C library's ("x: No such file or directory").
func cError(msg string) string {
	for _, op := range []string{"open ", "stat "} {
		msg = strings.TrimPrefix(msg, op)
	}
	name, reason, ok := strings.Cut(msg, ": ")
	if !ok || reason == "" {
		return msg
	}
	return name + ": " + strings.ToUpper(reason[:1]) + reason[1:]
}
