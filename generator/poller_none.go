//go:build !linux

package generator

import (
	"errors"
	"net"
	"net/netip"
)

// No event-loop back end on this platform yet (see poller.go): every run
// uses the goroutine engine, and these stubs only keep the loop engine
// compiling.

const loopSupported = false

var errNoLoop = errors.New("no event loop on this platform")

type poller struct{}

func newPoller(int) (*poller, error)              { return nil, errNoLoop }
func (*poller) add(int, int32, uint32) error      { return errNoLoop }
func (*poller) wait([]pollEvent, int) int         { return 0 }
func (*poller) wake()                             {}
func (*poller) drainWake()                        {}
func (*poller) close()                            {}
func toEndpoint(net.Addr) (endpoint, bool)        { return endpoint{}, false }
func sourceEndpoint(netip.Addr) endpoint          { return endpoint{} }
func sysConnect(endpoint, *endpoint) (int, error) { return -1, errNoLoop }
func sysConnectError(int) error                   { return errNoLoop }
func sysRead(int, []byte) (int, error)            { return -1, errNoLoop }
func sysWrite(int, []byte) (int, error)           { return -1, errNoLoop }
func sysClose(int)                                {}

type endpoint struct{}
