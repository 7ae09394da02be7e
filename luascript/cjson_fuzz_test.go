package luascript

import (
	"encoding/json"
	"regexp"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

var surrogate = regexp.MustCompile(`(?i)\\ud[89a-f]`)

// FuzzCJSONDecode decodes arbitrary input with cjson.decode: never a Go
// panic; whatever encoding/json accepts (numbers aside, which lua-cjson
// reads more loosely) decodes, and what decodes encodes again.
func FuzzCJSONDecode(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\u00e9\ud83d\ude00"`, `[1e5,-0.5,true]`, `{}`, `[[[]]]`} {
		f.Add(s)
	}
	h := load(f, `cjson = require "cjson"`)
	L := h.script.main.L
	mod := L.GetGlobal("cjson").(*lua.LTable)
	decode, encode := mod.RawGetString("decode"), mod.RawGetString("encode")
	f.Fuzz(func(t *testing.T, in string) {
		L.Push(decode)
		L.Push(lua.LString(in))
		err := L.PCall(1, 1, nil)
		if api, ok := err.(*lua.ApiError); ok && api.Type == lua.ApiErrorPanic {
			t.Fatalf("%q: %v", in, err)
		}
		var v any
		if err != nil {
			L.SetTop(0)
			// lua-cjson rejects lone surrogates, which encoding/json replaces.
			if json.Unmarshal([]byte(in), &v) == nil && !surrogate.MatchString(in) {
				t.Fatalf("%q: valid JSON rejected: %v", in, err)
			}
			return
		}
		decoded := L.Get(-1)
		L.SetTop(0)
		L.Push(encode)
		L.Push(decoded)
		if err := L.PCall(1, 1, nil); err != nil {
			if api, ok := err.(*lua.ApiError); ok && api.Type == lua.ApiErrorPanic {
				t.Fatalf("%q: %v", in, err)
			}
		}
		L.SetTop(0)
	})
}
