package luascript

import (
	"strings"

	"github.com/gowrk/gowrk/generator"
	lua "github.com/yuin/gopher-lua"
)

// Bounds of the per-thread string cache; see responseArgs.intern.
const (
	internMaxLen     = 128
	internMaxEntries = 1024
)

// responseArgs builds the arguments of response(status, headers, body)
// with as few allocations as the Lua values allow.
type responseArgs struct {
	headers *lua.LTable
	// status holds the boxed status numbers already seen.
	status [600]lua.LValue
	// interned maps short header names, values and bodies to Lua strings:
	// responses repeat them, and each new Lua string costs two allocations.
	// It is emptied when full, so values that keep changing (Date) cannot
	// grow it without bound.
	interned map[string]lua.LValue
	empty    lua.LValue
	// meta makes the headers table's lookups ignore case; see init.
	meta *lua.LTable
	// fn is the response function last analysed, and whether it reads its
	// headers and body parameters; see paramsRead.
	fn                    *lua.LFunction
	needHeaders, needBody bool
}

func (r *responseArgs) init(L *lua.LState) {
	r.interned = make(map[string]lua.LValue)
	r.empty = lua.LString("")
	// wrk hands over header names as the server spelled them, so a script
	// written against one server may look up "X-Token" or "x-token".
	// Answering both regardless of case keeps such scripts working whatever
	// the spelling; exact hits never reach __index and cost nothing.
	r.meta = L.NewTable()
	r.meta.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		name, ok := L.Get(2).(lua.LString)
		if ok {
			for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
				if ks, isStr := k.(lua.LString); isStr && strings.EqualFold(string(ks), string(name)) {
					L.Push(v)
					return 1
				}
			}
		}
		L.Push(lua.LNil)
		return 1
	}))
}

func (r *responseArgs) setHeader(k, v []byte) {
	r.headers.RawSetH(r.intern(k), r.intern(v))
}

// intern returns b as a Lua string, shared with earlier calls when short.
func (r *responseArgs) intern(b []byte) lua.LValue {
	if len(b) == 0 {
		return r.empty
	}
	if len(b) > internMaxLen {
		return lua.LString(b)
	}
	if v, ok := r.interned[string(b)]; ok {
		return v
	}
	if len(r.interned) >= internMaxEntries {
		clear(r.interned)
	}
	s := string(b)
	v := lua.LValue(lua.LString(s))
	r.interned[s] = v
	return v
}

func (r *responseArgs) statusValue(code int) lua.LValue {
	if code < 0 || code >= len(r.status) {
		return lua.LNumber(code)
	}
	if r.status[code] == nil {
		r.status[code] = lua.LNumber(code)
	}
	return r.status[code]
}

// Response calls response(status, headers, body) with the response's
// status, its headers (the last of duplicates wins) and its de-chunked body.
func (t *thread) Response(resp *generator.Response) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.st
	L := st.L
	fn, ok := st.function("response")
	if !ok {
		return &Error{File: t.script.path, Msg: "global 'response' is no longer a function"}
	}
	r := &t.resp
	if fn != r.fn {
		used := paramsRead(fn, 3)
		r.fn, r.needHeaders, r.needBody = fn, used[1], used[2]
	}
	L.Push(fn)
	L.Push(r.statusValue(resp.StatusCode()))
	if r.needHeaders {
		r.headers = L.CreateTable(0, 8)
		r.headers.Metatable = r.meta
		for k, v := range resp.Headers() {
			r.setHeader(k, v)
		}
		L.Push(r.headers)
		r.headers = nil
	} else {
		L.Push(lua.LNil)
	}
	if r.needBody {
		L.Push(r.intern(resp.Body()))
	} else {
		L.Push(lua.LNil)
	}
	if err := L.PCall(3, 0, nil); err != nil {
		return st.interrupted(runtimeError(t.script.path, err))
	}
	return nil
}
