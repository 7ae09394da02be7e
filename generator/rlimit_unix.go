//go:build unix

package generator

import (
	"fmt"
	"syscall"
)

// descriptorsReserved leaves room for the process's own files beside the
// connections.
const descriptorsReserved = 32

// ensureFileLimit raises the soft open-files limit to the hard limit and
// checks that the connections fit, so a too-large -c fails with one clear
// message instead of a wall of connect errors.
func ensureFileLimit(connections int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // cannot tell; let the dials report it
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			lim = raised
		}
	}
	// Rlimit's fields are int64 on the BSDs and uint64 elsewhere.
	need, limit := uint64(connections)+descriptorsReserved, uint64(lim.Cur)
	if need > limit {
		return fmt.Errorf("%w: %d connections need %d open files but the limit is %d (raise it with ulimit -n)",
			ErrConfig, connections, need, limit)
	}
	return nil
}
