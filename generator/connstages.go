package generator

import "time"

// stageGate says whether the connection at place (its index in the
// round-robin over all connections) may send at now under the connection
// stages, and if not, when to look again: never when the stages do not
// reach it again. Both engines call it before each request; it allocates
// nothing.
func stageGate(stages []Stage, place float64, now time.Duration) (active bool, wake time.Duration) {
	if StageValue(stages, now) > place {
		return true, now
	}
	return false, stageTimeAbove(stages, place, now)
}

// awaitActive holds the connection back, closed, while the connection
// stages (Config.ConnStages) want fewer connections than its place. It
// reports false when the run ended meanwhile.
func (c *conn) awaitActive() bool {
	r := c.th.run
	place := float64(c.th.phase(c.index))
	for {
		now := r.clock()
		active, wake := stageGate(r.cfg.ConnStages, place, now)
		c.setActive(active)
		if active {
			return true
		}
		if c.nc != nil {
			c.disconnect()
		}
		if wake == never {
			wake = now + time.Hour
		}
		if !c.sleep(wake - now) {
			return false
		}
	}
}

// setActive keeps the thread's count of active connections, for the series.
func (c *conn) setActive(on bool) {
	if c.active == on {
		return
	}
	c.active = on
	if on {
		c.th.active.Add(1)
	} else {
		c.th.active.Add(-1)
	}
}
