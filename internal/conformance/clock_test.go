package conformance_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// recordingClock is an ssetest.Clock on which a test waits for the timer
// of a given delay and then advances the clock past it, knowing it is
// armed.
type recordingClock struct{ *ssetest.Clock }

func newRecordingClock(start time.Time) *recordingClock {
	return &recordingClock{ssetest.NewClock(start)}
}

// mark returns how many timers have been armed so far.
func (c *recordingClock) mark() int { return len(c.Armed()) }

// waitArmed blocks until a timer of duration d has been armed after the
// mark, or until ctx ends or stop is closed.
func (c *recordingClock) waitArmed(ctx context.Context, stop <-chan struct{}, mark int, d time.Duration) error {
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-waitCtx.Done():
		}
	}()
	if _, _, err := c.WaitArmed(waitCtx, mark, func(x time.Duration) bool { return x == d }); err == nil {
		return nil
	}
	armed := c.Armed()
	armed = armed[min(mark, len(armed)):]
	if ctx.Err() == nil {
		return fmt.Errorf("the watch ended before it armed a timer of %v (timers armed meanwhile: %v)", d, armed)
	}
	return fmt.Errorf("no timer of %v was armed (timers armed meanwhile: %v)", d, armed)
}
