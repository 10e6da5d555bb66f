// Package timing is the module's one sleep on a clock, used by sse's Client
// between connections and by the job packages between calls.
package timing

import (
	"context"
	"time"
)

// Stopper is a pending call that can be stopped, such as sse.Timer.
type Stopper interface{ Stop() bool }

// Clock runs functions later, such as sse.Clock (Clock[sse.Timer]).
type Clock[T Stopper] interface {
	AfterFunc(d time.Duration, f func()) T
}

// Sleep waits d on clk, or until ctx ends, and then returns ctx.Err(); it
// also ends, with a nil error, once wake is closed (a nil wake never is).
// A d of zero or less returns at once.
func Sleep[T Stopper](ctx context.Context, clk Clock[T], d time.Duration, wake <-chan struct{}) error {
	if d <= 0 {
		return ctx.Err()
	}
	fired := make(chan struct{})
	t := clk.AfterFunc(d, func() { close(fired) })
	defer t.Stop()
	select {
	case <-fired:
		return nil
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
