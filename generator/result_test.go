package generator

import "testing"

// A response with an error status is one attempt that failed, not two.
func TestIntervalErrorShare(t *testing.T) {
	for _, tc := range []struct {
		iv   Interval
		want float64
	}{
		{Interval{Requests: 100, Errors: 100}, 100},                // every response a 500
		{Interval{Requests: 0, Errors: 50, SocketErrors: 50}, 100}, // nothing answered
		{Interval{Requests: 90, Errors: 20, SocketErrors: 10}, 20}, // 10 statuses, 10 refused
		{Interval{Requests: 100}, 0},
		{Interval{}, 0},
	} {
		if got := tc.iv.ErrorShare(); got != tc.want {
			t.Errorf("%+v: %v%%, want %v%%", tc.iv, got, tc.want)
		}
	}
}
