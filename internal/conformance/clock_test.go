package conformance_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// recordingClock is an ssetest.Clock that records the duration of every
// timer armed on it, so that a test can wait for the timer of a given
// delay and then advance the clock past it, knowing it is armed.
type recordingClock struct {
	*ssetest.Clock

	mu      sync.Mutex
	armed   []time.Duration // every timer's duration, in the order they were armed
	changed chan struct{}   // closed and replaced when armed grows
}

func newRecordingClock(start time.Time) *recordingClock {
	return &recordingClock{Clock: ssetest.NewClock(start), changed: make(chan struct{})}
}

// AfterFunc arms the timer, then records it.
func (c *recordingClock) AfterFunc(d time.Duration, f func()) sse.Timer {
	t := c.Clock.AfterFunc(d, f)
	c.mu.Lock()
	c.armed = append(c.armed, d)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	return t
}

// mark returns how many timers have been armed so far.
func (c *recordingClock) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.armed)
}

// waitArmed blocks until a timer of duration d has been armed after the
// mark, or until ctx ends or stop is closed.
func (c *recordingClock) waitArmed(ctx context.Context, stop <-chan struct{}, mark int, d time.Duration) error {
	for {
		c.mu.Lock()
		for _, a := range c.armed[min(mark, len(c.armed)):] {
			if a == d {
				c.mu.Unlock()
				return nil
			}
		}
		armed := append([]time.Duration(nil), c.armed[min(mark, len(c.armed)):]...)
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-stop:
			return fmt.Errorf("the watch ended before it armed a timer of %v (timers armed meanwhile: %v)", d, armed)
		case <-ctx.Done():
			return fmt.Errorf("no timer of %v was armed (timers armed meanwhile: %v)", d, armed)
		}
	}
}
