package luascript

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	lua "github.com/yuin/gopher-lua"

	"github.com/gowrk/gowrk/stats"
)

// statsObject is what done() receives for latency and requests: fields min,
// max, mean, stdev, method :percentile(p), s(i) for the i-th distinct value
// and its count, and #s for the number of distinct values.
type statsObject struct {
	min, max    int64
	mean, stdev float64
	count       int64
	bars        []stats.Bar
}

// newStatsObject summarizes h; min and max come from raw, the histogram
// before any coordinated-omission correction, since wrk's correction
// leaves them alone.
func newStatsObject(h, raw *hdrhistogram.Histogram) *statsObject {
	if h == nil {
		return &statsObject{}
	}
	sum := stats.Summarize(h)
	o := &statsObject{mean: sum.Mean, stdev: sum.Stdev, count: sum.Count, bars: stats.Bars(h)}
	if raw != nil && raw.TotalCount() > 0 {
		o.min, o.max = raw.Min(), raw.Max()
	} else if sum.Count > 0 {
		o.min, o.max = sum.Min, sum.Max
	}
	return o
}

func (st *state) newStatsMeta() *lua.LTable {
	L := st.L
	percentile := L.NewFunction(func(L *lua.LState) int {
		o := st.checkStats(1)
		p := float64(L.CheckNumber(2))
		L.Push(lua.LNumber(stats.PercentileOf(o.bars, o.count, p)))
		return 1
	})
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		o := st.checkStats(1)
		switch L.CheckString(2) {
		case "min":
			L.Push(lua.LNumber(o.min))
		case "max":
			L.Push(lua.LNumber(o.max))
		case "mean":
			L.Push(lua.LNumber(o.mean))
		case "stdev":
			L.Push(lua.LNumber(o.stdev))
		case "percentile":
			L.Push(percentile)
		default:
			L.Push(lua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__call", L.NewFunction(func(L *lua.LState) int {
		o := st.checkStats(1)
		i := int(L.CheckNumber(2))
		if i < 1 || i > len(o.bars) {
			L.Push(lua.LNumber(0))
			L.Push(lua.LNumber(0))
			return 2
		}
		L.Push(lua.LNumber(o.bars[i-1].Value))
		L.Push(lua.LNumber(o.bars[i-1].Count))
		return 2
	}))
	mt.RawSetString("__len", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(len(st.checkStats(1).bars)))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("wrk.stats"))
	return mt
}

func (st *state) newStats(o *statsObject) *lua.LUserData {
	return st.wrap(o, st.statsMT)
}

func (st *state) checkStats(n int) *statsObject {
	return checkUserData[*statsObject](st, n, st.statsMT, "stats")
}
