package luascript

import (
	"errors"

	lua "github.com/yuin/gopher-lua"

	"github.com/gowrk/gowrk/generator"
	"github.com/gowrk/gowrk/report"
)

// Done calls done(summary, latency, requests) in the main state, if the
// script defines it, with the results of the run.
func (s *Script) Done(res *generator.Result) error {
	if res == nil {
		return errors.New("luascript: Done needs a result")
	}
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

	latency := st.newStats(latencyStats(res))
	requests := st.newStats(newStatsObject(res.RequestRate, nil))
	_, err := st.call(fn, 0, summary, latency, requests)
	return err
}

// latencyStats is the latency object wrk hands to done(): the latency the
// report leads with (report.Headline), with the measured min and max.
func latencyStats(res *generator.Result) *statsObject {
	if res.Latency == nil {
		return &statsObject{}
	}
	return newStatsObject(report.Headline(res), res.Latency)
}
