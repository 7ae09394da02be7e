package luascript

import (
	"math"
	"testing"
	"time"
)

func TestDelayDurationSaturates(t *testing.T) {
	for _, tc := range []struct {
		ms   float64
		want time.Duration
	}{
		{0, 0},
		{-5, 0},
		{math.NaN(), 0},
		{1.5, 1500 * time.Microsecond},
		{1e18, math.MaxInt64},
		{math.Inf(1), math.MaxInt64},
		{math.MaxInt64 / 1e6, math.MaxInt64},
	} {
		if got := delayDuration(tc.ms); got != tc.want {
			t.Errorf("delayDuration(%v) = %v, want %v", tc.ms, got, tc.want)
		}
	}
}

func TestDelayHugeValue(t *testing.T) {
	h := load(t, "function delay() return math.huge end")
	th, _ := h.thread(0)
	d, err := th.Delay()
	if err != nil || d != math.MaxInt64 {
		t.Fatalf("Delay() = %v, %v", d, err)
	}
}
