package generator

import "time"

// awaitActive holds the connection back, closed, while the connection
// stages (Config.ConnStages) want fewer connections than its place in the
// round-robin over all connections. It reports false when the run ended
// meanwhile. It allocates nothing: connections call it before every request.
func (c *conn) awaitActive() bool {
	r := c.th.run
	stages := r.cfg.ConnStages
	place := float64(c.th.phase(c.index))
	for {
		now := r.clock()
		if StageValue(stages, now) > place {
			c.setActive(true)
			return true
		}
		c.setActive(false)
		if c.nc != nil {
			c.disconnect()
		}
		next := stageTimeAbove(stages, place, now)
		if next == never {
			next = now + time.Hour
		}
		if !c.sleep(next - now) {
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
