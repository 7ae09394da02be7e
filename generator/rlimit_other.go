//go:build !unix

package generator

// ensureFileLimit has no limit to raise or check where there are no Unix
// resource limits (Windows): the dials report any shortage themselves.
func ensureFileLimit(int) error { return nil }
