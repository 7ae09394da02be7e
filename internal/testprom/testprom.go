// Package testprom starts Prometheus for tests, as a private instance on a
// free loopback port with its data in a scratch directory: no scrape jobs,
// the remote write receiver on, its HTTP API queried by Query.
package testprom

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gowrk/gowrk/internal/testenv"
)

// Server is a running Prometheus.
type Server struct {
	// URL is "http://127.0.0.1:port"; remote write goes to URL + WritePath.
	URL string
}

// WritePath is the remote write receiver's path.
const WritePath = "/api/v1/write"

// Start runs Prometheus until the test ends and waits until it is ready.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := testenv.Require(t, "prometheus")
	dir := t.TempDir()
	conf := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(conf, []byte("global:\n  scrape_interval: 1m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logPath := filepath.Join(dir, "prometheus.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--config.file="+conf, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--web.enable-remote-write-receiver", "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	done := testenv.Start(t, "prometheus", cmd)
	s := &Server{URL: "http://" + addr}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-done:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("prometheus exited:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("prometheus not ready: %v\n%s", err, log)
		}
	}
}

// Sample is one series of an instant query's result.
type Sample struct {
	Metric map[string]string
	Value  float64
}

// Query evaluates expr now and returns its vector.
func (s *Server) Query(t testing.TB, expr string) []Sample {
	t.Helper()
	resp, err := http.Get(s.URL + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status, Error string
		Data          struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("query %s: %v", expr, err)
	}
	if body.Status != "success" || body.Data.ResultType != "vector" {
		t.Fatalf("query %s: %s %s (%s)", expr, body.Status, body.Error, body.Data.ResultType)
	}
	out := make([]Sample, 0, len(body.Data.Result))
	for _, r := range body.Data.Result {
		text, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			t.Fatalf("query %s: value %v", expr, r.Value)
		}
		out = append(out, Sample{Metric: r.Metric, Value: v})
	}
	return out
}

// Value is the value of expr, which must be one series.
func (s *Server) Value(t testing.TB, expr string) float64 {
	t.Helper()
	res := s.Query(t, expr)
	if len(res) != 1 {
		t.Fatalf("query %s: %d series, want one: %v", expr, len(res), res)
	}
	return res[0].Value
}
