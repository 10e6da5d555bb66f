package sse

import (
	"context"
	"time"

	"github.com/bookstrack/bookstrack-go/internal/timing"
)

// Clock tells the time and runs functions later. The Client takes every
// time it needs from its Clock (reconnection delays, idle timeouts, how
// long a connection stayed healthy), so tests can drive time by hand with
// a fake such as ssetest.Clock instead of sleeping.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has elapsed, unless the
	// returned Timer is stopped first, like time.AfterFunc.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call made by Clock.AfterFunc. *time.Timer implements
// it.
type Timer interface {
	// Stop prevents the call if it has not happened yet and reports
	// whether it did so.
	Stop() bool
	// Reset makes the call happen d from now instead, even if it already
	// happened, and reports whether the timer was still pending.
	Reset(d time.Duration) bool
}

// SystemClock is the Clock of the operating system, the default.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// sleep waits d on clk, or until ctx ends, or until wake is closed (see
// timing.Sleep).
func sleep(ctx context.Context, clk Clock, d time.Duration, wake <-chan struct{}) error {
	return timing.Sleep[Timer](ctx, clk, d, wake)
}
