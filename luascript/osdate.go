package luascript

import (
	"strconv"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// osDate is os.date as C Lua's on glibc in the C locale: every strftime
// conversion, "!" for UTC and "*t" for a table. gopher-lua maps only a few
// conversions and prints the others literally.
func osDate(L *lua.LState) int {
	format := L.OptString(1, "%c")
	t := time.Now()
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		t = time.Unix(int64(L.CheckNumber(2)), 0)
	}
	if len(format) > 0 && format[0] == '!' {
		format = format[1:]
		t = t.UTC()
	} else {
		t = t.Local()
	}
	if len(format) >= 2 && format[:2] == "*t" {
		tb := L.CreateTable(0, 9)
		tb.RawSetString("year", lua.LNumber(t.Year()))
		tb.RawSetString("month", lua.LNumber(t.Month()))
		tb.RawSetString("day", lua.LNumber(t.Day()))
		tb.RawSetString("hour", lua.LNumber(t.Hour()))
		tb.RawSetString("min", lua.LNumber(t.Minute()))
		tb.RawSetString("sec", lua.LNumber(t.Second()))
		tb.RawSetString("wday", lua.LNumber(t.Weekday()+1))
		tb.RawSetString("yday", lua.LNumber(t.YearDay()))
		tb.RawSetString("isdst", lua.LBool(t.IsDST()))
		L.Push(tb)
		return 1
	}
	L.Push(lua.LString(strftime(nil, format, t)))
	return 1
}

var (
	shortDays   = [7]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDays    = [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	shortMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	longMonths  = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// strftime appends t formatted as C's strftime does in the C locale. The E
// and O modifiers are accepted and ignored, as the C locale has no
// alternatives; an unknown conversion is copied as written.
func strftime(b []byte, f string, t time.Time) []byte {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b = append(b, f[i])
			continue
		}
		i++
		if (f[i] == 'E' || f[i] == 'O') && i+1 < len(f) {
			i++
		}
		b = conversion(b, f[i], t)
	}
	return b
}

func conversion(b []byte, c byte, t time.Time) []byte {
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	switch c {
	case 'a':
		return append(b, shortDays[t.Weekday()]...)
	case 'A':
		return append(b, longDays[t.Weekday()]...)
	case 'b', 'h':
		return append(b, shortMonths[t.Month()-1]...)
	case 'B':
		return append(b, longMonths[t.Month()-1]...)
	case 'c':
		return strftime(b, "%a %b %e %H:%M:%S %Y", t)
	case 'C':
		return pad(b, t.Year()/100, 2, '0')
	case 'd':
		return pad(b, t.Day(), 2, '0')
	case 'D', 'x':
		return strftime(b, "%m/%d/%y", t)
	case 'e':
		return pad(b, t.Day(), 2, ' ')
	case 'F':
		return strftime(b, "%Y-%m-%d", t)
	case 'g':
		y, _ := t.ISOWeek()
		return pad(b, y%100, 2, '0')
	case 'G':
		y, _ := t.ISOWeek()
		return strconv.AppendInt(b, int64(y), 10)
	case 'H':
		return pad(b, t.Hour(), 2, '0')
	case 'I':
		return pad(b, hour12, 2, '0')
	case 'j':
		return pad(b, t.YearDay(), 3, '0')
	case 'k':
		return pad(b, t.Hour(), 2, ' ')
	case 'l':
		return pad(b, hour12, 2, ' ')
	case 'm':
		return pad(b, int(t.Month()), 2, '0')
	case 'M':
		return pad(b, t.Minute(), 2, '0')
	case 'n':
		return append(b, '\n')
	case 'p':
		if t.Hour() < 12 {
			return append(b, "AM"...)
		}
		return append(b, "PM"...)
	case 'P':
		if t.Hour() < 12 {
			return append(b, "am"...)
		}
		return append(b, "pm"...)
	case 'r':
		return strftime(b, "%I:%M:%S %p", t)
	case 'R':
		return strftime(b, "%H:%M", t)
	case 's':
		return strconv.AppendInt(b, t.Unix(), 10)
	case 'S':
		return pad(b, t.Second(), 2, '0')
	case 't':
		return append(b, '\t')
	case 'T', 'X':
		return strftime(b, "%H:%M:%S", t)
	case 'u':
		return pad(b, (int(t.Weekday())+6)%7+1, 1, '0')
	case 'U':
		return pad(b, (t.YearDay()-1+7-int(t.Weekday()))/7, 2, '0')
	case 'V':
		_, w := t.ISOWeek()
		return pad(b, w, 2, '0')
	case 'w':
		return pad(b, int(t.Weekday()), 1, '0')
	case 'W':
		return pad(b, (t.YearDay()-1+7-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 'y':
		return pad(b, t.Year()%100, 2, '0')
	case 'Y':
		return strconv.AppendInt(b, int64(t.Year()), 10)
	case 'z':
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		b = append(b, sign)
		b = pad(b, off/3600, 2, '0')
		return pad(b, off%3600/60, 2, '0')
	case 'Z':
		name, _ := t.Zone()
		if name == "UTC" {
			// glibc names UTC from gmtime "GMT".
			name = "GMT"
		}
		return append(b, name...)
	case '%':
		return append(b, '%')
	}
	return append(b, '%', c)
}

// pad appends n with at least width digits, filled on the left with fill.
func pad(b []byte, n, width int, fill byte) []byte {
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, fill)
	}
	return append(b, s...)
}
