package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/summary"
)

func withConnectTiming() *generator.Result {
	res := closedLoopResult()
	res.Config.Transport = generator.Transport{HTTP2: true, Streams: 10}
	res.Connect = generator.ConnectTiming{DNS: generator.NewLatencyHistogram(), TCP: generator.NewLatencyHistogram(), TLS: generator.NewLatencyHistogram()}
	_ = res.Connect.DNS.RecordValue(1500)
	for i := int64(1); i <= 100; i++ {
		_ = res.Connect.TCP.RecordValue(100 * i)
		_ = res.Connect.TLS.RecordValue(1000 * i)
	}
	res.Errors.Reset = 3
	return res
}

func TestConnectJSON(t *testing.T) {
	var out bytes.Buffer
	if err := JSON(&out, summary.New(withConnectTiming()), Details{}); err != nil {
		t.Fatal(err)
	}
	if err := loadSchema(t).Validate(out.Bytes()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var doc struct {
		Config struct {
			HTTP2   bool `json:"http2"`
			Streams int  `json:"streams"`
		} `json:"config"`
		Errors  struct{ Reset, Total uint64 } `json:"errors"`
		Connect map[string]struct {
			Count int64   `json:"count"`
			Mean  float64 `json:"mean_us"`
			P50   int64   `json:"p50_us"`
			P99   int64   `json:"p99_us"`
			Max   int64   `json:"max_us"`
		} `json:"connect"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Config.HTTP2 || doc.Config.Streams != 10 || doc.Errors.Reset != 3 {
		t.Errorf("config %+v, errors %+v", doc.Config, doc.Errors)
	}
	tcp, tls, dns := doc.Connect["tcp"], doc.Connect["tls"], doc.Connect["dns"]
	near := func(v, want int64) bool { return v >= want && v <= want+want/100 } // 3 significant digits
	if tcp.Count != 100 || !near(tcp.P50, 5000) || !near(tcp.Max, 10000) || !near(tls.P99, 99000) || dns.Count != 1 || dns.Max != 1500 {
		t.Errorf("connect section %+v", doc.Connect)
	}
}

func TestConnectTextOnlyWhenAsked(t *testing.T) {
	res := withConnectTiming()
	var plain bytes.Buffer
	if err := TextReporter(summary.New(res), TextOptions{})(&plain); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "Connect") {
		t.Errorf("default text report shows connection timing:\n%s", plain.String())
	}
	if !strings.Contains(plain.String(), ", reset 3\n") {
		t.Errorf("socket errors line without the resets:\n%s", plain.String())
	}
	var block bytes.Buffer
	if err := ConnectText(&block, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(block.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "  Connect Timing") || !strings.HasPrefix(strings.TrimSpace(lines[2]), "TCP") || !strings.Contains(lines[2], " 100 ") {
		t.Errorf("connect block:\n%s", block.String())
	}
	res.Errors.Reset = 0
	plain.Reset()
	_ = TextReporter(summary.New(res), TextOptions{})(&plain)
	if strings.Contains(plain.String(), "reset") {
		t.Errorf("HTTP/1.1 socket errors line changed:\n%s", plain.String())
	}
}

func TestConnectHTML(t *testing.T) {
	var out bytes.Buffer
	if err := HTML(&out, summary.New(withConnectTiming()), Details{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `id="connect"`) || !strings.Contains(out.String(), "<th>TLS</th>") {
		t.Error("HTML report without the connection timing table")
	}
	out.Reset()
	_ = HTML(&out, summary.New(closedLoopResult()), Details{})
	if strings.Contains(out.String(), `id="connect"`) {
		t.Error("connection timing table without timing")
	}
}
