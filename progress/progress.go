// Package progress draws a one-line live status of a running test on a
// terminal: elapsed and planned time, the current rate and the errors.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/units"
)

// IsTerminal reports whether w is a terminal; only a terminal gets the
// live line, so logs and pipes stay clean.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Line redraws one status line in place. Update and Clear must not be
// called concurrently; the engine calls Update from a single goroutine.
type Line struct {
	w     io.Writer
	drawn bool
}

// New returns a Line drawing on w.
func New(w io.Writer) *Line { return &Line{w: w} }

// Update redraws the line with s.
func (l *Line) Update(s generator.Snapshot) {
	fmt.Fprintf(l.w, "\r\x1b[K%s", Format(s))
	l.drawn = true
}

// Clear erases the line, if drawn, before the report is printed.
func (l *Line) Clear() {
	if l.drawn {
		fmt.Fprint(l.w, "\r\x1b[K")
		l.drawn = false
	}
}

// Format is the status text, e.g.
// "[12s/1m00s] 23.45k req/s (target 25.00k/s), 281400 requests, 3 errors (0.00%)".
func Format(s generator.Snapshot) string {
	text := fmt.Sprintf("[%s/%s] %s req/s", clock(s.Elapsed), clock(s.Duration), units.FormatMetric(s.Rate))
	if s.Target > 0 {
		text += fmt.Sprintf(" (target %s/s)", units.FormatMetric(s.Target))
	}
	text += fmt.Sprintf(", %d requests, %d errors", s.Requests, s.Errors)
	if attempts := s.Requests + s.Errors; s.Errors > 0 && attempts > 0 {
		text += fmt.Sprintf(" (%.2f%%)", float64(s.Errors)/float64(attempts)*100)
	}
	return text
}

// clock prints a duration in whole seconds as 45s, 2m05s or 1h02m05s.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh%02dm%02ds", s/3600, s/60%60, s%60)
}
