// Package units formats and parses numbers the way wrk's units.c does, so
// that gowrk's report matches wrk's byte for byte.
//
// wrk does its unit arithmetic in C long double (80-bit x87 on x86-64, a
// 64-bit mantissa). Plain float64 division puts some quotients on the other
// side of a two-decimal boundary (1085us is "1.09ms" in wrk but 1085/1000 in
// float64 prints "1.08"), so the arithmetic here is done in big.Float with
// the same 64-bit precision.
package units

import (
	"fmt"
	"math"
	"math/big"
	"strings"
)

// extPrec is the mantissa width of x87 long double.
const extPrec = 64

// unitSet mirrors wrk's units struct: a base unit and successively larger
// units, each scale times the previous one.
type unitSet struct {
	scale uint64
	base  string
	units []string
}

// As in wrk, the last unit of each list can be parsed but is never printed:
// wrk's format loop stops one entry early. That is why times print as "60m"
// rather than "1h", and the metric and binary scales stop at T.
var (
	timeUS = unitSet{scale: 1000, base: "us", units: []string{"ms", "s"}}
	timeS  = unitSet{scale: 60, base: "s", units: []string{"m", "h"}}
	binary = unitSet{scale: 1024, base: "", units: []string{"K", "M", "G", "T", "P"}}
	metric = unitSet{scale: 1000, base: "", units: []string{"k", "M", "G", "T", "P"}}
)

func ext() *big.Float { return new(big.Float).SetPrec(extPrec) }

// FormatTime formats a duration in microseconds: "684.50us", "0.85ms",
// "1.50s", "60.00m". Like wrk, values below one second never print in
// seconds (999996 gives "1000.00ms"), and NaN prints as "nanus".
func FormatTime(us float64) string {
	if math.IsNaN(us) {
		return nanText(us) + timeUS.base
	}
	x := ext().SetFloat64(us)
	u := &timeUS
	if x.Cmp(big.NewFloat(1e6)) >= 0 {
		x.Quo(x, big.NewFloat(1e6))
		u = &timeS
	}
	return format(x, u, 2)
}

// FormatMetric formats n with the suffixes k, M, G, T (factor 1000):
// "45.64k", "1000.00T".
func FormatMetric(n float64) string {
	if math.IsNaN(n) {
		return nanText(n)
	}
	return format(ext().SetFloat64(n), &metric, 2)
}

// FormatBinary formats a byte count with the suffixes K, M, G, T (factor
// 1024), without the trailing "B": "38.99M". Callers append the "B".
func FormatBinary(n float64) string {
	if math.IsNaN(n) {
		return nanText(n)
	}
	return format(ext().SetFloat64(n), &binary, 2)
}

// FormatSeconds formats a whole number of seconds for the "Running <dur>
// test" header: "10s", "1m" (from 51s up), "1440m".
func FormatSeconds(s uint64) string {
	return format(ext().SetUint64(s), &timeS, 0)
}

// format is wrk's format_units: move to the next unit once the value
// reaches 0.85 of it, then print with prec decimals.
func format(x *big.Float, u *unitSet, prec int) string {
	// wrk computes the threshold as int * double, i.e. in float64.
	threshold := big.NewFloat(float64(u.scale) * 0.85)
	div := ext().SetUint64(u.scale)
	unit := u.base
	for i := 0; i+1 < len(u.units) && x.Cmp(threshold) >= 0; i++ {
		x.Quo(x, div)
		unit = u.units[i]
	}
	return text(x, prec) + unit
}

// text prints x like C's "%.*Lf": exact decimal expansion rounded half to
// even, and "inf"/"-inf" for infinities.
func text(x *big.Float, prec int) string {
	if x.IsInf() {
		if x.Signbit() {
			return "-inf"
		}
		return "inf"
	}
	return x.Text('f', prec)
}

// nanText is glibc's spelling of a NaN, which keeps the sign bit.
func nanText(f float64) string {
	if math.Signbit(f) {
		return "-nan"
	}
	return "nan"
}

// Cell lays s out in a report column of the given width, as wrk's
// print_units does: s is right-aligned in width-pad characters, where pad is
// 2 minus the number of letters among the last two characters of s, and pad
// spaces follow. This keeps the digits of "us", "s" and bare values aligned.
// s is cut to the column, so "1000.00ms" in 8 columns is "1000.00m".
func Cell(s string, width int) string {
	pad := 2
	if n := len(s); n >= 1 && isAlpha(s[n-1]) {
		pad--
	}
	if n := len(s); n >= 2 && isAlpha(s[n-2]) {
		pad--
	}
	w := max(width-pad, 0)
	if len(s) > w {
		s = s[:w]
	}
	return strings.Repeat(" ", w-len(s)) + s + "  "[:pad]
}

func isAlpha(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// ParseTime parses a duration argument into seconds: an integer with an
// optional unit s, m or h, case-insensitive ("10", "10s", "2m", "1h").
// Fractions and smaller units ("1.5s", "10ms") are errors, as in wrk.
func ParseTime(s string) (uint64, error) {
	n, ok := scan(s, &timeS)
	if !ok {
		return 0, fmt.Errorf("invalid time %q", s)
	}
	return n, nil
}

// ParseMetric parses a count argument: an integer with an optional suffix
// k, M, G, T or P (powers of 1000), case-insensitive ("10", "1k", "2M").
func ParseMetric(s string) (uint64, error) {
	n, ok := scan(s, &metric)
	if !ok {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	return n, nil
}

// scan is wrk's scan_units, which reads its argument with
// sscanf("%lu%2s"): leading blanks, an integer, then optionally blanks and
// a unit of up to two characters; anything after the unit is ignored
// ("10 s" is 10 seconds). Unlike wrk, a minus sign or a value that does not
// fit in 64 bits is an error rather than a wrapped-around number.
func scan(s string, u *unitSet) (uint64, bool) {
	rest := strings.TrimLeft(s, cSpace)
	rest = strings.TrimPrefix(rest, "+")
	digits := 0
	for digits < len(rest) && '0' <= rest[digits] && rest[digits] <= '9' {
		digits++
	}
	if digits == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range []byte(rest[:digits]) {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}

	rest = strings.TrimLeft(rest[digits:], cSpace)
	if rest == "" {
		return n, true
	}
	unit := rest
	if i := strings.IndexAny(unit, cSpace); i >= 0 {
		unit = unit[:i]
	}
	if len(unit) > 2 {
		unit = unit[:2]
	}
	if equalFoldASCII(unit, u.base) {
		return n, true
	}
	scale := uint64(1)
	for _, name := range u.units {
		scale *= u.scale
		if equalFoldASCII(unit, name) {
			if n > math.MaxUint64/scale {
				return 0, false
			}
			return n * scale, true
		}
	}
	return 0, false
}

// equalFoldASCII compares like C's strcasecmp: only ASCII letters fold, so
// that, say, "ſ" is not taken for "s".
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// cSpace is the set of characters C's isspace accepts, which scanf skips.
const cSpace = " \t\n\v\f\r"
