package report

import (
	"fmt"
	"io"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/units"
)

// connectPhase is one phase of making connections, summarized.
type connectPhase struct {
	Name   string
	Count  int64
	MeanUS float64
	P50US  int64
	P90US  int64
	P99US  int64
	MaxUS  int64
}

// connectPhases summarizes the run's connection timing: DNS, TCP and TLS,
// each when measured.
func connectPhases(ct generator.ConnectTiming) []connectPhase {
	var out []connectPhase
	for _, p := range []struct {
		name string
		h    *hdrhistogram.Histogram
	}{{"dns", ct.DNS}, {"tcp", ct.TCP}, {"tls", ct.TLS}, {"quic", ct.QUIC}} {
		if p.h == nil {
			continue
		}
		c := connectPhase{Name: p.name, Count: p.h.TotalCount()}
		if c.Count > 0 {
			c.MeanUS = p.h.Mean()
			c.P50US = p.h.ValueAtQuantile(50)
			c.P90US = p.h.ValueAtQuantile(90)
			c.P99US = p.h.ValueAtQuantile(99)
			c.MaxUS = p.h.Max()
		}
		out = append(out, c)
	}
	return out
}

type jsonConnectPhase struct {
	Count  int64   `json:"count"`
	MeanUS float64 `json:"mean_us"`
	P50US  int64   `json:"p50_us"`
	P90US  int64   `json:"p90_us"`
	P99US  int64   `json:"p99_us"`
	MaxUS  int64   `json:"max_us"`
}

// jsonConnect is the JSON "connect" section: one entry per measured phase.
type jsonConnect struct {
	DNS *jsonConnectPhase `json:"dns,omitempty"`
	TCP *jsonConnectPhase `json:"tcp,omitempty"`
	TLS *jsonConnectPhase `json:"tls,omitempty"`
	// QUIC is HTTP/3's handshakes, ZeroRTT the connections that sent 0-RTT.
	QUIC    *jsonConnectPhase `json:"quic,omitempty"`
	ZeroRTT *uint64           `json:"zero_rtt,omitempty"`
}

func connectJSON(ct generator.ConnectTiming) *jsonConnect {
	phases := connectPhases(ct)
	if len(phases) == 0 {
		return nil
	}
	out := &jsonConnect{}
	if ct.QUIC != nil {
		n := ct.ZeroRTT
		out.ZeroRTT = &n
	}
	for _, p := range phases {
		j := &jsonConnectPhase{Count: p.Count, MeanUS: p.MeanUS, P50US: p.P50US, P90US: p.P90US, P99US: p.P99US, MaxUS: p.MaxUS}
		switch p.Name {
		case "dns":
			out.DNS = j
		case "tcp":
			out.TCP = j
		case "tls":
			out.TLS = j
		case "quic":
			out.QUIC = j
		}
	}
	return out
}

// ConnectText prints the connection timing block of the text report
// (--connect-times); nothing when the run measured none.
func ConnectText(w io.Writer, res *generator.Result) error {
	phases := connectPhases(res.Connect)
	if len(phases) == 0 {
		return nil
	}
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "  Connect Timing%8s%9s%9s%9s%9s%9s\n", "Count", "Mean", "50%", "90%", "99%", "Max")
	for _, p := range phases {
		fmt.Fprintf(ew, "    %-8s%12d%s%s%s%s%s\n", upper(p.Name), p.Count,
			units.Cell(units.FormatTime(p.MeanUS), 9),
			units.Cell(units.FormatTime(float64(p.P50US)), 9),
			units.Cell(units.FormatTime(float64(p.P90US)), 9),
			units.Cell(units.FormatTime(float64(p.P99US)), 9),
			units.Cell(units.FormatTime(float64(p.MaxUS)), 9))
	}
	return ew.err
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
