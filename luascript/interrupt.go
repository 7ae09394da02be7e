package luascript

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// interruptGrace is how long a hook may still run after the run has ended
// before it is interrupted: a hook that was merely busy at that instant, on
// a machine slow enough to delay it, finishes normally; one that never
// returns is stopped. The report's duration does not include it.
const interruptGrace = 500 * time.Millisecond

// interruptedMsg replaces the context's own error text in Lua errors.
const interruptedMsg = "interrupted"

// Cancellation reaches Lua through gopher-lua's context support, which
// calls the context's Done before every instruction: gopher-lua has no
// instruction-count hook. A thread's hooks use runContext, whose Done is
// nil (a receive that never proceeds, the cheapest select gopher-lua can
// make) until the run has ended, and a closed channel after: about a
// twentieth of a tight loop's time where a context.Context from the
// context package costs three times that. Load time, setup() and done()
// run rarely and use the command's context.

// runContext is a thread state's context; see above.
type runContext struct {
	fired atomic.Bool
}

// closedChan is what runContext.Done returns once fired.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (c *runContext) Deadline() (time.Time, bool) { return time.Time{}, false }

func (c *runContext) Done() <-chan struct{} {
	if c.fired.Load() {
		return closedChan
	}
	return nil
}

func (c *runContext) Err() error {
	if c.fired.Load() {
		return context.Canceled
	}
	return nil
}

func (c *runContext) Value(any) any { return nil }

// SetContext replaces the context under which the main state runs from now
// on (done() in particular): when ctx is cancelled, a running setup() or
// done() stops with "<file>:<line>: interrupted". It also ends the time
// limit of setup() and init(): the caller calls it once the threads are
// set up.
func (s *Script) SetContext(ctx context.Context) {
	if ctx == nil {
		ctx = context.Background()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parent = ctx
	s.endStage()
}

// watchRun gives the thread's state a runContext that fires
// interruptGrace after the run ends (done is closed), and returns the
// function that stops watching.
func watchRun(L *lua.LState, done <-chan struct{}) func() {
	ctx := &runContext{}
	L.SetContext(ctx)
	stop := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(stop) }) }
	if done == nil {
		return release
	}
	go func() {
		select {
		case <-done:
		case <-stop:
			return
		}
		t := time.NewTimer(interruptGrace)
		defer t.Stop()
		select {
		case <-t.C:
			ctx.fired.Store(true)
		case <-stop:
		}
	}()
	return release
}

// interrupted rewrites the error of a call the state's context cut short:
// gopher-lua reports it as the context's error text at the position reached.
func (st *state) interrupted(err error) error {
	ctx := st.L.Context()
	if ctx == nil || ctx.Err() == nil {
		return err
	}
	var e *Error
	if errors.As(err, &e) && e.Msg == ctx.Err().Error() {
		e.Msg = interruptedMsg
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			e.Msg += " (" + st.script.stage + " ran over its time, " + st.script.stageTime.String() + ")"
		}
	}
	return err
}

// beginStage bounds the next stage outside the run (see
// Options.StageTime): from now on the main state, and thread states made
// from now on, run under a context that also ends when the stage's time is
// up. The caller holds s.mu or has the script to itself.
func (s *Script) beginStage(name string) {
	s.endStage()
	s.stage = name
	if s.stageTime <= 0 {
		return
	}
	s.ctx, s.cancelStage = context.WithTimeout(s.parent, s.stageTime)
	if s.main != nil {
		s.main.L.SetContext(s.ctx)
	}
}

// endStage ends the current stage's time limit.
func (s *Script) endStage() {
	if s.cancelStage != nil {
		s.cancelStage()
		s.cancelStage = nil
	}
	s.ctx = s.parent
	if s.main != nil {
		s.main.L.SetContext(s.ctx)
	}
}

// delayDuration converts delay()'s milliseconds to a duration, saturating:
// a huge value waits until the run ends (the engine's sleep returns then),
// a negative one or NaN does not wait.
func delayDuration(ms float64) time.Duration {
	if !(ms > 0) {
		return 0
	}
	ns := ms * float64(time.Millisecond)
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}
