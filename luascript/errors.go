package luascript

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Error is a script failure located in a file. Its text is
// "<file>:<line>: <message>" (or "<file>: <message>" when no line applies),
// always on one line, so the command can print it as is.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.File + ": " + e.Msg
}

// located matches the "<file>:<line>: " prefix Lua puts on runtime errors.
var located = regexp.MustCompile(`^(.+?):(\d+): ((?s).*)$`)

// traceLine matches one Lua frame of a gopher-lua stack traceback.
var traceLine = regexp.MustCompile(`^\t(.+?):(\d+): in `)

// oneLine folds a message onto a single line: the command prints errors as
// one line and multi-line messages would break that.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\r", "")), " ")
}

// runtimeError turns an error from a protected Lua call into an *Error.
// Lua usually prefixes the message with its location already; when it does
// not (error() with level 0 or a non-string value), the innermost Lua frame
// of the traceback supplies it, and failing that the script file does.
func runtimeError(file string, err error) error {
	var api *lua.ApiError
	if !errors.As(err, &api) {
		return &Error{File: file, Msg: oneLine(err.Error())}
	}
	msg := "(error object is a " + api.Object.Type().String() + " value)"
	if s, ok := api.Object.(lua.LString); ok {
		msg = string(s)
	} else if api.Object.Type() == lua.LTNumber {
		msg = api.Object.String()
	}
	if m := located.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		return &Error{File: m[1], Line: line, Msg: oneLine(m[3])}
	}
	for _, l := range strings.Split(api.StackTrace, "\n") {
		if m := traceLine.FindStringSubmatch(l); m != nil && m[1] != "[G]" {
			line, _ := strconv.Atoi(m[2])
			return &Error{File: m[1], Line: line, Msg: oneLine(msg)}
		}
	}
	return &Error{File: file, Msg: oneLine(msg)}
}

// compileError turns a parse or compile failure into an *Error. lines is
// the number of lines in the source, used for errors at end of file.
func compileError(file string, lines int, err error) error {
	var perr *parse.Error
	var cerr *lua.CompileError
	switch {
	case errors.As(err, &perr):
		line := perr.Pos.Line
		if line == parse.EOF {
			return &Error{File: file, Line: lines, Msg: oneLine(perr.Message) + " near <eof>"}
		}
		return &Error{File: file, Line: line, Msg: fmt.Sprintf("%s near '%s'", oneLine(perr.Message), perr.Token)}
	case errors.As(err, &cerr):
		return &Error{File: file, Line: cerr.Line, Msg: oneLine(cerr.Message)}
	}
	return &Error{File: file, Msg: oneLine(err.Error())}
}
