package luascript

import (
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Default module search paths of the LuaJIT 2.1 that Debian's wrk embeds;
// LUA_PATH and LUA_CPATH override them as in LuaJIT, ";;" standing for
// the default.
const (
	defaultPath  = "./?.lua;/usr/share/luajit-2.1.0-beta3/?.lua;/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua"
	defaultCPath = "./?.so;/usr/local/lib/lua/5.1/?.so;/usr/lib/x86_64-linux-gnu/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so"
)

// builtinModules are modules gowrk implements in Go, found by require
// before the search paths: their usual form is a C module, which gowrk
// cannot load.
var builtinModules = map[string]func(st *state) lua.LValue{
	"cjson":      func(st *state) lua.LValue { return st.newCJSON(false) },
	"cjson.safe": func(st *state) lua.LValue { return st.newCJSON(true) },
}

// openPackage sets package.path and package.cpath as LuaJIT does, with the
// script's directory appended so that modules beside the script load
// wherever gowrk is started, and replaces require.
func (st *state) openPackage() {
	L := st.L
	pkg, ok := L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	path := searchPath("LUA_PATH", defaultPath)
	if dir := filepath.Dir(st.script.path); dir != "." {
		path += ";" + filepath.Join(dir, "?.lua") + ";" + filepath.Join(dir, "?", "init.lua")
	}
	pkg.RawSetString("path", lua.LString(path))
	pkg.RawSetString("cpath", lua.LString(searchPath("LUA_CPATH", defaultCPath)))
	L.SetGlobal("require", L.NewFunction(st.require))
}

func searchPath(env, def string) string {
	v, ok := os.LookupEnv(env)
	if !ok {
		return def
	}
	return strings.Replace(v, ";;", ";"+def+";", 1)
}

// require is Lua 5.1's require: package.loaded, package.preload, then the
// built-in modules and the Lua files on package.path. A module found only
// on package.cpath is a C module and fails with one line naming it.
func (st *state) require(L *lua.LState) int {
	name := L.CheckString(1)
	pkg, _ := L.GetGlobal("package").(*lua.LTable)
	if pkg == nil {
		L.RaiseError("'package' table is missing")
	}
	loaded, _ := pkg.RawGetString("loaded").(*lua.LTable)
	if loaded == nil {
		L.RaiseError("'package.loaded' must be a table")
	}
	if v := loaded.RawGetString(name); truthy(v) {
		L.Push(v)
		return 1
	}
	var tried strings.Builder
	var loader lua.LValue
	if preload, ok := pkg.RawGetString("preload").(*lua.LTable); ok {
		loader = preload.RawGetString(name)
	}
	if loader == lua.LNil {
		tried.WriteString("\n\tno field package.preload['" + name + "']")
		if open, ok := builtinModules[name]; ok {
			mod := open(st)
			loaded.RawSetString(name, mod)
			L.Push(mod)
			return 1
		}
		file := st.findModule(L, pkg, "path", name, &tried)
		if file == "" {
			if cfile := st.findModule(L, pkg, "cpath", name, &tried); cfile != "" {
				L.RaiseError("module '%s' is a C module (%s): gowrk runs Lua modules only", name, cfile)
			}
			root, _, _ := strings.Cut(name, ".")
			if cfile := st.findModule(L, pkg, "cpath", root, &tried); root != name && cfile != "" {
				L.RaiseError("module '%s' is in a C module (%s): gowrk runs Lua modules only", name, cfile)
			}
			L.RaiseError("module '%s' not found:%s", name, tried.String())
		}
		src, err := os.ReadFile(file)
		if err != nil {
			L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, file, cError(err.Error()))
		}
		fn, err := compileChunk(L, src, file)
		if err != nil {
			L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, file, err.Error())
		}
		loader = fn
	}
	L.Push(loader)
	L.Push(lua.LString(name))
	L.Call(1, 1)
	if v := L.Get(-1); v != lua.LNil {
		loaded.RawSetString(name, v)
	}
	L.Pop(1)
	if loaded.RawGetString(name) == lua.LNil {
		loaded.RawSetString(name, lua.LTrue)
	}
	L.Push(loaded.RawGetString(name))
	return 1
}

// findModule looks name up on package[field] and returns the first
// readable file, noting the others in tried.
func (st *state) findModule(L *lua.LState, pkg *lua.LTable, field, name string, tried *strings.Builder) string {
	path, ok := pkg.RawGetString(field).(lua.LString)
	if !ok {
		L.RaiseError("'package.%s' must be a string", field)
	}
	rel := strings.ReplaceAll(name, ".", "/")
	for _, tmpl := range strings.Split(string(path), ";") {
		if tmpl == "" {
			continue
		}
		file := strings.ReplaceAll(tmpl, "?", rel)
		if fi, err := os.Stat(file); err == nil && !fi.IsDir() {
			return file
		}
		tried.WriteString("\n\tno file '" + file + "'")
	}
	return ""
}
