package luascript

import (
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestParamsRead(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []bool
	}{
		{`function f(s, h, b) n = (n or 0) + 1 end`, []bool{false, false, false}},
		{`function f(s, h, b) counts[s] = (counts[s] or 0) + 1 end`, []bool{true, false, false}},
		{`function f(s, h, b) if s ~= 200 then print(h["X"]) end end`, []bool{true, true, false}},
		{`function f(s, h, b) x = #b end`, []bool{false, false, true}},
		{`function f(s, h, b) g = function() return h end end`, []bool{false, true, false}},
		{`function f(s, h, b) print(s, h, b) end`, []bool{true, true, true}},
		{`function f(s, h, b) return b end`, []bool{false, false, true}},
		{`function f(s, h, b) local t = {h} end`, []bool{false, true, false}},
		{`function f(s, h, b) for k, v in pairs(h) do end end`, []bool{false, true, false}},
		{`function f(s, h, b) last = b .. "" end`, []bool{false, false, true}},
		{`function f(s, h, b) h.x = 1 end`, []bool{false, true, false}},
		{`function f(s) end`, []bool{false, false, false}},
		{`function f(s, h, b) local x = h; y = x end`, []bool{false, true, false}},
		{`function f(s, h, b) t[b] = 1 end`, []bool{false, false, true}},
		{`function f(s, h, b) if b then y = 1 end end`, []bool{false, false, true}},
		{`function f(s, h, b) y = b or 1 end`, []bool{false, false, true}},
		{`function f(s, h, b) y = not h end`, []bool{false, true, false}},
		{`function f(s, h, b) return g(h) end`, []bool{false, true, false}},
		{`function f(s, h, b) y = b == "a" end`, []bool{false, false, true}},
		{`function f(s, h, b) y = s + 1 end`, []bool{true, false, false}},
		{`function f(s, h, b) local t = {} t.h = h end`, []bool{false, true, false}},
		{`function f(s, h, b) y = h:lower() end`, []bool{false, true, false}},
		{`function f(...) x = select(2, ...) end`, []bool{false, false, false}},
	} {
		L := lua.NewState()
		if err := L.DoString(tc.src); err != nil {
			t.Fatal(err)
		}
		fn := L.GetGlobal("f").(*lua.LFunction)
		if got := paramsRead(fn, 3); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.src, got, tc.want)
		}
		L.Close()
	}
}
