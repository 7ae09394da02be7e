// Package luascript runs wrk's Lua scripting API on gopher-lua, so scripts
// written for wrk run unmodified under gowrk.
//
// A Script owns one main Lua state, where the file's top level, setup() and
// done() run, and creates one more state per engine thread, where the
// file's top level, init(), delay(), request() and response() run. It
// implements generator.Scripter; each thread's state is guarded by its own
// mutex because the thread's connections share it.
//
// Errors are located: every failure to load or run the script is an *Error
// whose text is "<file>:<line>: <message>" on one line.
package luascript
