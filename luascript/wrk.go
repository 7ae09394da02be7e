package luascript

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openWrk installs the wrk table (global wrk, also require "wrk") with the
// URL's parts, the -H headers and wrk's functions.
func (st *state) openWrk() {
	L := st.L
	s := st.script
	w := L.NewTable()
	w.RawSetString("scheme", lua.LString(s.scheme))
	w.RawSetString("host", lua.LString(s.host))
	if s.port != "" {
		w.RawSetString("port", lua.LString(s.port))
	}
	method := s.method
	if method == "" {
		method = "GET"
	}
	w.RawSetString("method", lua.LString(method))
	if s.body != nil {
		w.RawSetString("body", lua.LString(s.body))
	}
	w.RawSetString("path", lua.LString(s.reqPath))
	headers := L.NewTable()
	for _, h := range s.headers {
		headers.RawSetString(h.Name, lua.LString(h.Value))
	}
	w.RawSetString("headers", headers)
	w.RawSetString("format", L.NewFunction(st.format))
	w.RawSetString("lookup", L.NewFunction(st.lookup))
	w.RawSetString("connect", L.NewFunction(st.connect))
	L.SetGlobal("wrk", w)
	if loaded, ok := L.GetField(L.GetGlobal("package"), "loaded").(*lua.LTable); ok {
		loaded.RawSetString("wrk", w)
	}
	st.wrk = w
}

// format is wrk.format(method, path, headers, body). Like wrk's, missing
// arguments fall back to the wrk table's fields, and the headers table it
// is given gains Host (when missing) and Content-Length (or loses it when
// there is no body). It runs for every request of counter-style scripts,
// hence Go, one pass over the headers and one reused buffer instead of
// wrk's Lua; the header order is the table's, which wrk leaves unspecified.
func (st *state) format(L *lua.LState) int {
	w := st.wrk
	method := orField(L, 1, w, "method")
	path := orField(L, 2, w, "path")
	hv := orField(L, 3, w, "headers")
	body := orField(L, 4, w, "body")
	headers, ok := hv.(*lua.LTable)
	if !ok {
		L.ArgError(3, "table expected, got "+hv.Type().String())
	}
	var bodyStr string
	hasBody := false
	switch b := body.(type) {
	case lua.LString:
		bodyStr, hasBody = string(b), true
	case lua.LNumber:
		bodyStr, hasBody = toString(L, b), true
	default:
		if truthy(body) {
			L.ArgError(4, "string expected, got "+body.Type().String())
		}
	}

	b := st.fmtBuf[:0]
	b = appendValue(L, b, method)
	b = append(b, ' ')
	b = appendValue(L, b, path)
	b = append(b, " HTTP/1.1\r\n"...)
	// Host and Content-Length are matched ignoring case (wrk matches the
	// exact spelling only): a lowercase one is not sent twice.
	hasHost := false
	clKey := ""
	for k, v := headers.Next(lua.LNil); k != lua.LNil; k, v = headers.Next(k) {
		if ks, ok := k.(lua.LString); ok {
			switch {
			case len(ks) == len("content-length") && strings.EqualFold(string(ks), "content-length"):
				clKey = string(ks)
				continue // written below from the body
			case len(ks) == len("host") && strings.EqualFold(string(ks), "host"):
				if !truthy(v) {
					continue
				}
				hasHost = true
			}
		}
		b = appendHeader(L, b, k, v)
	}
	if !hasHost {
		if host := st.defaultHost(); host != lua.LNil {
			L.SetField(headers, "Host", host)
			b = appendHeader(L, b, lua.LString("Host"), host)
		}
	}
	if clKey == "" {
		clKey = "Content-Length"
	}
	if hasBody {
		n := st.lengthValue(len(bodyStr))
		L.SetField(headers, clKey, n)
		b = appendHeader(L, b, lua.LString(clKey), n)
	} else {
		L.SetField(headers, clKey, lua.LNil)
	}
	b = append(b, "\r\n"...)
	b = append(b, bodyStr...)
	st.fmtBuf = b
	L.Push(lua.LString(b))
	return 1
}

// appendHeader appends one "name: value" line.
func appendHeader(L *lua.LState, b []byte, k, v lua.LValue) []byte {
	b = appendValue(L, b, k)
	b = append(b, ": "...)
	b = appendValue(L, b, v)
	return append(b, "\r\n"...)
}

// orField is Lua's "arg or wrk.field".
func orField(L *lua.LState, n int, w *lua.LTable, field string) lua.LValue {
	if v := L.Get(n); truthy(v) {
		return v
	}
	return w.RawGetString(field)
}

// lengthValue boxes n as a Lua number, reusing the last one: boxing
// allocates, and a script's bodies usually keep their length.
func (st *state) lengthValue(n int) lua.LValue {
	if n != st.contentLength {
		st.contentLength = n
		st.contentLengthVal = lua.LNumber(n)
	}
	return st.contentLengthVal
}

// findHeader looks name up in a headers table, exactly first and then
// ignoring case, and returns the key it is stored under ("" when absent).
// wrk matches only the exact spelling; ignoring case is the fix that keeps a
// lowercase host or content-length from being sent twice.
func findHeader(L *lua.LState, headers *lua.LTable, name string) (string, lua.LValue) {
	if v := L.GetField(headers, name); v != lua.LNil {
		return name, v
	}
	for k, v := headers.Next(lua.LNil); k != lua.LNil; k, v = headers.Next(k) {
		if ks, ok := k.(lua.LString); ok && strings.EqualFold(string(ks), name) {
			return string(ks), v
		}
	}
	return "", lua.LNil
}

// defaultHost is the Host header wrk.format adds when a request has none:
// the one in wrk.headers, else the one wrk's init would have set.
func (st *state) defaultHost() lua.LValue {
	if headers, ok := st.wrk.RawGetString("headers").(*lua.LTable); ok {
		if _, v := findHeader(st.L, headers, "Host"); truthy(v) {
			return v
		}
	}
	return st.urlHost()
}

// urlHost is wrk's automatic Host value built from wrk.host and wrk.port,
// with brackets around an IPv6 address.
func (st *state) urlHost() lua.LValue {
	hv := st.wrk.RawGetString("host")
	if !truthy(hv) {
		return lua.LNil
	}
	host := toString(st.L, hv)
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := st.wrk.RawGetString("port"); truthy(port) {
		host += ":" + toString(st.L, port)
	}
	return lua.LString(host)
}

// addHost gives wrk.headers a Host header unless it has one in any case,
// as wrk's init does before calling the script's init.
func (st *state) addHost() {
	headers, ok := st.wrk.RawGetString("headers").(*lua.LTable)
	if !ok {
		return
	}
	if _, v := findHeader(st.L, headers, "Host"); truthy(v) {
		return
	}
	if host := st.urlHost(); host != lua.LNil {
		st.L.SetField(headers, "Host", host)
	}
}
