package luascript

import (
	"os"
	"runtime/debug"
	"sync"
)

// scriptGCPercent is the collector's target while Lua hooks run per
// request. gopher-lua boxes numbers and strings on the heap, so a script
// that builds bodies makes garbage in proportion to the work it does, and
// with Go's default target the collector runs several times as often for
// a heap that stays a few megabytes; four times the default cuts its share
// of a Lua-heavy run's CPU time by about a tenth for a few megabytes more.
const scriptGCPercent = 400

// gcTuning raises the collector's target once per script and puts it back
// on Close. A GOGC set by the user wins.
type gcTuning struct {
	once   sync.Once
	raised bool
	old    int
}

func (g *gcTuning) raise() {
	g.once.Do(func() {
		if _, set := os.LookupEnv("GOGC"); set {
			return
		}
		g.old = debug.SetGCPercent(scriptGCPercent)
		g.raised = g.old < scriptGCPercent && g.old >= 0
		if !g.raised {
			debug.SetGCPercent(g.old)
		}
	})
}

func (g *gcTuning) restore() {
	if g.raised {
		debug.SetGCPercent(g.old)
		g.raised = false
	}
}
