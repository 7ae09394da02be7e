package generator

import "time"

// timerHeap orders the connections of one event loop by wake-up time: the
// open-loop schedule, delay() and reconnect back-off all go through it. A
// connection is in it at most once (heapIndex >= 0).
type timerHeap []*conn

func (h *timerHeap) next() (time.Duration, bool) {
	if len(*h) == 0 {
		return 0, false
	}
	return (*h)[0].wake, true
}

// schedule puts c in the heap to wake at t, moving it if it is there.
func (h *timerHeap) schedule(c *conn, t time.Duration) {
	c.wake = t
	if c.heapIndex < 0 {
		c.heapIndex = len(*h)
		*h = append(*h, c)
	}
	h.up(c.heapIndex)
	h.down(c.heapIndex)
}

// popDue removes and returns the earliest connection due by now, or nil.
func (h *timerHeap) popDue(now time.Duration) *conn {
	if len(*h) == 0 || (*h)[0].wake > now {
		return nil
	}
	c := (*h)[0]
	h.remove(c)
	return c
}

// remove takes c out of the heap if it is there.
func (h *timerHeap) remove(c *conn) {
	i := c.heapIndex
	if i < 0 {
		return
	}
	last := len(*h) - 1
	h.swap(i, last)
	(*h)[last] = nil
	*h = (*h)[:last]
	c.heapIndex = -1
	if i < last {
		h.up(i)
		h.down(i)
	}
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex, h[j].heapIndex = i, j
}

func (h timerHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].wake <= h[i].wake {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h timerHeap) down(i int) {
	for {
		least := i
		for _, child := range [2]int{2*i + 1, 2*i + 2} {
			if child < len(h) && h[child].wake < h[least].wake {
				least = child
			}
		}
		if least == i {
			return
		}
		h.swap(i, least)
		i = least
	}
}
