// Package progress draws a one-line live status of a running test on a
// terminal: elapsed and planned time, the current rate and the errors.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/units"
)

// IsTerminal reports whether w is a terminal; only a terminal gets the
// live line, so logs and pipes stay clean.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Line redraws one status line in place. Update and Clear must not be
// called concurrently; the engine calls Update from a single goroutine.
type Line struct {
	w io.Writer
	// width is the terminal's width in columns, asked on every redraw so
	// a resized window is followed; 0 when unknown.
	width func() int
	buf   []byte
	drawn bool
}

// New returns a Line drawing on w, cut to w's width when w is a terminal.
func New(w io.Writer) *Line {
	l := &Line{w: w, width: func() int { return 0 }}
	if f, ok := w.(*os.File); ok {
		fd := int(f.Fd())
		l.width = func() int {
			cols, _, err := term.GetSize(fd)
			if err != nil {
				return 0
			}
			return cols
		}
	}
	return l
}

// reservedColumns are kept free at the right edge: two for the "^C" a
// terminal echoes on Ctrl-C, one so the cursor never reaches the edge.
const reservedColumns = 3

// Update redraws the line with s.
func (l *Line) Update(s generator.Snapshot) {
	text := Format(s)
	// A line that reaches the last column wraps (or parks the cursor past
	// the edge), and "\r" then returns only to the start of the last row,
	// leaving the rest behind. The terminal also echoes Ctrl-C as "^C" after
	// the text. So the line stops short of the edge by those two columns and
	// one more. The text is ASCII, so bytes are columns.
	if cols := l.width() - reservedColumns; cols > 0 && len(text) > cols {
		text = text[:cols]
	}
	l.buf = append(append(l.buf[:0], "\r\x1b[K"...), text...)
	l.w.Write(l.buf)
	l.drawn = true
}

// Clear erases the line, if drawn, before the report is printed.
func (l *Line) Clear() {
	if l.drawn {
		io.WriteString(l.w, "\r\x1b[K")
		l.drawn = false
	}
}

// Format is the status text, e.g.
// "[12s/1m00s] 23.45k req/s (target 25.00k/s), 281400 requests, 3 errors (0.00%)".
// The error share is of the attempts: responses (which include the error
// statuses) plus requests that got none.
func Format(s generator.Snapshot) string {
	if s.WarmingUp {
		return fmt.Sprintf("[%s/%s] warming up", clock(s.Elapsed), clock(s.Duration))
	}
	at, requests := clock(s.Elapsed)+"/"+clock(s.Duration), fmt.Sprint(s.Requests)
	if s.Of > 0 {
		// -n: the run's length is its requests; -d only bounds it.
		at, requests = clock(s.Elapsed), fmt.Sprintf("%d of %d", s.Requests, s.Of)
	}
	text := fmt.Sprintf("[%s] %s req/s", at, units.FormatMetric(s.Rate))
	if s.Target > 0 {
		text += fmt.Sprintf(" (target %s/s)", units.FormatMetric(s.Target))
	}
	text += fmt.Sprintf(", %s requests, %d errors", requests, s.Errors)
	if attempts := s.Requests + s.SocketErrors; s.Errors > 0 && attempts > 0 {
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
