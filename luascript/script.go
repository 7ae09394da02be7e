package luascript

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/gowrk/gowrk/generator"
)

// Options describe the script to load and the run it belongs to.
type Options struct {
	// Path is the script file; errors name it as given.
	Path string
	// URL is the target; it fills wrk.scheme, host, port and path.
	URL *url.URL
	// Args are the words after the URL, passed to init(args) as args[1..n].
	Args []string
	// Headers are the -H headers, already in wrk.headers; Method and Body
	// are -m's and -b's, wrk.method (GET when empty) and wrk.body.
	Headers []generator.Header
	Method  string
	Body    []byte
	// Stdout receives print() and io.write output; os.Stdout when nil.
	Stdout io.Writer
	// Context interrupts the script's top level, setup() and init() when
	// cancelled (Ctrl-C); see also Script.SetContext and StageTime.
	// Background when nil.
	Context context.Context
	// ByEndpoint tags each request with its endpoint group, "METHOD /path"
	// (generator.Config.ByEndpoint).
	ByEndpoint bool
	// StageTime, when positive, bounds each stage of the script outside the
	// run, where the run's end cannot interrupt it: the top level in Load;
	// setup() and init() of every thread together, from the first NewThread
	// until SetContext; and done(). A stage that runs over stops with
	// "<file>:<line>: interrupted (<stage> ran over its time, <StageTime>)".
	StageTime time.Duration
}

// Script is a loaded wrk script. It implements generator.Scripter.
type Script struct {
	path    string
	proto   *lua.FunctionProto
	rawURL  string
	scheme  string
	host    string
	port    string
	reqPath string
	args    []string
	headers []generator.Header
	method  string
	body    []byte
	out     *syncWriter
	// ctx is the context of the main state and of thread states being made:
	// parent, or within a stage outside the run, parent with the stage's
	// deadline (see beginStage).
	ctx         context.Context
	parent      context.Context
	stageTime   time.Duration
	stage       string // the current or last stage outside the run
	setupBegun  bool
	cancelStage context.CancelFunc
	gc          gcTuning
	// byEndpoint is Options.ByEndpoint.
	byEndpoint bool

	// mu guards the main state and threads. Lock order: mu, then a
	// thread's mu (setup and done reach into thread states).
	mu      sync.Mutex
	main    *state
	threads []*thread
	closed  bool
}

var _ generator.Scripter = (*Script)(nil)

// Load reads and compiles the script and runs its top level in the main
// state. A script that cannot be read, parsed or run is an *Error.
func Load(opts Options) (*Script, error) {
	if opts.URL == nil {
		return nil, errors.New("luascript: Options.URL is required")
	}
	src, err := os.ReadFile(opts.Path)
	if err != nil {
		var perr *fs.PathError
		if errors.As(err, &perr) {
			err = perr.Err
		}
		return nil, &Error{File: opts.Path, Msg: "cannot open script: " + err.Error()}
	}
	proto, err := compileSource(src, opts.Path)
	if err != nil {
		return nil, err
	}

	w := opts.Stdout
	if w == nil {
		w = os.Stdout
	}
	s := &Script{
		path:       opts.Path,
		proto:      proto,
		rawURL:     opts.URL.String(),
		scheme:     opts.URL.Scheme,
		host:       opts.URL.Hostname(),
		port:       opts.URL.Port(),
		reqPath:    requestPath(opts.URL),
		args:       opts.Args,
		headers:    opts.Headers,
		method:     opts.Method,
		body:       opts.Body,
		out:        &syncWriter{w: w},
		parent:     opts.Context,
		stageTime:  opts.StageTime,
		byEndpoint: opts.ByEndpoint,
	}
	if s.parent == nil {
		s.parent = context.Background()
	}
	s.beginStage("the top level")
	s.main, err = newState(s)
	s.endStage()
	if err != nil {
		return nil, err
	}
	return s, nil
}

// compileSource compiles a chunk of Lua named name, accepting LuaJIT's
// string escapes. A compile failure is an *Error.
func compileSource(src []byte, name string) (*lua.FunctionProto, error) {
	// A "#!" first line is skipped by Lua; commenting it out keeps the
	// line numbers of the rest.
	if bytes.HasPrefix(src, []byte("#")) {
		src = append([]byte("--"), src...)
	}
	src = rewriteEscapes(src)
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		return nil, compileError(name, bytes.Count(src, []byte("\n"))+1, err)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, compileError(name, 0, err)
	}
	return proto, nil
}

// requestPath is wrk.path: everything after the authority, query included,
// and "/" when that is empty.
func requestPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.ForceQuery || u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// NewThread creates the next thread's state, runs the top level in it, then
// setup(thread) in the main state and init(args) in the thread's state, and
// decides from what init left which hooks the engine must call. The index
// is not needed: wrk's thread objects carry no number.
func (s *Script) NewThread(index int, addr net.Addr, ctl generator.ThreadControl) (generator.ThreadScript, error) {
	t := &thread{script: s, ctl: ctl, id: index + 1, addr: copyAddr(addr)}
	if s.byEndpoint {
		t.eps = newEndpoints()
	}
	s.mu.Lock()
	if !s.setupBegun {
		s.setupBegun = true
		s.beginStage("setup() and init()")
	}
	s.mu.Unlock()
	st, err := newState(s)
	if err != nil {
		return nil, err
	}
	t.st = st
	st.wrk.RawSetString("thread", st.newThread(t))

	s.mu.Lock()
	err = s.setup(t)
	if err == nil {
		s.threads = append(s.threads, t)
	}
	s.mu.Unlock()
	if err != nil {
		st.close()
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.init(); err != nil {
		return nil, err
	}
	t.release = watchRun(st.L, ctl.Done())
	if !t.static || t.hasResponse || t.hasDelay {
		s.gc.raise()
	}
	return t, nil
}

// setup calls the main state's setup(thread), if defined. thread.addr is
// already the address the engine resolved.
func (s *Script) setup(t *thread) error {
	fn, ok := s.main.function("setup")
	if !ok {
		return nil
	}
	_, err := s.main.call(fn, 0, s.main.newThread(t))
	return err
}

// Close releases the Lua states. The script must not be used afterwards;
// closing it again does nothing.
func (s *Script) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	for _, t := range s.threads {
		t.mu.Lock()
		if t.release != nil {
			t.release()
		}
		t.st.close()
		t.mu.Unlock()
	}
	s.threads = nil
	s.main.close()
	s.gc.restore()
}
