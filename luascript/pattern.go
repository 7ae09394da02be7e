package luascript

import (
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1 patterns, with the %f frontier that LuaJIT supports and
// gopher-lua's pattern engine lacks, for string.find, match, gmatch and
// gsub. The matcher backtracks over the subject as the reference
// implementation's does, so results, captures and errors are the same.

const (
	maxCaptures   = 32
	capUnfinished = -1
	capPosition   = -2
	maxMatchDepth = 200
)

type capture struct{ init, len int }

type matcher struct {
	L     *lua.LState
	src   string
	pat   string
	level int
	depth int
	caps  [maxCaptures]capture
}

func (m *matcher) errorf(format string, args ...any) {
	libError(m.L, fmt.Sprintf(format, args...))
}

// libError raises msg as a library function of LuaJIT does: located at
// the calling line when a Lua function called it, bare when a Go function
// such as pcall did.
func libError(L *lua.LState, msg string) {
	if dbg, ok := L.GetStack(1); ok {
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.CurrentLine > 0 {
			msg = dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": " + msg
		}
	}
	L.Error(lua.LString(msg), 0)
}

// classEnd returns the index just past the single-character class at p.
func (m *matcher) classEnd(p int) int {
	pat := m.pat
	c := pat[p]
	p++
	switch c {
	case '%':
		if p >= len(pat) {
			m.errorf("malformed pattern (ends with '%%')")
		}
		return p + 1
	case '[':
		if p < len(pat) && pat[p] == '^' {
			p++
		}
		for {
			// The first ']' of a set is a member, not its end.
			if p >= len(pat) {
				m.errorf("malformed pattern (missing ']')")
			}
			c := pat[p]
			p++
			if c == '%' {
				if p >= len(pat) {
					m.errorf("malformed pattern (missing ']')")
				}
				p++
			}
			if p < len(pat) && pat[p] == ']' {
				return p + 1
			}
			if p >= len(pat) {
				m.errorf("malformed pattern (missing ']')")
			}
		}
	}
	return p
}

// classMatches is %x for class letter cl against byte c, in the C locale.
func classMatches(c byte, cl byte) bool {
	var res bool
	switch cl | 0x20 {
	case 'a':
		res = isAlpha(c)
	case 'c':
		res = c < 32 || c == 127
	case 'd':
		res = c >= '0' && c <= '9'
	case 'l':
		res = c >= 'a' && c <= 'z'
	case 'p':
		res = isPunct(c)
	case 's':
		res = c == ' ' || c >= '\t' && c <= '\r'
	case 'u':
		res = c >= 'A' && c <= 'Z'
	case 'w':
		res = isAlpha(c) || c >= '0' && c <= '9'
	case 'x':
		res = isHex(c)
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if cl >= 'A' && cl <= 'Z' {
		return !res
	}
	return res
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isPunct(c byte) bool {
	return c > 32 && c < 127 && !isAlpha(c) && !(c >= '0' && c <= '9')
}

// setMatches matches c against the set pat[p:ep], p on its '[' and ep-1
// on its ']'.
func (m *matcher) setMatches(c byte, p, ep int) bool {
	pat := m.pat
	neg := false
	p++
	if pat[p] == '^' {
		neg = true
		p++
	}
	for ep--; p < ep; p++ {
		switch {
		case pat[p] == '%' && p+1 < ep:
			p++
			if classMatches(c, pat[p]) {
				return !neg
			}
		case p+2 < ep && pat[p+1] == '-':
			if pat[p] <= c && c <= pat[p+2] {
				return !neg
			}
			p += 2
		case pat[p] == c:
			return !neg
		}
	}
	return neg
}

func (m *matcher) singleMatch(s, p, ep int) bool {
	if s >= len(m.src) {
		return false
	}
	c := m.src[s]
	switch m.pat[p] {
	case '.':
		return true
	case '%':
		return classMatches(c, m.pat[p+1])
	case '[':
		return m.setMatches(c, p, ep)
	}
	return m.pat[p] == c
}

// match returns the end of a match of pat[p:] at src[s:], or -1.
func (m *matcher) match(s, p int) int {
	m.depth++
	if m.depth > maxMatchDepth {
		m.errorf("pattern too complex")
	}
	defer func() { m.depth-- }()
	for {
		if p == len(m.pat) {
			return s
		}
		switch m.pat[p] {
		case '(':
			if p+1 < len(m.pat) && m.pat[p+1] == ')' {
				return m.startCapture(s, p+2, capPosition)
			}
			return m.startCapture(s, p+1, capUnfinished)
		case ')':
			return m.endCapture(s, p+1)
		case '$':
			if p+1 == len(m.pat) {
				if s == len(m.src) {
					return s
				}
				return -1
			}
		case '%':
			if p+1 < len(m.pat) {
				switch next := m.pat[p+1]; {
				case next == 'b':
					s = m.balance(s, p+2)
					if s == -1 {
						return -1
					}
					p += 4
					continue
				case next == 'f':
					p += 2
					if p >= len(m.pat) || m.pat[p] != '[' {
						m.errorf("missing '[' after '%%f' in pattern")
					}
					ep := m.classEnd(p)
					var prev, cur byte
					if s > 0 {
						prev = m.src[s-1]
					}
					if s < len(m.src) {
						cur = m.src[s]
					}
					if m.setMatches(prev, p, ep) || !m.setMatches(cur, p, ep) {
						return -1
					}
					p = ep
					continue
				case next >= '0' && next <= '9':
					s = m.matchCapture(s, next)
					if s == -1 {
						return -1
					}
					p += 2
					continue
				}
			}
		}
		ep := m.classEnd(p)
		ok := m.singleMatch(s, p, ep)
		if ep < len(m.pat) {
			switch m.pat[ep] {
			case '?':
				if ok {
					if r := m.match(s+1, ep+1); r != -1 {
						return r
					}
				}
				p = ep + 1
				continue
			case '*':
				return m.maxExpand(s, p, ep)
			case '+':
				if !ok {
					return -1
				}
				return m.maxExpand(s+1, p, ep)
			case '-':
				return m.minExpand(s, p, ep)
			}
		}
		if !ok {
			return -1
		}
		s++
		p = ep
	}
}

func (m *matcher) maxExpand(s, p, ep int) int {
	i := 0
	for m.singleMatch(s+i, p, ep) {
		i++
	}
	for ; i >= 0; i-- {
		if r := m.match(s+i, ep+1); r != -1 {
			return r
		}
	}
	return -1
}

func (m *matcher) minExpand(s, p, ep int) int {
	for {
		if r := m.match(s, ep+1); r != -1 {
			return r
		}
		if !m.singleMatch(s, p, ep) {
			return -1
		}
		s++
	}
}

func (m *matcher) startCapture(s, p, what int) int {
	if m.level >= maxCaptures {
		m.errorf("too many captures")
	}
	m.caps[m.level] = capture{s, what}
	m.level++
	r := m.match(s, p)
	if r == -1 {
		m.level--
	}
	return r
}

func (m *matcher) endCapture(s, p int) int {
	l := -1
	for i := m.level - 1; i >= 0; i-- {
		if m.caps[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		m.errorf("invalid pattern capture")
	}
	m.caps[l].len = s - m.caps[l].init
	r := m.match(s, p)
	if r == -1 {
		m.caps[l].len = capUnfinished
	}
	return r
}

func (m *matcher) balance(s, p int) int {
	if p+1 >= len(m.pat) {
		m.errorf("unbalanced pattern")
	}
	if s >= len(m.src) || m.src[s] != m.pat[p] {
		return -1
	}
	open, closing := m.pat[p], m.pat[p+1]
	depth := 1
	for i := s + 1; i < len(m.src); i++ {
		switch m.src[i] {
		case closing:
			depth--
			if depth == 0 {
				return i + 1
			}
		case open:
			depth++
		}
	}
	return -1
}

func (m *matcher) matchCapture(s int, digit byte) int {
	l := int(digit - '1')
	if l < 0 || l >= m.level || m.caps[l].len == capUnfinished {
		m.errorf("invalid capture index")
	}
	c := m.caps[l]
	if c.len < 0 {
		return -1
	}
	if len(m.src)-s >= c.len && m.src[c.init:c.init+c.len] == m.src[s:s+c.len] {
		return s + c.len
	}
	return -1
}

// captureValue is capture i of a match of src[s:e].
func (m *matcher) captureValue(i, s, e int) lua.LValue {
	if i >= m.level {
		if i != 0 {
			m.errorf("invalid capture index")
		}
		return lua.LString(m.src[s:e])
	}
	c := m.caps[i]
	switch c.len {
	case capUnfinished:
		m.errorf("unfinished capture")
	case capPosition:
		return number(float64(c.init + 1))
	}
	return lua.LString(m.src[c.init : c.init+c.len])
}

// pushCaptures pushes the captures of a match (the whole match when there
// are none and whole is set) and returns how many it pushed.
func (m *matcher) pushCaptures(s, e int, whole bool) int {
	n := m.level
	if n == 0 && whole {
		n = 1
	}
	for i := 0; i < n; i++ {
		m.L.Push(m.captureValue(i, s, e))
	}
	return n
}

// startIndex converts a Lua init argument to a 0-based offset.
func startIndex(init, n int) int {
	if init < 0 {
		init += n + 1
	}
	if init < 1 {
		init = 1
	}
	return init - 1
}

const patternSpecials = "^$*+?.([%-"

func strFind(L *lua.LState) int  { return findAux(L, true) }
func strMatch(L *lua.LState) int { return findAux(L, false) }

func findAux(L *lua.LState, find bool) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	// LuaJIT starts past the end at the end, where only an empty pattern
	// matches.
	init := min(startIndex(L.OptInt(3, 1), len(src)), len(src))
	if find && (truthy(L.Get(4)) || !strings.ContainsAny(pat, patternSpecials)) {
		if i := strings.Index(src[init:], pat); i >= 0 {
			L.Push(number(float64(init + i + 1)))
			L.Push(number(float64(init + i + len(pat))))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	m := &matcher{L: L, src: src}
	p := 0
	anchor := len(pat) > 0 && pat[0] == '^'
	if anchor {
		p = 1
	}
	m.pat = pat
	for s := init; ; s++ {
		m.level = 0
		if e := m.match(s, p); e != -1 {
			if find {
				L.Push(number(float64(s + 1)))
				L.Push(number(float64(e)))
				return m.pushCaptures(-1, -1, false) + 2
			}
			return m.pushCaptures(s, e, true)
		}
		if anchor || s >= len(src) {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

func strGmatch(L *lua.LState) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		m := &matcher{L: L, src: src, pat: pat}
		for s := pos; s <= len(src); s++ {
			m.level = 0
			if e := m.match(s, 0); e != -1 {
				pos = e
				if e == s {
					pos = e + 1 // an empty match moves on by one
				}
				return m.pushCaptures(s, e, true)
			}
		}
		pos = len(src) + 1
		return 0
	}))
	return 1
}

func strGsub(L *lua.LState) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTTable, lua.LTFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	maxN := len(src) + 1
	if L.GetTop() >= 4 && L.Get(4) != lua.LNil {
		maxN = L.CheckInt(4)
	}
	anchor := len(pat) > 0 && pat[0] == '^'
	p := 0
	if anchor {
		p = 1
	}
	m := &matcher{L: L, src: src, pat: pat}
	var b []byte
	n := 0
	s := 0
	for n < maxN {
		m.level = 0
		e := m.match(s, p)
		if e != -1 {
			n++
			b = m.addValue(b, s, e, repl)
		}
		switch {
		case e != -1 && e > s:
			s = e
		case s < len(src):
			b = append(b, src[s])
			s++
		default:
			goto done
		}
		if anchor {
			break
		}
	}
done:
	b = append(b, src[min(s, len(src)):]...)
	L.Push(lua.LString(b))
	L.Push(number(float64(n)))
	return 2
}

// addValue appends the replacement for the match src[s:e].
func (m *matcher) addValue(b []byte, s, e int, repl lua.LValue) []byte {
	L := m.L
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LString, lua.LNumber:
		text := string(appendValue(L, nil, r))
		for i := 0; i < len(text); i++ {
			c := text[i]
			if c != '%' || i+1 == len(text) {
				b = append(b, c)
				continue
			}
			i++
			d := text[i]
			if d < '0' || d > '9' {
				b = append(b, d)
				continue
			}
			if d == '0' {
				b = append(b, m.src[s:e]...)
				continue
			}
			b = appendValue(L, b, m.captureValue(int(d-'1'), s, e))
		}
		return b
	case *lua.LTable:
		v = L.GetTable(r, m.captureValue(0, s, e))
	case *lua.LFunction:
		top := L.GetTop()
		L.Push(r)
		n := m.pushCaptures(s, e, true)
		L.Call(n, 1)
		v = L.Get(-1)
		L.SetTop(top)
	}
	switch v := v.(type) {
	case lua.LString:
		return append(b, v...)
	case lua.LNumber:
		return appendNumber(b, float64(v))
	}
	if !truthy(v) {
		return append(b, m.src[s:e]...)
	}
	L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	return b
}
