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
// LuaJIT and wrk: the wrk table and its functions, the bit library, and
// print, io.write, tostring and string.format behaving as in C Lua (numbers
// as "%.14g", "%s" honouring __tostring) with output going to
// Options.Stdout.
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
// Known difference: gopher-lua's own number-to-string conversion (the ..
// operator) prints non-integral numbers with Go's shortest representation
// (0.1+0.2 gives 0.30000000000000004, not 0.3); tostring, print, io.write
// and string.format are not affected.
package luascript
