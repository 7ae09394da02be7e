package compare

import (
	"encoding/binary"
	"math"
	"testing"
)

// floats reads b as float64s, 8 bytes each, and at most max of them.
func floats(b []byte, max int) []float64 {
	var out []float64
	for len(b) >= 8 && len(out) < max {
		out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		b = b[8:]
	}
	return out
}

func bytesOf(vs ...float64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

// FuzzSamples: whatever values two reports hold (zeros, negatives, huge,
// ties, NaN), Samples gives an error or a p-value in [0, 1] with ordered
// intervals around their estimates.
func FuzzSamples(f *testing.F) {
	f.Add(bytesOf(1, 2, 3, 4, 5), bytesOf(1, 2, 3, 4, 5))
	f.Add(bytesOf(1, 1, 1, 1, 1, 1), bytesOf(2, 2, 2, 2, 2, 2))
	f.Add(bytesOf(0, 0, 0, 0, 0), bytesOf(-1, 1e308, 5, 0, 3))
	f.Add(bytesOf(1, 2, 3, 4, math.NaN()), bytesOf(1, 2, 3, 4, 5))
	f.Fuzz(func(t *testing.T, ab, bb []byte) {
		a, b := floats(ab, 120), floats(bb, 120)
		c, err := Samples(a, b)
		if err != nil {
			return
		}
		if !(c.P >= 0 && c.P <= 1) {
			t.Fatalf("%v vs %v: p = %v", a, b, c.P)
		}
		if c.ShiftLow > c.Shift || c.Shift > c.ShiftHigh || c.ChangeLow > c.Change || c.Change > c.ChangeHigh {
			t.Fatalf("%v vs %v: shift %v [%v, %v], change %v [%v, %v]", a, b, c.Shift, c.ShiftLow, c.ShiftHigh, c.Change, c.ChangeLow, c.ChangeHigh)
		}
	})
}
