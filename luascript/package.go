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
// wherever gowrk is started, and replaces require and package.loaders with
// Lua 5.1's: preload, Lua files, then (where LuaJIT loads C modules) the
// built-in modules and a loader that names C modules it cannot load.
// Loaders a script adds to package.loaders are called in turn, as in Lua.
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
	loaders := L.CreateTable(4, 0)
	for _, f := range []lua.LGFunction{st.preloadLoader, st.luaLoader, st.builtinLoader, st.cLoader} {
		loaders.Append(L.NewFunction(f))
	}
	pkg.RawSetString("loaders", loaders)
	L.SetGlobal("require", L.NewFunction(st.require))
}

func searchPath(env, def string) string {
	v, ok := os.LookupEnv(env)
	if !ok {
		return def
	}
	return strings.Replace(v, ";;", ";"+def+";", 1)
}

// packageTable is the package table, or a Lua error.
func packageTable(L *lua.LState) *lua.LTable {
	pkg, _ := L.GetGlobal("package").(*lua.LTable)
	if pkg == nil {
		L.RaiseError("'package' must be a table")
	}
	return pkg
}

// require is Lua 5.1's require over package.loaders.
func (st *state) require(L *lua.LState) int {
	name := L.CheckString(1)
	pkg := packageTable(L)
	loaded, _ := pkg.RawGetString("loaded").(*lua.LTable)
	if loaded == nil {
		L.RaiseError("'package.loaded' must be a table")
	}
	if v := loaded.RawGetString(name); truthy(v) {
		L.Push(v)
		return 1
	}
	loaders, _ := pkg.RawGetString("loaders").(*lua.LTable)
	if loaders == nil {
		L.RaiseError("'package.loaders' must be a table")
	}
	var tried strings.Builder
	var loader lua.LValue
	for i := 1; ; i++ {
		f := loaders.RawGetInt(i)
		if f == lua.LNil {
			L.RaiseError("module '%s' not found:%s", name, tried.String())
		}
		L.Push(f)
		L.Push(lua.LString(name))
		L.Call(1, 1)
		v := L.Get(-1)
		L.Pop(1)
		if fn, ok := v.(*lua.LFunction); ok {
			loader = fn
			break
		}
		if msg, ok := v.(lua.LString); ok {
			tried.WriteString(string(msg))
		}
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

// preloadLoader finds package.preload[name].
func (st *state) preloadLoader(L *lua.LState) int {
	name := L.CheckString(1)
	if preload, ok := packageTable(L).RawGetString("preload").(*lua.LTable); ok {
		if f := preload.RawGetString(name); f != lua.LNil {
			L.Push(f)
			return 1
		}
	}
	L.Push(lua.LString("\n\tno field package.preload['" + name + "']"))
	return 1
}

// luaLoader finds name on package.path and compiles it as scripts are
// compiled.
func (st *state) luaLoader(L *lua.LState) int {
	name := L.CheckString(1)
	var tried strings.Builder
	file := findModule(L, packageTable(L), "path", name, &tried)
	if file == "" {
		L.Push(lua.LString(tried.String()))
		return 1
	}
	fn, err := compileFile(L, file)
	if err != nil {
		L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, file, err.Error())
	}
	L.Push(fn)
	return 1
}

// builtinLoader supplies the modules gowrk implements in Go.
func (st *state) builtinLoader(L *lua.LState) int {
	open, ok := builtinModules[L.CheckString(1)]
	if !ok {
		L.Push(lua.LString(""))
		return 1
	}
	L.Push(L.NewFunction(func(L *lua.LState) int {
		L.Push(open(st))
		return 1
	}))
	return 1
}

// cLoader looks for name, and for the module its name starts with, on
// package.cpath: one found is a C module, which fails with one line.
func (st *state) cLoader(L *lua.LState) int {
	name := L.CheckString(1)
	pkg := packageTable(L)
	var tried strings.Builder
	if file := findModule(L, pkg, "cpath", name, &tried); file != "" {
		L.RaiseError("module '%s' is a C module (%s): gowrk runs Lua modules only", name, file)
	}
	if root, _, _ := strings.Cut(name, "."); root != name {
		if file := findModule(L, pkg, "cpath", root, &tried); file != "" {
			L.RaiseError("module '%s' is in a C module (%s): gowrk runs Lua modules only", name, file)
		}
	}
	L.Push(lua.LString(tried.String()))
	return 1
}

// findModule looks name up on package[field] and returns the first
// readable file, noting the others in tried.
func findModule(L *lua.LState, pkg *lua.LTable, field, name string, tried *strings.Builder) string {
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
