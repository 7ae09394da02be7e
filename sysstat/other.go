//go:build !linux

package sysstat

// Supported reports whether targets can be sampled on this system.
func Supported() bool { return false }

func generatorTarget() (*tracked, bool) { return nil, false }

func pidTarget(int) (*tracked, error) { return nil, ErrUnsupported }

func cgroupTarget(string) (*tracked, error) { return nil, ErrUnsupported }

// CgroupRoot is where the cgroup v2 hierarchy is mounted: nowhere here.
func CgroupRoot() (string, bool) { return "", false }
