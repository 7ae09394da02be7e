package luascript

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzPattern runs find, match, gmatch and gsub on arbitrary subjects and
// patterns: a bad pattern must be a Lua error, never a Go panic or a hang.
func FuzzPattern(f *testing.F) {
	for _, s := range [][2]string{
		{"hello world", "%f[%a]%a+"},
		{"key=val", "(%w+)=(%w+)"},
		{"x(a(b)c)y", "%b()"},
		{"abab", "(ab)%1"},
		{"[x]", "[]x[]+"},
		{"a.b", "[^%.]-$"},
	} {
		f.Add(s[0], s[1])
	}
	L := lua.NewState()
	defer L.Close()
	var t0 *testing.T
	call := func(fn lua.LGFunction, args ...lua.LValue) {
		L.Push(L.NewFunction(fn))
		for _, a := range args {
			L.Push(a)
		}
		err := L.PCall(len(args), lua.MultRet, nil)
		// PCall turns a Go panic into an error of its own kind.
		if api, ok := err.(*lua.ApiError); ok && api.Type == lua.ApiErrorPanic {
			t0.Fatalf("%q: %v", args, err)
		}
		L.SetTop(0)
	}
	f.Fuzz(func(t *testing.T, subject, pattern string) {
		t0 = t
		if len(subject) > 256 || len(pattern) > 64 || strings.Count(pattern, "*")+strings.Count(pattern, "-") > 6 {
			return // exponential backtracking is Lua's too; keep inputs small
		}
		s, p := lua.LString(subject), lua.LString(pattern)
		call(strFind, s, p)
		call(strMatch, s, p)
		call(strGsub, s, p, lua.LString("<%0>"))
		call(func(L *lua.LState) int {
			L.Push(L.NewFunction(strGmatch))
			L.Push(s)
			L.Push(p)
			L.Call(2, 1)
			it := L.Get(-1)
			for i := 0; i <= len(subject)+1; i++ {
				L.Push(it)
				L.Call(0, 1)
				if L.Get(-1) == lua.LNil {
					break
				}
				L.Pop(1)
			}
			return 0
		})
	})
}
