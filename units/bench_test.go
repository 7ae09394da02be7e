package units

import "testing"

var sink string

func BenchmarkFormatTime(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		sink = FormatTime(float64(i % 2000000))
	}
}

func BenchmarkFormatMetric(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		sink = FormatMetric(float64(i) * 1.37)
	}
}

func BenchmarkFormatBinary(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		sink = FormatBinary(float64(i) * 1013)
	}
}

func BenchmarkCell(b *testing.B) {
	for b.Loop() {
		sink = Cell("684.50us", 10)
	}
}

func BenchmarkParseTime(b *testing.B) {
	for b.Loop() {
		if _, err := ParseTime("10m"); err != nil {
			b.Fatal(err)
		}
	}
}
