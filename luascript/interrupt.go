package luascript

import (
	"context"
	"errors"
	"math"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// interruptGrace is how long a hook may still run after the run has ended
// before it is interrupted: a hook that was merely busy at that instant
// finishes normally, one that never returns is stopped.
const interruptGrace = 100 * time.Millisecond

// interruptedMsg replaces the context's own error text in Lua errors.
const interruptedMsg = "interrupted"

// Cancellation reaches Lua through gopher-lua's context support, which
// checks the context's Done channel before every instruction: gopher-lua has
// no instruction-count hook, and this costs about a tenth of a tight Lua
// loop's time, far less than what the string and math fast paths save.

// SetContext replaces the context under which the main state runs from now
// on (done() in particular): when ctx is cancelled, a running setup() or
// done() stops with "<file>:<line>: interrupted".
func (s *Script) SetContext(ctx context.Context) {
	if ctx == nil {
		ctx = context.Background()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ctx = ctx
	s.main.L.SetContext(ctx)
}

// watchRun gives the thread's state a context of its own that is cancelled
// interruptGrace after the run ends (done is closed), and returns the
// function that releases it.
func watchRun(L *lua.LState, done <-chan struct{}) context.CancelFunc {
	ctx, cancel := context.WithCancel(context.Background())
	L.SetContext(ctx)
	if done == nil {
		return cancel
	}
	go func() {
		select {
		case <-done:
		case <-ctx.Done():
			return
		}
		t := time.NewTimer(interruptGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel()
		case <-ctx.Done():
		}
	}()
	return cancel
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
	}
	return err
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
