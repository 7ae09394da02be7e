package generator

import (
	"testing"

	"github.com/gowrk/gowrk/internal/testserver"
)

// The event loop counts per-endpoint statistics without allocating either.
func TestLoopEndpointsDoNotAllocate(t *testing.T) {
	l := newTestLoop(t, testserver.Start(t, false, alwaysOK), Pacer{})
	l.th.stats.endpoints = &endpointStats{}
	l.th.static.Endpoints = []uint16{3}
	assertLoopNoAllocations(t, l)
	l.flush(0)
	if got := l.th.stats.endpoints.requests[3]; got != 2101 {
		t.Errorf("endpoint 3 has %d requests, want 2101", got)
	}
}
