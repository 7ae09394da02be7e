package units

import (
	"math/big"
	"regexp"
	"strconv"
	"testing"
)

// The oracle for scan: sscanf("%lu%2s") spelled as a regular expression,
// with the units a parser accepts, and big.Int arithmetic for the overflow
// check. Letters are listed in both cases rather than with (?i), which
// would also take 'ſ' for 's' and the Kelvin sign for 'k'.
var (
	timeRE   = regexp.MustCompile(`(?s)^[\t\n\v\f\r ]*\+?([0-9]+)[\t\n\v\f\r ]*(?:([sSmMhH])(?:[\t\n\v\f\r ].*)?)?$`)
	metricRE = regexp.MustCompile(`(?s)^[\t\n\v\f\r ]*\+?([0-9]+)[\t\n\v\f\r ]*(?:([kKmMgGtTpP])(?:[\t\n\v\f\r ].*)?)?$`)
	scales   = map[byte]int64{
		's': 1, 'S': 1, 'm': 60, 'M': 60, 'h': 3600, 'H': 3600,
	}
	metricScales = map[byte]int64{
		'k': 1e3, 'K': 1e3, 'm': 1e6, 'M': 1e6, 'g': 1e9, 'G': 1e9, 't': 1e12, 'T': 1e12, 'p': 1e15, 'P': 1e15,
	}
	maxUint64 = new(big.Int).SetUint64(^uint64(0))
)

func oracle(re *regexp.Regexp, mult map[byte]int64, s string) (uint64, bool) {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := new(big.Int).SetString(m[1], 10)
	if m[2] != "" {
		n.Mul(n, big.NewInt(mult[m[2][0]]))
	}
	if n.Cmp(maxUint64) > 0 {
		return 0, false
	}
	return n.Uint64(), true
}

func addScanSeeds(f *testing.F) {
	for _, s := range []string{"10", "10s", "2m", "1h", "1k", "3G", "1P", "10 s", "10sec", "1.5s", " +7s", "-1", "10ſ",
		"18446744073709551615", "18446744073709551616", "307445734561825861m", "18447P", "5124095576030432h", "1\x00"} {
		f.Add(s)
	}
}

// FuzzParseTime checks ParseTime against the oracle, and that what it
// returns parses back to the same value written plainly and in hours.
func FuzzParseTime(f *testing.F) {
	addScanSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		want, ok := oracle(timeRE, scales, s)
		if (err == nil) != ok || got != want {
			t.Fatalf("ParseTime(%q) = %d, %v; oracle %d, %v", s, got, err, want, ok)
		}
		if err != nil {
			return
		}
		if back, err := ParseTime(strconv.FormatUint(got, 10) + "s"); err != nil || back != got {
			t.Fatalf("ParseTime(%q) = %d, but %ds parses as %d, %v", s, got, got, back, err)
		}
		if got%3600 == 0 {
			if back, err := ParseTime(strconv.FormatUint(got/3600, 10) + "h"); err != nil || back != got {
				t.Fatalf("%d s in hours parses as %d, %v", got, back, err)
			}
		}
		_ = FormatSeconds(got)
	})
}

// FuzzParseMetric checks ParseMetric against the oracle, and that what it
// returns parses back to the same value written plainly and with a suffix.
func FuzzParseMetric(f *testing.F) {
	addScanSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseMetric(s)
		want, ok := oracle(metricRE, metricScales, s)
		if (err == nil) != ok || got != want {
			t.Fatalf("ParseMetric(%q) = %d, %v; oracle %d, %v", s, got, err, want, ok)
		}
		if err != nil {
			return
		}
		if back, err := ParseMetric(strconv.FormatUint(got, 10)); err != nil || back != got {
			t.Fatalf("ParseMetric(%q) = %d, but it parses back as %d, %v", s, got, back, err)
		}
		if got%1000 == 0 {
			if back, err := ParseMetric(strconv.FormatUint(got/1000, 10) + "k"); err != nil || back != got {
				t.Fatalf("%d in k parses as %d, %v", got, back, err)
			}
		}
		_ = FormatMetric(float64(got))
	})
}
