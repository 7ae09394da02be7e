package report

import "time"

// Round is one run of --rounds: the figures each round's line on stderr
// shows, and the JSON report's rounds array lists.
type Round struct {
	RequestsPerSec float64
	// P50, P90 and P99 are the round's headline latency, in µs.
	P50, P90, P99 int64
	Runtime       time.Duration
	Interrupted   bool
}

type jsonRound struct {
	Round          int     `json:"round"`
	RequestsPerSec float64 `json:"requests_per_sec"`
	P50US          int64   `json:"p50_us"`
	P90US          int64   `json:"p90_us"`
	P99US          int64   `json:"p99_us"`
	RuntimeS       float64 `json:"runtime_s"`
	Interrupted    bool    `json:"interrupted"`
}

func roundsJSON(rounds []Round) []jsonRound {
	var out []jsonRound
	for i, r := range rounds {
		out = append(out, jsonRound{
			Round: i + 1, RequestsPerSec: r.RequestsPerSec, P50US: r.P50, P90US: r.P90, P99US: r.P99,
			RuntimeS: r.Runtime.Seconds(), Interrupted: r.Interrupted,
		})
	}
	return out
}
