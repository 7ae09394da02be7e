package luascript

import "testing"

// The expected values were printed by wrk 4.1 (LuaJIT 2.1) for the same
// calls; TestConformance checks the same against the installed wrk.
func TestRandomMatchesLuaJIT(t *testing.T) {
	h := load(t, "")
	got := eval(t, h.script.main, `(function()
		local t = {}
		for i = 1, 3 do t[#t+1] = string.format("%.17g", math.random()) end
		for i = 1, 3 do t[#t+1] = math.random(100) end
		t[#t+1] = math.random(0); t[#t+1] = math.random(10, 1)
		math.randomseed(42)
		t[#t+1] = string.format("%.17g", math.random())
		return table.concat(t, " ")
	end)()`)
	want := "0.79420629243124097 0.69885246563716397 0.59010374172810343 76 9 67 1 4 0.95607928791821051"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
