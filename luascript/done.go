package luascript

import (
	"errors"

	lua "github.com/yuin/gopher-lua"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/summary"
)

// Done calls done(summary, latency, requests) in the main state, if the
// script defines it, with the results of the run. A caller that already
// has the run's summary calls DoneRun instead, so the headline latency is
// not built again.
func (s *Script) Done(res *generator.Result) error {
	if res == nil {
		return errors.New("luascript: Done needs a result")
	}
	return s.DoneRun(summary.New(res))
}

// DoneRun is Done with the run's summary.
func (s *Script) DoneRun(run *summary.Run) error {
	if run == nil || run.Result == nil {
		return errors.New("luascript: Done needs a result")
	}
	res := run.Result
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.main
	fn, ok := st.function("done")
	if !ok {
		return nil
	}
	L := st.L
	summary := L.CreateTable(0, 4)
	summary.RawSetString("duration", lua.LNumber(res.Runtime.Microseconds()))
	summary.RawSetString("requests", lua.LNumber(res.Requests))
	summary.RawSetString("bytes", lua.LNumber(res.Bytes))
	errs := L.CreateTable(0, 5)
	errs.RawSetString("connect", lua.LNumber(res.Errors.Connect))
	errs.RawSetString("read", lua.LNumber(res.Errors.Read))
	errs.RawSetString("write", lua.LNumber(res.Errors.Write))
	errs.RawSetString("status", lua.LNumber(res.Errors.Status))
	errs.RawSetString("timeout", lua.LNumber(res.Errors.Timeout))
	summary.RawSetString("errors", errs)

	latency := st.newStats(latencyStats(run))
	requests := st.newStats(newStatsObject(res.RequestRate, nil))
	s.beginStage("done()")
	defer s.endStage()
	_, err := st.call(fn, 0, summary, latency, requests)
	return err
}

// latencyStats is the latency object wrk hands to done(): the latency the
// report leads with (the headline), with the measured min and max.
func latencyStats(run *summary.Run) *statsObject {
	if run.Latency == nil {
		return &statsObject{}
	}
	return newStatsObject(run.Headline, run.Latency)
}
