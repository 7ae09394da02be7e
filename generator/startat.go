package generator

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// waitUntil sleeps until the wall-clock time at (at once when zero). A
// time already passed is an error, not a late start: runs meant to begin
// together would silently not.
func waitUntil(ctx context.Context, at time.Time) error {
	if at.IsZero() {
		return nil
	}
	d := time.Until(at)
	if d < 0 {
		return fmt.Errorf("%w: the start time %s passed %v ago, during setup", ErrConfig, at.UTC().Format(time.RFC3339Nano), (-d).Round(time.Millisecond))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return errors.New("interrupted before the start time")
	}
}
