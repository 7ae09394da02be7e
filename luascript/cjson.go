package luascript

import (
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// cjsonConfig is one lua-cjson instance's settings, with lua-cjson's
// defaults.
type cjsonConfig struct {
	sparseConvert       bool
	sparseRatio         int
	sparseSafe          int
	encodeMaxDepth      int
	decodeMaxDepth      int
	precision           int
	encodeInvalid       bool
	decodeInvalid       bool
	emptyTableAsObject  bool
	decodeArrayWithMT   bool
	escapeForwardSlash  bool
	keepBuffer          bool
	buf                 []byte
	null                *lua.LUserData
	emptyArray          *lua.LUserData
	arrayMT, emptyArrMT *lua.LTable
}

// newCJSON builds the cjson module (cjson.safe when safe): lua-cjson's
// API, implemented in Go because lua-cjson is a C module. null and
// empty_array are shared by every instance of a state, as lua-cjson's
// light userdata are.
func (st *state) newCJSON(safe bool) lua.LValue {
	L := st.L
	if st.cjsonNull == nil {
		st.cjsonNull = L.NewUserData()
		nullMT := L.NewTable()
		nullMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
			L.Push(lua.LString("userdata: (nil)"))
			return 1
		}))
		st.cjsonNull.Metatable = nullMT
		st.cjsonEmptyArray = L.NewUserData()
		st.cjsonArrayMT = L.NewTable()
		st.cjsonEmptyArrayMT = L.NewTable()
	}
	c := &cjsonConfig{
		sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		precision: 14, encodeInvalid: false, decodeInvalid: true, emptyTableAsObject: true,
		escapeForwardSlash: true, keepBuffer: true,
		null: st.cjsonNull, emptyArray: st.cjsonEmptyArray,
		arrayMT: st.cjsonArrayMT, emptyArrMT: st.cjsonEmptyArrayMT,
	}
	m := L.NewTable()
	wrap := func(f lua.LGFunction) *lua.LFunction {
		if !safe {
			return L.NewFunction(f)
		}
		return L.NewFunction(func(L *lua.LState) int {
			top := L.GetTop()
			L.Push(L.NewFunction(f))
			for i := 1; i <= top; i++ {
				L.Push(L.Get(i))
			}
			if err := L.PCall(top, 1, nil); err != nil {
				L.Push(lua.LNil)
				msg := err.Error()
				if api, ok := err.(*lua.ApiError); ok {
					msg = api.Object.String()
				}
				// lua-cjson's safe functions report the message alone.
				if m := located.FindStringSubmatch(msg); m != nil {
					msg = m[3]
				}
				L.Push(lua.LString(msg))
				return 2
			}
			return 1
		})
	}
	m.RawSetString("encode", wrap(c.encode))
	m.RawSetString("decode", wrap(c.decode))
	m.RawSetString("null", c.null)
	m.RawSetString("empty_array", c.emptyArray)
	m.RawSetString("array_mt", c.arrayMT)
	m.RawSetString("empty_array_mt", c.emptyArrMT)
	m.RawSetString("_NAME", lua.LString("cjson"))
	if safe {
		m.RawSetString("_NAME", lua.LString("cjson.safe"))
	}
	m.RawSetString("_VERSION", lua.LString("2.1.0.11"))
	m.RawSetString("new", L.NewFunction(func(L *lua.LState) int {
		L.Push(st.newCJSON(safe))
		return 1
	}))
	boolOpt := func(name string, p *bool) {
		m.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				switch v := L.Get(1).(type) {
				case lua.LBool:
					*p = bool(v)
				case lua.LString:
					*p = v == "on" || v == "true"
				case lua.LNumber:
					*p = v != 0
				default:
					*p = truthy(v)
				}
			}
			L.Push(lua.LBool(*p))
			return 1
		}))
	}
	intOpt := func(name string, p *int, lo, hi int) {
		m.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
				n := L.CheckInt(1)
				if n < lo || n > hi {
					L.ArgError(1, "expected integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi))
				}
				*p = n
			}
			L.Push(lua.LNumber(*p))
			return 1
		}))
	}
	boolOpt("encode_invalid_numbers", &c.encodeInvalid)
	boolOpt("decode_invalid_numbers", &c.decodeInvalid)
	boolOpt("encode_empty_table_as_object", &c.emptyTableAsObject)
	boolOpt("decode_array_with_array_mt", &c.decodeArrayWithMT)
	boolOpt("encode_escape_forward_slash", &c.escapeForwardSlash)
	boolOpt("encode_keep_buffer", &c.keepBuffer)
	intOpt("encode_max_depth", &c.encodeMaxDepth, 1, math.MaxInt32)
	intOpt("decode_max_depth", &c.decodeMaxDepth, 1, math.MaxInt32)
	intOpt("encode_number_precision", &c.precision, 1, 16)
	m.RawSetString("encode_sparse_array", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
			c.sparseConvert = truthy(L.Get(1))
		}
		if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
			c.sparseRatio = L.CheckInt(2)
		}
		if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
			c.sparseSafe = L.CheckInt(3)
		}
		L.Push(lua.LBool(c.sparseConvert))
		L.Push(lua.LNumber(c.sparseRatio))
		L.Push(lua.LNumber(c.sparseSafe))
		return 3
	}))
	return m
}

func (c *cjsonConfig) encode(L *lua.LState) int {
	v := L.CheckAny(1)
	b := c.encodeValue(L, c.buf[:0], v, 0)
	L.Push(lua.LString(b))
	if c.keepBuffer && cap(b) <= 1<<20 {
		c.buf = b
	}
	return 1
}

func (c *cjsonConfig) encodeValue(L *lua.LState, b []byte, v lua.LValue, depth int) []byte {
	switch v := v.(type) {
	case *lua.LNilType:
		return append(b, "null"...)
	case lua.LBool:
		if v {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case lua.LNumber:
		return c.encodeNumber(L, b, float64(v))
	case lua.LString:
		return c.encodeString(b, string(v))
	case *lua.LTable:
		return c.encodeTable(L, b, v, depth+1)
	case *lua.LUserData:
		switch v {
		case c.null:
			return append(b, "null"...)
		case c.emptyArray:
			return append(b, "[]"...)
		}
	}
	L.RaiseError("Cannot serialise %s: type not supported", v.Type().String())
	return b
}

func (c *cjsonConfig) encodeNumber(L *lua.LState, b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if !c.encodeInvalid {
			L.RaiseError("Cannot serialise number: must not be NaN or Infinity")
		}
		switch {
		case math.IsNaN(f):
			return append(b, "nan"...)
		case f > 0:
			return append(b, "inf"...)
		default:
			return append(b, "-inf"...)
		}
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e14 && c.precision >= 14 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', c.precision, 64)
}

func (c *cjsonConfig) encodeString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; ch {
		case '"', '\\':
			b = append(b, '\\', ch)
		case '/':
			if c.escapeForwardSlash {
				b = append(b, '\\')
			}
			b = append(b, '/')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if ch < 0x20 || ch == 0x7f {
				b = append(b, '\\', 'u', '0', '0', hex[ch>>4], hex[ch&15])
			} else {
				b = append(b, ch)
			}
		}
	}
	return append(b, '"')
}

// arrayLength is lua-cjson's lua_array_length: the largest index when
// every key is a positive integer, -1 when the table is an object, and an
// error for an excessively sparse array unless conversion is on.
func (c *cjsonConfig) arrayLength(L *lua.LState, t *lua.LTable) int {
	maxIndex, items := 0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) < 1 || float64(n) != math.Floor(float64(n)) {
			return -1
		}
		maxIndex = max(maxIndex, int(n))
		items++
	}
	if c.sparseRatio > 0 && maxIndex > items*c.sparseRatio && maxIndex > c.sparseSafe {
		if !c.sparseConvert {
			L.RaiseError("Cannot serialise table: excessively sparse array")
		}
		return -1
	}
	return maxIndex
}

func (c *cjsonConfig) encodeTable(L *lua.LState, b []byte, t *lua.LTable, depth int) []byte {
	if depth > c.encodeMaxDepth {
		L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
	}
	n := c.arrayLength(L, t)
	mt, _ := t.Metatable.(*lua.LTable)
	isArrayMT := mt != nil && (mt == c.arrayMT || mt == c.emptyArrMT)
	if n == 0 && (isArrayMT || !c.emptyTableAsObject) {
		return append(b, "[]"...)
	}
	if n > 0 || (n == 0 && isArrayMT) {
		b = append(b, '[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				b = append(b, ',')
			}
			b = c.encodeValue(L, b, t.RawGetInt(i), depth)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	first := true
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !first {
			b = append(b, ',')
		}
		first = false
		switch k := k.(type) {
		case lua.LString:
			b = c.encodeString(b, string(k))
		case lua.LNumber:
			b = append(b, '"')
			b = c.encodeNumber(L, b, float64(k))
			b = append(b, '"')
		default:
			L.RaiseError("Cannot serialise %s: table key must be a number or string", k.Type().String())
		}
		b = append(b, ':')
		b = c.encodeValue(L, b, v, depth)
	}
	return append(b, '}')
}

// jsonDecoder is one decode call's position in its input.
type jsonDecoder struct {
	L     *lua.LState
	c     *cjsonConfig
	s     string
	i     int
	depth int
}

func (c *cjsonConfig) decode(L *lua.LState) int {
	d := &jsonDecoder{L: L, c: c, s: L.CheckString(1)}
	d.skipSpace()
	v := d.value()
	d.skipSpace()
	if d.i < len(d.s) {
		d.fail("the end", d.i)
	}
	L.Push(v)
	return 1
}

// fail raises lua-cjson's error for an unexpected token at byte at.
func (d *jsonDecoder) fail(expected string, at int) {
	found := "invalid token"
	if at >= len(d.s) {
		found = "T_END"
	} else {
		switch d.s[at] {
		case '{':
			found = "T_OBJ_BEGIN"
		case '}':
			found = "T_OBJ_END"
		case '[':
			found = "T_ARR_BEGIN"
		case ']':
			found = "T_ARR_END"
		case ',':
			found = "T_COMMA"
		case ':':
			found = "T_COLON"
		case '"':
			found = "T_STRING"
		}
	}
	d.L.RaiseError("Expected %s but found %s at character %d", expected, found, at+1)
}

func (d *jsonDecoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value() lua.LValue {
	if d.i >= len(d.s) {
		d.fail("value", d.i)
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return lua.LString(d.str())
	case d.word("true"):
		return lua.LTrue
	case d.word("false"):
		return lua.LFalse
	case d.word("null"):
		return d.c.null
	default:
		return d.number()
	}
}

func (d *jsonDecoder) word(w string) bool {
	if len(d.s)-d.i >= len(w) && d.s[d.i:d.i+len(w)] == w {
		d.i += len(w)
		return true
	}
	return false
}

func (d *jsonDecoder) number() lua.LValue {
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' ||
			d.c.decodeInvalid && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			d.i++
			continue
		}
		break
	}
	text := d.s[start:d.i]
	if text == "" {
		d.fail("value", start)
	}
	if d.c.decodeInvalid {
		if f, ok := parseNumber(text); ok {
			return lua.LNumber(f)
		}
	} else if f, err := strconv.ParseFloat(text, 64); err == nil && text[0] != '+' && text[0] != '.' {
		return lua.LNumber(f)
	}
	d.fail("value", start)
	return lua.LNil
}

func (d *jsonDecoder) enter(at int) {
	d.depth++
	if d.depth > d.c.decodeMaxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, at+1)
	}
}

func (d *jsonDecoder) object() lua.LValue {
	d.enter(d.i)
	d.i++
	t := d.L.NewTable()
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.depth--
		return t
	}
	for {
		d.skipSpace()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			d.fail("object key string", d.i)
		}
		k := d.str()
		d.skipSpace()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			d.fail("colon", d.i)
		}
		d.i++
		d.skipSpace()
		t.RawSetString(k, d.value())
		d.skipSpace()
		if d.i < len(d.s) && d.s[d.i] == '}' {
			d.i++
			d.depth--
			return t
		}
		if d.i >= len(d.s) || d.s[d.i] != ',' {
			d.fail("comma or object end", d.i)
		}
		d.i++
	}
}

func (d *jsonDecoder) array() lua.LValue {
	d.enter(d.i)
	d.i++
	t := d.L.NewTable()
	if d.c.decodeArrayWithMT {
		t.Metatable = d.c.arrayMT
	}
	d.skipSpace()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		d.depth--
		return t
	}
	for n := 1; ; n++ {
		d.skipSpace()
		t.RawSetInt(n, d.value())
		d.skipSpace()
		if d.i < len(d.s) && d.s[d.i] == ']' {
			d.i++
			d.depth--
			return t
		}
		if d.i >= len(d.s) || d.s[d.i] != ',' {
			d.fail("comma or array end", d.i)
		}
		d.i++
	}
}

// str reads a string at d.i (on its opening quote) and decodes its escapes,
// \u ones (with surrogate pairs) to UTF-8.
func (d *jsonDecoder) str() string {
	start := d.i
	d.i++
	var b []byte
	for {
		if d.i >= len(d.s) {
			d.fail("string end", start)
		}
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b)
		case c < 0x20:
			d.fail("string end", start)
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.s) {
			d.fail("string end", start)
		}
		e := d.s[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if ok && utf16.IsSurrogate(r) {
				if d.word(`\u`) {
					r2, ok2 := d.hex4()
					r = utf16.DecodeRune(r, r2)
					ok = ok2 && r != utf8.RuneError
				} else {
					ok = false
				}
			}
			if !ok {
				d.fail("string end", start)
			}
			b = utf8.AppendRune(b, r)
		default:
			d.fail("string end", start)
		}
	}
}

func (d *jsonDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}
