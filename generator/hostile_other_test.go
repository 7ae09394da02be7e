//go:build !linux

package generator_test

import "testing"

func fullBacklog(t *testing.T) string {
	t.Skip("needs Linux's accept-queue behaviour")
	return ""
}
