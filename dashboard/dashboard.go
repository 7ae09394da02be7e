// Package dashboard serves a live view of a run: one page at / with the
// HTML report's charts, redrawn every second from Server-Sent Events at
// /events, and the final report at the end. The run never waits for a
// viewer: each browser gets the latest update when it is ready for one,
// and updates it was too slow for are dropped.
package dashboard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/report"
	"github.com/gowrk/gowrk/summary"
	"github.com/gowrk/gowrk/sysstat"
	"github.com/gowrk/gowrk/units"
)

// DefaultAddr is where --dashboard listens without an address.
const DefaultAddr = "127.0.0.1:5665"

// writeTimeout bounds one write to a browser, so that one that stopped
// reading does not hold its connection open for ever.
const writeTimeout = 10 * time.Second

// Update is one event: what the page shows.
type Update struct {
	// Final is true for the last update, after the run.
	Final bool `json:"final"`
	// Seq counts the updates.
	Seq int `json:"seq"`
	// Status is a line on the run's progress.
	Status string `json:"status"`
	// Numbers are the figures shown above the charts, by name.
	Numbers []Number `json:"numbers"`
	// Charts are the charts as SVG.
	Charts []template.HTML `json:"charts"`
}

// Number is one figure: Value is exact (as in the JSON report), Text is
// how the page prints it.
type Number struct {
	Name  string  `json:"name"`
	Label string  `json:"label"`
	Value float64 `json:"value"`
	Text  string  `json:"text"`
}

// Server is a running dashboard.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	monitor func() []sysstat.Series
	dirty   chan struct{} // a new update is due
	quit    chan struct{} // closed by Close: handlers and the renderer end
	stopped chan struct{} // closed when the renderer has ended

	mu      sync.Mutex
	cfg     *generator.Config
	start   time.Time
	series  []generator.Interval
	codes   map[int]uint64 // responses by status code so far
	snap    generator.Snapshot
	latest  []byte // the latest event, as sent
	seq     int
	final   bool
	report  []byte // the final HTML report
	clients map[chan []byte]struct{}
	metrics http.Handler // the series at /metrics, once set
}

// Listen binds addr at once, so that an address in use fails before the
// run. monitor, when set, supplies the resource series to draw.
func Listen(addr string, monitor func() []sysstat.Series) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--dashboard %s: %w", addr, unwrapOp(err))
	}
	s := &Server{
		ln: ln, monitor: monitor,
		dirty: make(chan struct{}, 1), quit: make(chan struct{}), stopped: make(chan struct{}),
		clients: map[chan []byte]struct{}{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /report", s.finalReport)
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.latest = s.encode(s.build(false))
	go s.srv.Serve(ln)
	go s.render()
	return s, nil
}

// unwrapOp shortens "listen tcp 127.0.0.1:5665: bind: address already in
// use" to what follows the address.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

// URL is the page's address.
func (s *Server) URL() string {
	addr := s.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(addr.Port)) + "/"
}

// Interval records a closed series bucket: generator.Config.OnInterval.
// It only copies the bucket.
func (s *Server) Interval(d generator.IntervalData) {
	s.mu.Lock()
	if s.cfg == nil {
		s.cfg, s.start = d.Config, d.RunStart
	}
	s.series = append(s.series, d.Interval)
	s.codes = d.StatusCodes
	s.mu.Unlock()
}

// Progress records the totals and asks for a new update:
// generator.Config.Progress. It never blocks.
func (s *Server) Progress(snap generator.Snapshot) {
	s.mu.Lock()
	s.snap = snap
	s.mu.Unlock()
	select {
	case s.dirty <- struct{}{}:
	default:
	}
}

// Finish shows the final report: its figures are the JSON report's.
func (s *Server) Finish(run *summary.Run, d report.Details) error {
	var doc bytes.Buffer
	if err := report.JSON(&doc, run, d); err != nil {
		return err
	}
	var page bytes.Buffer
	if err := report.HTML(&page, run, d); err != nil {
		return err
	}
	u, err := finalUpdate(doc.Bytes(), report.Charts(run, d))
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.seq++
	u.Seq = s.seq
	s.final, s.report = true, page.Bytes()
	s.mu.Unlock()
	s.broadcast(s.encode(u))
	return nil
}

// Close stops serving: open event streams end, then the server.
func (s *Server) Close() error {
	select {
	case <-s.quit:
		return nil
	default:
	}
	close(s.quit)
	<-s.stopped
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return s.srv.Close()
	}
	return nil
}

// render builds an update whenever one is due, away from the run's
// goroutines.
func (s *Server) render() {
	defer close(s.stopped)
	for {
		select {
		case <-s.quit:
			return
		case <-s.dirty:
		}
		s.mu.Lock()
		final := s.final
		s.mu.Unlock()
		if final {
			continue
		}
		s.broadcast(s.encode(s.build(true)))
	}
}

// build makes a live update from the state so far.
func (s *Server) build(bump bool) Update {
	var mon []sysstat.Series
	if s.monitor != nil {
		mon = s.monitor()
	}
	s.mu.Lock()
	res := &generator.Result{Series: append([]generator.Interval(nil), s.series...), StatusCodes: s.codes}
	if s.cfg != nil {
		res.Config = *s.cfg
	}
	snap := s.snap
	if bump {
		s.seq++
	}
	u := Update{Seq: s.seq}
	s.mu.Unlock()

	u.Status = "waiting for the run to start"
	if snap.Duration > 0 {
		u.Status = fmt.Sprintf("running: %s of %s", snap.Elapsed.Round(time.Second), snap.Duration)
	}
	u.Numbers = []Number{
		{Name: "elapsed_s", Label: "Elapsed", Value: snap.Elapsed.Seconds(), Text: snap.Elapsed.Round(time.Second).String()},
		{Name: "requests", Label: "Requests", Value: float64(snap.Requests), Text: strconv.FormatUint(snap.Requests, 10)},
		{Name: "errors", Label: "Errors", Value: float64(snap.Errors), Text: strconv.FormatUint(snap.Errors, 10)},
		{Name: "rate", Label: "Requests/sec now", Value: snap.Rate, Text: units.FormatMetric(snap.Rate)},
	}
	if snap.Target > 0 {
		u.Numbers = append(u.Numbers, Number{Name: "target", Label: "Target/sec now", Value: snap.Target, Text: units.FormatMetric(snap.Target)})
	}
	u.Charts = report.LiveCharts(res, mon)
	return u
}

// finalUpdate takes its figures from the JSON report itself, so that the
// page and the document cannot disagree.
func finalUpdate(doc []byte, charts []template.HTML) (Update, error) {
	var r struct {
		RuntimeS       float64 `json:"runtime_s"`
		Requests       uint64  `json:"requests"`
		RequestsPerSec float64 `json:"requests_per_sec"`
		BytesPerSec    float64 `json:"bytes_per_sec"`
		Errors         struct {
			Total uint64 `json:"total"`
		} `json:"errors"`
		Latency struct {
			Corrected struct {
				MeanUS      float64 `json:"mean_us"`
				MaxUS       int64   `json:"max_us"`
				Percentiles []struct {
					Percentile float64 `json:"percentile"`
					ValueUS    int64   `json:"value_us"`
				} `json:"percentiles"`
			} `json:"corrected"`
		} `json:"latency"`
	}
	if err := json.Unmarshal(doc, &r); err != nil {
		return Update{}, err
	}
	lat := r.Latency.Corrected
	u := Update{Final: true, Status: "finished", Charts: charts, Numbers: []Number{
		{Name: "runtime_s", Label: "Duration", Value: r.RuntimeS, Text: units.FormatTime(r.RuntimeS * 1e6)},
		{Name: "requests", Label: "Requests", Value: float64(r.Requests), Text: strconv.FormatUint(r.Requests, 10)},
		{Name: "requests_per_sec", Label: "Requests/sec", Value: r.RequestsPerSec, Text: units.FormatMetric(r.RequestsPerSec)},
		{Name: "bytes_per_sec", Label: "Transfer/sec", Value: r.BytesPerSec, Text: units.FormatBinary(r.BytesPerSec) + "B"},
		{Name: "errors", Label: "Errors", Value: float64(r.Errors.Total), Text: strconv.FormatUint(r.Errors.Total, 10)},
		{Name: "mean_us", Label: "Latency mean", Value: lat.MeanUS, Text: units.FormatTime(lat.MeanUS)},
	}}
	for _, p := range lat.Percentiles {
		name := "p" + strconv.FormatFloat(p.Percentile, 'f', -1, 64)
		u.Numbers = append(u.Numbers, Number{Name: name + "_us", Label: "Latency " + name, Value: float64(p.ValueUS), Text: units.FormatTime(float64(p.ValueUS))})
	}
	u.Numbers = append(u.Numbers, Number{Name: "max_us", Label: "Latency max", Value: float64(lat.MaxUS), Text: units.FormatTime(float64(lat.MaxUS))})
	return u, nil
}

// encode makes the event's wire form and keeps it for new viewers.
func (s *Server) encode(u Update) []byte {
	data, err := json.Marshal(u)
	if err != nil {
		data = []byte(`{"status":"error"}`)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %d\nevent: update\ndata: %s\n\n", u.Seq, data)
	return b.Bytes()
}

// broadcast hands ev to every viewer without waiting: a viewer still busy
// with an older update gets this one in its place.
func (s *Server) broadcast(ev []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latest = ev
	for c := range s.clients {
		select {
		case c <- ev:
		default:
			select {
			case <-c:
			default:
			}
			c <- ev
		}
	}
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	c := make(chan []byte, 1)
	s.mu.Lock()
	c <- s.latest
	s.clients[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}()
	for {
		select {
		case <-s.quit:
			return
		case <-r.Context().Done():
			return
		case ev := <-c:
			_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := w.Write(ev); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// Clients is the number of open event streams.
func (s *Server) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

func (s *Server) finalReport(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	page := s.report
	s.mu.Unlock()
	if page == nil {
		http.Error(w, "the report is written when the run ends", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

// SetMetrics serves h at /metrics: the run's series in Prometheus' text
// format, the current ones during the run and the final ones after it.
func (s *Server) SetMetrics(h http.Handler) {
	s.mu.Lock()
	s.metrics = h
	s.mu.Unlock()
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.metrics
	s.mu.Unlock()
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ev := s.latest
	s.mu.Unlock()
	// The page starts with the latest update drawn, so it shows something
	// even before its script runs.
	var u Update
	if i := bytes.Index(ev, []byte("data: ")); i >= 0 {
		_ = json.Unmarshal(bytes.TrimSpace(ev[i+len("data: "):]), &u)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
	if err := pageTemplate.Execute(w, pageData{Update: u, Script: template.JS(script)}); err != nil {
		return
	}
}

type pageData struct {
	Update
	Script template.JS
}

// script draws each update: it replaces the figures and the charts.
const script = `(function () {
  var body = document.body, seen = 0;
  function apply(u) {
    seen++;
    body.setAttribute('data-updates', String(seen));
    body.setAttribute('data-seq', String(u.seq));
    document.getElementById('status').textContent = u.status;
    var figs = document.getElementById('numbers');
    figs.replaceChildren();
    u.numbers.forEach(function (n) {
      var d = document.createElement('div'), l = document.createElement('span'), v = document.createElement('b');
      d.className = 'fig'; d.id = 'n-' + n.name; d.setAttribute('data-value', String(n.value));
      l.textContent = n.label; v.textContent = n.text;
      d.append(l, v); figs.append(d);
    });
    document.getElementById('charts').innerHTML = u.charts.join('\n');
    if (u.final) {
      body.setAttribute('data-final', 'true');
      document.getElementById('full').hidden = false;
      es.close();
    }
  }
  var es = new EventSource('/events');
  es.addEventListener('update', function (e) { apply(JSON.parse(e.data)); });
  es.onerror = function () {
    if (body.getAttribute('data-final') !== 'true') document.getElementById('status').textContent = 'disconnected: the run is over or gowrk stopped';
  };
})();`

// csp allows the page's own script (by its hash) and its own origin's
// event stream, nothing else.
var csp = func() string {
	sum := sha256.Sum256([]byte(script))
	return "default-src 'none'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'"
}()

var pageTemplate = template.Must(template.New("dashboard").Funcs(template.FuncMap{"chartStyle": func() template.CSS { return report.ChartStyle }}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gowrk dashboard</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #0f172a; background: #f8fafc; margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.sub { color: #475569; margin: 0 0 16px; }
#numbers { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 16px; }
.fig { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 8px 12px; min-width: 110px; }
.fig span { display: block; color: #475569; font-size: 12px; }
.fig b { font-size: 18px; font-variant-numeric: tabular-nums; }
{{chartStyle}}
</style>
</head>
<body data-updates="0" data-seq="{{.Seq}}"{{if .Final}} data-final="true"{{end}}>
<main>
<h1>gowrk</h1>
<p class="sub" id="status">{{.Status}}</p>
<div id="numbers">{{range .Numbers}}<div class="fig" id="n-{{.Name}}" data-value="{{.Value}}"><span>{{.Label}}</span><b>{{.Text}}</b></div>{{end}}</div>
<p id="full"{{if not .Final}} hidden{{end}}><a href="/report">The full report</a></p>
<div id="charts">{{range .Charts}}{{.}}
{{end}}</div>
</main>
<script>{{.Script}}</script>
</body>
</html>
`))
