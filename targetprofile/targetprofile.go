// Package targetprofile takes a Go program's CPU profile from its
// net/http/pprof endpoint while a load runs, and sums it up by function:
// the "load it, then run go tool pprof during the load" step in one go.
package targetprofile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/pprof/profile"
)

// ParseURL checks a pprof endpoint: the CPU profile's URL
// (http://host:port/debug/pprof/profile) or pprof's base, /debug/pprof or
// /debug/pprof/, to which "profile" is added. Its seconds parameter, if
// any, is replaced by the window's when the profile is taken.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return nil, fmt.Errorf("invalid pprof URL %q: want http(s)://HOST:PORT/debug/pprof/profile", strings.Map(printable, raw))
	}
	if strings.HasSuffix(u.Path, "/debug/pprof") || strings.HasSuffix(u.Path, "/debug/pprof/") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/profile"
		u.RawPath = ""
	}
	return u, nil
}

// Window is the part of a run a profile covers: Seconds long (pprof takes
// whole seconds), from Start after the run's first request.
type Window struct {
	Start   time.Duration
	Seconds int
}

// End is when the window closes, from the run's first request.
func (w Window) End() time.Duration { return w.Start + time.Duration(w.Seconds)*time.Second }

// ErrTooShort is Plan's answer for a span too short for a 1s profile.
var ErrTooShort = errors.New("too short for a CPU profile of at least 1s")

// Plan places a window in the steady part of a span of the run, from
// start for length: it leaves out the span's first tenth (at most 1s),
// while connections open and caches warm, and as much at the end (at
// least 0.5s), so that the profile ends before the load does and its
// response is back in time; the whole seconds that fit are centred in
// what is left.
func Plan(start, length time.Duration) (Window, error) {
	lead := min(length/10, time.Second)
	tail := max(lead, 500*time.Millisecond)
	room := length - lead - tail
	secs := int(room / time.Second)
	if secs < 1 {
		return Window{}, ErrTooShort
	}
	slack := room - time.Duration(secs)*time.Second
	return Window{Start: start + lead + slack/2, Seconds: secs}, nil
}

// maxProfileBytes bounds the profile read: a CPU profile is a few MB at
// most, whatever the length.
const maxProfileBytes = 256 << 20

// responseGrace is how long after its window a profile may take to
// arrive: the server writes it as soon as the window ends.
const responseGrace = 30 * time.Second

// Fetch asks endpoint for a CPU profile of seconds and returns it as
// served (gzipped protobuf, what go tool pprof reads) and parsed. It
// fails, in one line, on an error status, on a body that is not a Go CPU
// profile, and when ctx ends first.
func Fetch(ctx context.Context, client *http.Client, endpoint *url.URL, seconds int) ([]byte, *profile.Profile, error) {
	u := *endpoint
	q := u.Query()
	q.Set("seconds", strconv.Itoa(seconds))
	u.RawQuery = q.Encode()
	reqCtx, cancel := context.WithTimeout(ctx, time.Duration(seconds)*time.Second+responseGrace)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := client.Do(req)
	if ctx.Err() != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, nil, ctx.Err()
	}
	if err != nil {
		return nil, nil, oneLine(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxProfileBytes+1))
	switch {
	case ctx.Err() != nil:
		return nil, nil, ctx.Err()
	case err != nil:
		return nil, nil, oneLine(fmt.Errorf("reading the profile from %s: %w", u.Redacted(), err))
	case resp.StatusCode != http.StatusOK:
		return nil, nil, fmt.Errorf("%s answered %s%s", u.Redacted(), resp.Status, bodyLine(data))
	case len(data) > maxProfileBytes:
		return nil, nil, fmt.Errorf("%s sent over %d MB: not a CPU profile", u.Redacted(), maxProfileBytes>>20)
	}
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s did not send a pprof profile%s", u.Redacted(), bodyLine(data))
	}
	if cpuIndex(p) < 0 {
		return nil, nil, fmt.Errorf("%s sent a profile of %s, not a CPU profile: want the /debug/pprof/profile endpoint", u.Redacted(), sampleTypes(p))
	}
	return data, p, nil
}

// Capture is a profile being taken during a run.
type Capture struct {
	cancel context.CancelFunc
	done   chan struct{}
	data   []byte
	prof   *profile.Profile
	err    error
}

// Start takes a profile of w: it waits until w.Start from now, when the
// run's first request goes, then fetches the profile in the background.
func Start(client *http.Client, endpoint *url.URL, w Window) *Capture {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Capture{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTimer(w.Start)
		defer t.Stop()
		select {
		case <-t.C:
			c.data, c.prof, c.err = Fetch(ctx, client, endpoint, w.Seconds)
		case <-ctx.Done():
			c.err = ctx.Err()
		}
	}()
	return c
}

// Done is closed once the profile is in or has failed.
func (c *Capture) Done() <-chan struct{} { return c.done }

// Cancel gives the profile up and waits for the request to end; Result
// then returns context.Canceled unless the profile was already in.
func (c *Capture) Cancel() {
	c.cancel()
	<-c.done
}

// Result waits for the profile and returns it, as served and parsed.
func (c *Capture) Result() ([]byte, *profile.Profile, error) {
	<-c.done
	return c.data, c.prof, c.err
}

// cpuIndex is the index of a Go CPU profile's sample value in CPU
// nanoseconds, or -1.
func cpuIndex(p *profile.Profile) int {
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			return i
		}
	}
	return -1
}

func sampleTypes(p *profile.Profile) string {
	var names []string
	for _, st := range p.SampleType {
		names = append(names, st.Type+"/"+st.Unit)
	}
	if len(names) == 0 {
		return "no sample types"
	}
	return strings.Join(names, ", ")
}

// bodyLine is the start of an error response's first line, printable, as
// ": text", or "" when the body is empty or binary.
func bodyLine(data []byte) string {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSpace(line)
	if len(line) == 0 || !utf8.Valid(line) || bytes.ContainsFunc(line, func(r rune) bool { return r < ' ' && r != '\t' }) {
		return ""
	}
	const most = 120
	s := string(line)
	if len(s) > most {
		s = strings.ToValidUTF8(s[:most], "") + "..."
	}
	return ": " + strings.Map(printable, s)
}

func oneLine(err error) error { return errors.New(strings.Map(printable, err.Error())) }

// printable replaces what would garble an error line on a terminal.
func printable(r rune) rune {
	if r < ' ' || r == 0x7f || r == utf8.RuneError {
		return '?'
	}
	return r
}
