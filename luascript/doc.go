// Package luascript runs wrk's Lua scripting API on gopher-lua, so scripts
// written for wrk run unmodified under gowrk.
//
// A Script owns one main Lua state, where the file's top level, setup() and
// done() run, and creates one more state per engine thread, where the
// file's top level, init(), delay(), request() and response() run. It
// implements generator.Scripter; each thread's state is guarded by its own
// mutex because the thread's connections share it.
//
// Beyond gopher-lua's Lua 5.1, every state has what wrk scripts rely on from
// LuaJIT 2.1 and wrk: the wrk table and its functions, the bit library,
// LuaJIT's math.random generator and default seed, os.date with every
// strftime conversion, LuaJIT's string escapes, string.format, patterns
// (with %f), tonumber, load, collectgarbage and file read formats,
// package.path as LuaJIT's plus the script's directory, built-in cjson,
// and print, io.write and tostring as in C Lua, output going to
// Options.Stdout. testdata/conformance.lua probes all of it against wrk.
//
// Hooks run under the run's cancellation: one that never returns is
// interrupted when the run ends (or at Ctrl-C, through Options.Context and
// SetContext) with "<file>:<line>: interrupted".
//
// Deliberate differences from wrk:
//   - Errors are fatal and located: every failure to load or run the script,
//     and a request() result that is not valid HTTP, is an *Error whose text
//     is "<file>:<line>: <message>" on one line. wrk prints and carries on.
//   - Every request() result is validated and counted, so a script may
//     change how many requests it pipelines. wrk instead checks one extra
//     request() call made at startup on the first thread, which shifts that
//     thread's counters by one; gowrk makes no such call.
//   - thread:set and thread:get copy nested tables deeply; wrk crashes.
//   - A failed wrk.lookup raises a Lua error instead of exiting.
//   - Host and Content-Length are matched ignoring case, so a lowercase
//     "host" header is not sent twice; response() header lookups ignore
//     case too.
//
// Known differences: runtime error messages are gopher-lua's wording, and
// the .. operator formats numbers with gopher-lua's code (0.1+0.2 gives
// 0.30000000000000004, not 0.3); the README lists them all.
package luascript
