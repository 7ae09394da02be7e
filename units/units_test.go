package units

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

const goldenPath = "../testdata/wrk-compat/units-golden.tsv"

// TestGolden checks every row of the golden file, which holds what wrk's own
// units.c prints and parses.
func TestGolden(t *testing.T) {
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	kinds := map[string]int{}
	sc := bufio.NewScanner(f)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		kinds[cols[0]]++
		t.Run(cols[0]+"/line"+strconv.Itoa(lineNo), func(t *testing.T) { checkRow(t, lineNo, line, cols) })
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	// Guard against a truncated or reformatted file silently passing.
	for _, k := range []string{"time_us", "metric", "binary", "time_s", "scan_time", "scan_metric"} {
		if kinds[k] == 0 {
			t.Errorf("%s: no %s rows", goldenPath, k)
		}
	}
}

func checkRow(t *testing.T, lineNo int, line string, cols []string) {
	t.Helper()
	row := func() string { return goldenPath + ":" + strconv.Itoa(lineNo) + ": " + strconv.Quote(line) }
	need := func(n int) bool {
		if len(cols) < n {
			t.Errorf("%s: want at least %d columns", row(), n)
			return false
		}
		return true
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: bad input: %v", row(), err)
		}
		return v
	}
	checkCell := func(s string, width int, bracketed string) {
		want := strings.TrimSuffix(strings.TrimPrefix(bracketed, "["), "]")
		if got := Cell(s, width); got != want {
			t.Errorf("%s: Cell(%q, %d) = %q, want %q", row(), s, width, got, want)
		}
	}

	kind, input := cols[0], cols[1]
	switch kind {
	case "time_us", "metric", "binary":
		if !need(3) {
			return
		}
		fn := map[string]func(float64) string{
			"time_us": FormatTime, "metric": FormatMetric, "binary": FormatBinary,
		}[kind]
		if got, want := fn(num(input)), cols[2]; got != want {
			t.Errorf("%s: %s(%s) = %q, want %q", row(), kind, input, got, want)
		}
		switch kind {
		case "time_us":
			if need(5) {
				checkCell(cols[2], 8, cols[3])
				checkCell(cols[2], 10, cols[4])
			}
		case "metric":
			if need(4) {
				checkCell(cols[2], 9, cols[3])
			}
		}
	case "time_s":
		if !need(3) {
			return
		}
		s, err := strconv.ParseUint(input, 10, 64)
		if err != nil {
			t.Fatalf("%s: bad input: %v", row(), err)
		}
		if got, want := FormatSeconds(s), cols[2]; got != want {
			t.Errorf("%s: FormatSeconds(%d) = %q, want %q", row(), s, got, want)
		}
	case "scan_time", "scan_metric":
		if !need(4) {
			return
		}
		parse := ParseTime
		if kind == "scan_metric" {
			parse = ParseMetric
		}
		got, err := parse(input)
		switch cols[2] {
		case "rc=0":
			want, perr := strconv.ParseUint(cols[3], 10, 64)
			if perr != nil {
				t.Fatalf("%s: bad value: %v", row(), perr)
			}
			if err != nil || got != want {
				t.Errorf("%s: %s(%q) = %d, %v; want %d, nil", row(), kind, input, got, err, want)
			}
		case "rc=-1":
			if err == nil {
				t.Errorf("%s: %s(%q) = %d, nil; want an error", row(), kind, input, got)
			}
		default:
			t.Errorf("%s: unknown result %q", row(), cols[2])
		}
	default:
		t.Errorf("%s: unknown kind %q", row(), kind)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		fn   func(float64) string
		in   float64
		want string
	}{
		// Integer latencies whose quotient sits near a rounding boundary:
		// long double and float64 division disagree on these.
		{"time", FormatTime, 1085, "1.09ms"},
		{"time", FormatTime, 1155, "1.15ms"},
		{"time", FormatTime, 1365, "1.37ms"},
		{"time", FormatTime, 1435, "1.43ms"},
		{"time", FormatTime, 0.125, "0.12us"}, // exact tie: half to even, like printf
		{"time", FormatTime, 0.375, "0.38us"},
		{"time", FormatTime, -5, "-5.00us"},
		{"time", FormatTime, math.Copysign(0, -1), "-0.00us"},
		{"time", FormatTime, math.NaN(), "nanus"},
		{"time", FormatTime, -math.NaN(), "-nanus"},
		{"time", FormatTime, math.Inf(1), "infm"},
		{"time", FormatTime, math.Inf(-1), "-infus"},
		{"time", FormatTime, 86400e6, "1440.00m"},
		{"metric", FormatMetric, 849.99, "849.99"},
		{"metric", FormatMetric, 850, "0.85k"},
		{"metric", FormatMetric, 1e18, "1000000.00T"},
		{"metric", FormatMetric, math.NaN(), "nan"},
		{"binary", FormatBinary, 870, "870.00"},
		{"binary", FormatBinary, 871, "0.85K"},
		{"binary", FormatBinary, 1 << 50, "1024.00T"},
		{"binary", FormatBinary, math.Inf(1), "infT"},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s(%v) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestFormatSeconds(t *testing.T) {
	for in, want := range map[uint64]string{
		0: "0s", 30: "30s", 150: "2m", 210: "4m", // 2.5 and 3.5 round to even
		math.MaxUint64: "307445734561825860m",
	} {
		if got := FormatSeconds(in); got != want {
			t.Errorf("FormatSeconds(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestCell(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  string
	}{
		{"684.50us", 8, "684.50us"},
		{"1.50s", 8, "  1.50s "},
		{"45.64k", 9, "  45.64k "},
		{"2.00", 9, "   2.00  "},
		{"1000.00ms", 8, "1000.00m"},
		{"1000.00", 8, "1000.0  "},
		{"-nanus", 10, "    -nanus"},
		{"", 4, "    "},
		{"s", 4, "  s "},
	}
	for _, tt := range tests {
		if got := Cell(tt.s, tt.width); got != tt.want {
			t.Errorf("Cell(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) (uint64, error)
		in    string
		want  uint64
		err   string
	}{
		{"time", ParseTime, " +7s", 7, ""},
		{"time", ParseTime, "10s junk", 10, ""}, // sscanf ignores the rest
		{"time", ParseTime, "3H", 10800, ""},
		{"time", ParseTime, "10ms", 0, `invalid time "10ms"`},
		{"time", ParseTime, "-1", 0, `invalid time "-1"`},
		{"time", ParseTime, "10ſ", 0, `invalid time "10ſ"`},
		{"time", ParseTime, "18446744073709551615", math.MaxUint64, ""},
		{"time", ParseTime, "18446744073709551616", 0, `invalid time "18446744073709551616"`},
		{"time", ParseTime, "307445734561825861m", 0, `invalid time "307445734561825861m"`},
		{"number", ParseMetric, "2g", 2e9, ""},
		{"number", ParseMetric, "1.5k", 0, `invalid number "1.5k"`},
		{"number", ParseMetric, "18447P", 0, `invalid number "18447P"`},
		{"number", ParseMetric, "k", 0, `invalid number "k"`},
	}
	for _, tt := range tests {
		got, err := tt.parse(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Parse %s(%q) = %d, %v; want error %q", tt.name, tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Parse %s(%q) = %d, %v; want %d", tt.name, tt.in, got, err, tt.want)
		}
	}
}
