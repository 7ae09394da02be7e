package luascript

import (
	lua "github.com/yuin/gopher-lua"
)

// newThreadMeta is the metatable of thread objects: thread.addr (get a
// copy, set an address), thread:get(name), thread:set(name, value) and
// thread:stop().
func (st *state) newThreadMeta() *lua.LTable {
	L := st.L
	st.threadGet = L.NewFunction(st.threadGetFn)
	st.threadSet = L.NewFunction(st.threadSetFn)
	st.threadStop = L.NewFunction(func(L *lua.LState) int {
		st.checkThread(1).ctl.Stop()
		return 0
	})
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		t := st.checkThread(1)
		switch L.CheckString(2) {
		case "addr":
			L.Push(st.newAddr(t.Addr()))
		case "id":
			L.Push(lua.LNumber(t.id))
		case "get":
			L.Push(st.threadGet)
		case "set":
			L.Push(st.threadSet)
		case "stop":
			L.Push(st.threadStop)
		default:
			L.Push(lua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		t := st.checkThread(1)
		if key := L.CheckString(2); key != "addr" {
			// id too is read-only: it names the thread across shards.
			L.RaiseError("cannot set '%s' on thread", key)
		}
		t.setAddr(st.checkAddr(3))
		return 0
	}))
	mt.RawSetString("__metatable", lua.LString("wrk.thread"))
	return mt
}

// newThread wraps t in a thread object of this state.
func (st *state) newThread(t *thread) *lua.LUserData {
	return st.wrap(t, st.threadMT)
}

func (st *state) checkThread(n int) *thread {
	return checkUserData[*thread](st, n, st.threadMT, "thread")
}

// withThreadState runs f on t's state. From the main state that takes the
// thread's lock; from the thread's own state (wrk.thread) the lock is
// already held by the hook being run, so taking it again would deadlock.
func (st *state) withThreadState(t *thread, f func(ts *lua.LState) error) error {
	if t.st == st {
		return f(st.L)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return f(t.st.L)
}

// threadGetFn is thread:get(name): a copy of the thread's global name.
func (st *state) threadGetFn(L *lua.LState) int {
	t := st.checkThread(1)
	name := L.CheckString(2)
	var v lua.LValue
	err := st.withThreadState(t, func(ts *lua.LState) error {
		var err error
		v, err = copyValue(L, ts.GetGlobal(name))
		return err
	})
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	L.Push(v)
	return 1
}

// threadSetFn is thread:set(name, value): sets the thread's global name to
// a copy of value.
func (st *state) threadSetFn(L *lua.LState) int {
	t := st.checkThread(1)
	name := L.CheckString(2)
	value := L.Get(3)
	err := st.withThreadState(t, func(ts *lua.LState) error {
		v, err := copyValue(ts, value)
		if err == nil {
			ts.SetGlobal(name, v)
		}
		return err
	})
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	return 0
}
