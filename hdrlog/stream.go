package hdrlog

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// A log can travel in a stream shared with other output, such as a
// container's log, where no file can be collected: each of its lines is
// prefixed with streamMarker, a key naming the log, and streamSep. The key
// keeps the logs of several runs apart when their streams are
// concatenated (`kubectl logs -l job-name=...`); whatever precedes the
// marker on a line (a collector's own prefix) is ignored.
const (
	streamMarker = "gowrk-hlog "
	streamSep    = " | "
)

// lineWriter prefixes each line written to it; it holds a partial line
// until its end, so each line goes to w in one Write.
type lineWriter struct {
	w      io.Writer
	prefix []byte
	line   []byte
}

// NewStreamWriter returns a writer that prefixes each line for a stream
// shared with other output, under a key of its own.
func NewStreamWriter(w io.Writer) io.Writer {
	var key [4]byte
	_, _ = rand.Read(key[:])
	return &lineWriter{w: w, prefix: []byte(streamMarker + hex.EncodeToString(key[:]) + streamSep)}
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(lw.line) == 0 {
			lw.line = append(lw.line, lw.prefix...)
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			lw.line = append(lw.line, p...)
			return n, nil
		}
		lw.line = append(lw.line, p[:i+1]...)
		p = p[i+1:]
		if _, err := lw.w.Write(lw.line); err != nil {
			return 0, err
		}
		lw.line = lw.line[:0]
	}
	return n, nil
}

// ReadStream reads the logs carried in a stream, in the order of their
// first lines, and ignores every other line. name names the stream in
// errors and Log.Path ("name#2": its second log).
func ReadStream(r io.Reader, name string) ([]*Log, error) {
	var keys []string
	bodies := map[string]*bytes.Buffer{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine+256)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, streamMarker)
		if i < 0 {
			continue
		}
		key, rest, ok := strings.Cut(line[i+len(streamMarker):], streamSep)
		if !ok {
			continue
		}
		b := bodies[key]
		if b == nil {
			b = &bytes.Buffer{}
			bodies[key] = b
			keys = append(keys, key)
		}
		b.WriteString(rest)
		b.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: %w", name, errNoLogs)
	}
	logs := make([]*Log, len(keys))
	for i, key := range keys {
		path := fmt.Sprintf("%s#%d", name, i+1)
		l, err := read(bytes.NewReader(bodies[key].Bytes()))
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", path, key, err)
		}
		l.Path, l.data = path, bodies[key].Bytes()
		logs[i] = l
	}
	return logs, nil
}

// IsStream reports whether the file at path holds logs among other output,
// judged by its first line that belongs to a log.
func IsStream(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), maxLine+256)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") && !strings.Contains(line, streamMarker) {
			return false
		}
		if strings.Contains(line, streamMarker) {
			return true
		}
	}
	return false
}

// ReadStreamFile reads the logs carried in the file at path.
func ReadStreamFile(path string) ([]*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadStream(f, path)
}
