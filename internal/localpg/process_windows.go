package localpg

import "os"

// processExists reports whether pid names a live process: on Windows,
// finding a process opens it, which fails once it has gone.
func processExists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
