package luascript

import (
	"context"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua gives a coroutine a context derived, when it is created, from
// its creator's context of the moment. That misses two cases: a coroutine
// made at load time keeps the load's context, not the run's a thread state
// gets later; and context.WithCancel never sees a runContext fire, because
// its Done is nil until then. So a loop inside a coroutine ran past the end
// of the run. A coroutine here follows its creator's current context
// instead, so it is interrupted exactly when its creator would be.

// followContext is the context of the state owner, whatever it is now.
type followContext struct {
	owner *lua.LState
}

func (c followContext) current() context.Context {
	if ctx := c.owner.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

func (c followContext) Deadline() (time.Time, bool) { return c.current().Deadline() }
func (c followContext) Done() <-chan struct{}       { return c.current().Done() }
func (c followContext) Err() error                  { return c.current().Err() }
func (c followContext) Value(k any) any             { return c.current().Value(k) }

// openCoroutine wraps coroutine.create and coroutine.wrap so that the
// threads they make follow their creator's context, and coroutine.resume
// so that an interruption inside one is not taken for an ordinary error.
func (st *state) openCoroutine() {
	L := st.L
	lib, ok := L.GetGlobal("coroutine").(*lua.LTable)
	if !ok {
		return
	}
	create, okCreate := lib.RawGetString("create").(*lua.LFunction)
	wrap, okWrap := lib.RawGetString("wrap").(*lua.LFunction)
	resume, okResume := lib.RawGetString("resume").(*lua.LFunction)
	if !okCreate || !okWrap || !okResume || create.GFunction == nil || wrap.GFunction == nil || resume.GFunction == nil {
		return
	}
	// A coroutine interrupted makes resume return false and its error;
	// raising that error instead stops the caller with the position of the
	// loop inside the coroutine, rather than at the caller's next line.
	lib.RawSetString("resume", L.NewFunction(func(L *lua.LState) int {
		n := resume.GFunction(L)
		if n >= 2 && L.Get(-n) == lua.LFalse {
			if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
				L.Error(L.Get(-n+1), 0)
			}
		}
		return n
	}))
	lib.RawSetString("create", L.NewFunction(func(L *lua.LState) int {
		n := create.GFunction(L)
		if co, ok := L.Get(-1).(*lua.LState); ok {
			co.SetContext(followContext{owner: L})
		}
		return n
	}))
	lib.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		n := wrap.GFunction(L)
		if fn, ok := L.Get(-1).(*lua.LFunction); ok && len(fn.Upvalues) > 0 {
			if co, ok := fn.Upvalues[0].Value().(*lua.LState); ok {
				co.SetContext(followContext{owner: L})
			}
		}
		return n
	}))
}
