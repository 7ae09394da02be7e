-- Conformance probes: each line prints what an expression gives under the
-- Lua that runs this script. The differential test runs it under wrk
-- (LuaJIT 2.1) and gowrk and compares the output line by line.

local out = {}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

local function p(name, f, ...)
  local r = { pcall(f, ...) }
  local parts = {}
  if r[1] then
    for i = 2, table.maxn(r) do parts[#parts + 1] = show(r[i]) end
  else
    parts[1] = "error: " .. tostring(r[2])
  end
  out[#out + 1] = name .. " = " .. table.concat(parts, ", ")
end

-- os.date and os.time
for _, c in ipairs({ "a", "A", "b", "B", "c", "d", "D", "e", "F", "H", "I", "j", "m", "M",
  "p", "R", "S", "T", "u", "w", "x", "X", "y", "Y", "%", "h", "n", "t", "C", "g", "G", "V",
  "U", "W", "k", "l", "s", "z" }) do
  p("os.date !%" .. c, os.date, "!%" .. c, 1234567890)
end
p("os.date !%c 0", os.date, "!%c", 0)
p("os.date iso", os.date, "!%Y-%m-%dT%TZ", 86400 * 365)
p("os.date *t", function()
  local t = os.date("!*t", 1234567890)
  return t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst
end)
p("os.time table", os.time, { year = 2020, month = 2, day = 30, hour = 12 })
p("os.date type", function() return type(os.date()) end)
p("os.clock type", function() return type(os.clock()) end)
p("os.getenv missing", os.getenv, "GOWRK_SURELY_UNSET_VARIABLE")

-- string escapes
p("escape \\x", function() return "\x41\x62" end)
p("escape \\u", function() return "\u{48}\u{20AC}" end)
p("escape \\z", function() return "a\z
       b" end)
p("escape len", function() return #"\x00\x01\xff" end)
p("escape dec", function() return "\65\066\0067" end)
p("cjson", function()
  local ok, cjson = pcall(require, "cjson")
  if not ok then return "not installed" end
  return cjson.encode({ 1, "a/b", { x = false } }), cjson.decode('[1,{"k":"v"}]')[2].k
end)

-- string.format
p("format %5.2f", string.format, "%5.2f", 3.14159)
p("format %-10s|", string.format, "%-10s|", "héllo")
p("format %10s|", string.format, "%10s|", "日本")
p("format %.3s", string.format, "%.3s", "日本")
p("format %a", string.format, "%a", 1)
p("format %x", string.format, "%x", 255)
p("format %X neg", string.format, "%X", -1)
p("format %5d", string.format, "%5d", 42)
p("format %+d", string.format, "%+d", 42)
p("format %e", string.format, "%e", 12345.678)
p("format %g", string.format, "%g", 1e20)
p("format %g small", string.format, "%g", 0.0001)
p("format %q", string.format, "%q", "a\nb\"c\0d\r")
p("format %c", string.format, "%c%c", 72, 105)
p("format %i", string.format, "%i", 3.7)
p("format %o", string.format, "%o", 8)
p("format %s num", string.format, "%s", 1.5)
p("format %s table", function() return (string.format("%s", {}):gsub("0x%x+", "ADDR")) end)
p("format %d str", string.format, "%d", "12")
p("format %d bad", string.format, "%d", "x")
p("format %5.1s", string.format, "%5.1s", "abc")
p("format inf", string.format, "%f %g %.3f", math.huge, -math.huge, 0/0 ~= 0/0 and 1 or 0)
p("format %%", string.format, "100%%")

-- string functions
p("rep sep", string.rep, "x", 3, ",")
p("rep 0", string.rep, "x", 0)
p("rep neg", string.rep, "x", -1)
p("sub", string.sub, "hello", 2, -2)
p("sub neg", string.sub, "hello", -3)
p("byte", string.byte, "ABC", 1, -1)
p("char", string.char, 72, 101, 108)
p("upper", string.upper, "abc")
p("len", string.len, "abc\0d")
p("reverse", string.reverse, "abc")
p("find plain", string.find, "a.b.c", ".", 1, true)
p("find pattern", string.find, "hello world", "o w")
p("find init", string.find, "abcabc", "b", 3)
p("find captures", string.find, "key=val", "(%w+)=(%w+)")
p("match", string.match, "2024-01-02", "(%d+)-(%d+)-(%d+)")
p("match anchor", string.match, "abc", "^b")
p("match position", string.match, "abc", "()b()")
p("frontier", string.match, "THE (quick) fox", "%f[%a]%a+")
p("frontier gsub", string.gsub, "the quick brown", "%f[%w]%w+", "X")
p("frontier end", string.find, "hello world", "%f[%W]")
p("gsub", string.gsub, "hello world", "o", "0")
p("gsub n", string.gsub, "hello world", "o", "0", 1)
p("gsub table", string.gsub, "$a $b", "%$(%w+)", { a = "1", b = true and "2" })
p("gsub func", string.gsub, "abc", "%w", function(c) return c:upper() .. "." end)
p("gsub %1", string.gsub, "abc", "(%w)", "%1%1")
p("gmatch", function()
  local t = {}
  for k, v in string.gmatch("a=1, b=2", "(%w+)=(%w+)") do t[#t + 1] = k .. v end
  return table.concat(t, ";")
end)
p("balanced", string.match, "x(a(b)c)y", "%b()")
p("gsub empty matches", string.gsub, "a b", "%s*", "_")
p("gsub empty pattern", string.gsub, "abc", "", "-")
p("gsub anchored", string.gsub, "aaa", "^a", "b")
p("gsub repl %", string.gsub, "abc", "b", "%%%a")
p("gsub false", string.gsub, "abc", "%w", { a = false, b = "B" })
p("match lazy", string.match, "<a><b>", "<(.-)>")
p("match set", string.match, "x-y_z]", "[%w_%-%]]+")
p("match backref", string.match, "abab", "(ab)%1")
p("match trim", string.match, "  trim  ", "^%s*(.-)%s*$")
p("find anchor init", string.find, "abcabc", "^abc", 4)
p("find neg init", string.find, "abc", "c", -1)
p("find past end", string.find, "abc", "", 10)
p("gmatch empty", function() local n = 0 for _ in ("one two"):gmatch("%a*") do n = n + 1 end return n end)
p("pattern malformed", function() return pcall(string.match, "a", "[a") end)
p("pattern %z", string.find, "a\0b", "%z")
p("class %g?", string.find, "a b", "%s")
p("format big int", string.format, "%d", 2^53)
p("tostring int", tostring, 2^53)
p("tostring float", tostring, 0.1)
p("tostring 1e15", tostring, 1e15)
p("tostring 1e16", tostring, 1e16)
p("tostring huge", tostring, math.huge)
p("tostring -huge", tostring, -math.huge)
p("tostring -0", tostring, -0.0)
p("tostring nan", function() local s = tostring(0/0) return s == "nan" or s == "-nan" end)
p("concat float", function() return 1.5 .. "|" .. 10 .. "|" .. 2^53 end)
p("tonumber 1e2", tonumber, "1e2")
p("tonumber hex", tonumber, "0x10")
p("tonumber space", tonumber, "  12  ")
p("tonumber base", tonumber, "ff", 16)
p("tonumber base2", tonumber, "101", 2)
p("tonumber bad", tonumber, "12a")
p("tonumber empty", tonumber, "")
p("tonumber .5", tonumber, ".5")
p("tonumber 5.", tonumber, "5.")
p("tonumber -0x", tonumber, "-0x10")
p("tonumber inf", tonumber, "inf")
p("arith coercion", function() return "10" + 5, "3" * "4" end)
p("string meta", function() return ("abc"):len(), ("%d"):format(5) end)

-- table
p("concat", table.concat, { 1, 2, "x" }, "-")
p("concat range", table.concat, { "a", "b", "c", "d" }, ",", 2, 3)
p("concat bad", table.concat, { 1, {}, 3 })
p("insert/remove", function()
  local t = { 1, 2, 3 }
  table.insert(t, 4); table.insert(t, 1, 0)
  local r = table.remove(t)
  local r1 = table.remove(t, 1)
  return table.concat(t, ","), r, r1
end)
p("sort", function()
  local t = { 5, 2, 8, 1 }
  table.sort(t)
  local u = { "b", "a", "c" }
  table.sort(u, function(a, b) return a > b end)
  return table.concat(t, ","), table.concat(u, ",")
end)
p("maxn", table.maxn, { 1, 2, [10] = 3 })
p("getn", function() return table.getn and table.getn({ 1, 2 }) end)
p("unpack", function() return unpack({ 1, 2, 3 }) end)
p("select", function() return select("#", 1, nil, 3), select(2, "a", "b", "c") end)
p("select neg", select, -1, "a", "b")
p("# holes", function() return #{ 1, 2, nil, 4 } end)

-- math
p("floor/ceil", function() return math.floor(-1.5), math.ceil(-1.5) end)
p("fmod", math.fmod, 7, 3)
p("fmod neg", math.fmod, -7, 3)
p("modf", math.modf, 3.7)
p("modf neg", math.modf, -3.7)
p("huge", function() return math.huge, -math.huge end)
p("pi", function() return math.pi end)
p("max/min", function() return math.max(1, 5, 3), math.min(4, 2, 9) end)
p("sqrt", math.sqrt, 2)
p("pow", math.pow, 2, 10)
p("log", math.log, 100)
p("log10", math.log10, 1000)
p("exp", math.exp, 1)
p("abs", math.abs, -3)
p("frexp", math.frexp, 8)
p("ldexp", math.ldexp, 1, 4)
p("mod op", function() return 7 % 3, -7 % 3, 7 % -3, 5.5 % 2 end)
p("int div", function() return 7 / 2, 1 / 0, -1 / 0 end)
p("random default", function()
  local t = {}
  for i = 1, 5 do t[#t + 1] = string.format("%.17g", math.random()) end
  for i = 1, 5 do t[#t + 1] = math.random(100) end
  for i = 1, 5 do t[#t + 1] = math.random(5, 10) end
  return table.concat(t, " ")
end)
p("random edge", function() return math.random(0), math.random(10, 1), math.random(2.5) end)
p("random seeded", function()
  math.randomseed(42)
  local t = {}
  for i = 1, 5 do t[#t + 1] = math.random(1000) end
  math.randomseed(123.5)
  for i = 1, 3 do t[#t + 1] = string.format("%.17g", math.random()) end
  return table.concat(t, " ")
end)

-- bit
p("bit.band", bit.band, 0xff, 0x0f)
p("bit.bor", bit.bor, 1, 2, 4)
p("bit.bxor", bit.bxor, 5, 3)
p("bit.bnot", bit.bnot, 0)
p("bit.lshift", bit.lshift, 1, 31)
p("bit.rshift", bit.rshift, -1, 28)
p("bit.arshift", bit.arshift, -256, 4)
p("bit.rol", bit.rol, 0x12345678, 8)
p("bit.ror", bit.ror, 0x12345678, 8)
p("bit.tohex", bit.tohex, 255)
p("bit.tohex n", bit.tohex, 255, -4)
p("bit.tobit", bit.tobit, 2^32 + 5)
p("bit.bswap", bit.bswap, 0x12345678)

-- base
p("type", function() return type(nil), type(print), type(io.stdout) end)
p("load string", function() return load("return 1 + 1")() end)
p("load func", function()
  local parts, i = { "return ", "42" }, 0
  return load(function() i = i + 1 return parts[i] end)()
end)
p("load error", function() local f, e = load("return +") return f, (e:gsub("^%[.-%]", "CHUNK")) end)
p("loadstring", function() return loadstring("return 'ls'")() end)
p("collectgarbage count", function() return type(collectgarbage("count")) end)
p("collectgarbage", function() return collectgarbage() end)
p("collectgarbage step", function() return type(collectgarbage("step")) end)
p("rawequal/rawlen", function() return rawequal("a", "a"), rawget({ x = 1 }, "x") end)
p("setmetatable", function()
  local t = setmetatable({}, { __index = function(_, k) return k .. "!" end })
  return t.hi
end)
p("__tostring", function() return tostring(setmetatable({}, { __tostring = function() return "obj" end })) end)
p("pcall error", function() return pcall(error, "msg", 0) end)
p("pcall error table", function() local ok, e = pcall(error, { code = 1 }) return ok, type(e), e.code end)
p("error level 1", function() return pcall(function() error("boom") end) end)
p("error level 2", function()
  local function f() error("deep", 2) end
  return pcall(function() f() end)
end)
p("xpcall", function() return xpcall(function() error("x", 0) end, function(m) return "handled " .. m end) end)
p("assert", function() return pcall(assert, false, "assertion msg") end)
p("assert default", function() return pcall(assert, nil) end)
p("next", function() return next({}) end)
p("ipairs stop", function() local n = 0 for _ in ipairs({ 1, 2, nil, 4 }) do n = n + 1 end return n end)
p("coroutine", function()
  local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
  local _, x = coroutine.resume(co, 1)
  local _, y = coroutine.resume(co, 10)
  return x, y, coroutine.status(co)
end)
p("coroutine.wrap", function()
  local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
  return gen(), gen(), gen()
end)
p("string coercion concat", function() return 1 .. 2 end)
p("_VERSION", function() return _VERSION end)
p("getfenv", function() return type(getfenv(1)) end)
p("unpack nil", function() return select("#", unpack({ 1, nil, 3 }, 1, 3)) end)

-- runtime error messages
p("err index nil", function() local x return x.y end)
p("err call nil", function() local x x() end)
p("err arith", function() local x = {} return x + 1 end)
p("err concat", function() return "a" .. {} end)
p("err compare", function() return {} < {} end)
p("err global call", function() undefined_global_fn() end)
p("err bad arg", function() return string.rep() end)
p("err bad arg type", function() return ("x"):rep("y") end)

-- io
p("io.open missing", function()
  local f, err = io.open("/nonexistent/gowrk-probe")
  return f, err
end)
p("io read formats", function()
  local name = os.tmpname()
  local f = assert(io.open(name, "w"))
  f:write("12.5 rest\nline two\nline three\n")
  f:close()
  f = assert(io.open(name, "r"))
  local a = f:read("*number")
  local b = f:read("*line")
  local c = f:read("*L")
  local d = f:read("n")
  local e = f:read("l")
  local g = f:read("a")
  local h = f:read("*a")
  local i = f:read("*l")
  f.close(f)
  os.remove(name)
  return a, b, c, d, e, g, h, i
end)
p("io read count", function()
  local name = os.tmpname()
  local f = assert(io.open(name, "w"))
  f:write("abcdef")
  f:close()
  f = assert(io.open(name, "rb"))
  local a, b = f:read(2, 3)
  local c = f:read(0)
  local d = f:read(5)
  local e = f:read(0)
  f:close()
  os.remove(name)
  return a, b, c, d, e
end)
p("io lines", function()
  local name = os.tmpname()
  local f = assert(io.open(name, "w"))
  f:write("x\ny\n")
  f:close()
  local t = {}
  for l in io.lines(name) do t[#t + 1] = l end
  local g = assert(io.open(name))
  for l in g:lines() do t[#t + 1] = l:upper() end
  g:close()
  os.remove(name)
  return table.concat(t, ",")
end)
p("io seek", function()
  local name = os.tmpname()
  local f = assert(io.open(name, "w+"))
  f:write("0123456789")
  local size = f:seek("end")
  f:seek("set", 3)
  local s = f:read(2)
  local pos = f:seek()
  f:close()
  os.remove(name)
  return size, s, pos
end)
p("f.close dot", function()
  local name = os.tmpname()
  local f = assert(io.open(name, "w"))
  f:write("x")
  local r = f.close(f)
  os.remove(name)
  return r
end)
p("io.type", function()
  local name = os.tmpname()
  local f = assert(io.open(name, "w"))
  local a = io.type(f)
  f:close()
  local b = io.type(f)
  os.remove(name)
  return a, b, io.type(42)
end)
p("closed file", function()
  local name = os.tmpname()
  local f = assert(io.open(name, "w"))
  f:close()
  os.remove(name)
  return pcall(f.write, f, "x")
end)
p("io.write returns", function() return io.type(io.write("")) end)

-- package
p("package.path", function()
  -- gowrk appends the script's directory, a documented difference.
  local keep = {}
  for entry in package.path:gmatch("[^;]+") do
    if not entry:find("testdata", 1, true) then keep[#keep + 1] = entry end
  end
  return table.concat(keep, ";")
end)
p("package.cpath", function() return package.cpath end)
p("package.loaded", function()
  return type(package.loaded.string), package.loaded.wrk == wrk, type(package.preload)
end)
p("require missing", function()
  local ok, e = pcall(require, "gowrk_no_such_module")
  return ok, (e:match("^[^\n]*"))
end)
p("package.seeall", function() return type(package.seeall) end)
p("module funcs", function() return type(module), type(require) end)

-- goto-free 5.1 syntax odds
p("long string", function() return [==[a]]b]==] end)
p("long string newline", function() return [[
first]] end)
p("numeric for float", function() local s = 0 for i = 1, 2, 0.5 do s = s + i end return s end)
p("hex literal", function() return 0xff, 0XA end)
p("exponent literal", function() return 1e2, 2E-1 end)
p("string index", function() local s = "abc" return s:byte(-1) end)
p("varargs", function() local function f(...) return select("#", ...), ... end return f(1, nil) end)

function done()
  io.write(table.concat(out, "\n"), "\n")
end
