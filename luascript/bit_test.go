package luascript

import "testing"

// Expected values are LuaJIT 2.1's.
func TestBitLibrary(t *testing.T) {
	h := load(t, "")
	cases := map[string]string{
		"bit.tobit(0xffffffff)":        "-1",
		"bit.tobit(2^32 + 5)":          "5",
		"bit.tobit(-1)":                "-1",
		"bit.tobit(2.5)":               "2",
		"bit.tobit(3.5)":               "4",
		"bit.bnot(0)":                  "-1",
		"bit.band(0xff, 0x0f, 0x3c)":   "12",
		"bit.bor(1, 2, 4)":             "7",
		"bit.bxor(0xff, 0x0f)":         "240",
		"bit.lshift(1, 31)":            "-2147483648",
		"bit.lshift(1, 33)":            "2",
		"bit.rshift(-1, 28)":           "15",
		"bit.arshift(-256, 4)":         "-16",
		"bit.rol(0x80000001, 1)":       "3",
		"bit.ror(3, 1)":                "-2147483647",
		"bit.bswap(0x12345678)":        "2018915346",
		"bit.tohex(255)":               "000000ff",
		"bit.tohex(255, 2)":            "ff",
		"bit.tohex(255, -4)":           "00FF",
		"bit.tohex(-1)":                "ffffffff",
		"bit.tohex(0x12345678, 12)":    "12345678",
		`bit.band("12", 4)`:            "4",
		"bit.bor(bit.lshift(0xab, 8))": "43776",
	}
	for expr, want := range cases {
		if got := eval(t, h.script.main, expr); got != want {
			t.Errorf("%s = %s, want %s", expr, got, want)
		}
	}
	if err := h.script.main.L.DoString(`bit.band({})`); err == nil {
		t.Error("bit.band accepted a table")
	}
}
