//go:build unix

package localpg

import (
	"errors"
	"syscall"
)

// processExists reports whether pid names a live process, including one
// owned by another user (the postgres user, when run as root).
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
