package ssetest

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// Clock is a fake sse.Clock whose time moves only when Advance is called,
// so tests of timeouts and delays run instantly and never sleep. Its zero
// value is not usable: call NewClock. It is safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	seq     uint64
	timers  map[*clockTimer]struct{}
	armed   []time.Duration // the delay of every AfterFunc, in order
	changed chan struct{}   // closed and replaced whenever the timers change
}

// NewClock returns a Clock showing start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start, timers: map[*clockTimer]struct{}{}, changed: make(chan struct{})}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arranges for f to be called once the clock has been advanced by
// d. Like time.AfterFunc, f runs in its own goroutine.
func (c *Clock) AfterFunc(d time.Duration, f func()) sse.Timer {
	t := &clockTimer{c: c, f: f}
	c.mu.Lock()
	c.armed = append(c.armed, d)
	c.mu.Unlock()
	t.Reset(d)
	return t
}

// Armed returns the delay of every timer armed through AfterFunc so far,
// in the order they were armed (a Reset is not counted).
func (c *Clock) Armed() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.armed...)
}

// WaitArmed blocks until a timer whose delay matches has been armed
// through AfterFunc at an index of Armed at or after from, and returns
// that index and delay. A test waits this way for the client to arm a
// given wait (a retry's backoff, a poll's interval) and then advances the
// clock past it. It returns ctx's error if ctx ends first.
func (c *Clock) WaitArmed(ctx context.Context, from int, match func(time.Duration) bool) (int, time.Duration, error) {
	for {
		c.mu.Lock()
		armed, changed := c.armed, c.changed
		c.mu.Unlock()
		for i := max(from, 0); i < len(armed); i++ {
			if match(armed[i]) {
				return i, armed[i], nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	}
}

// Advance moves the clock forward by d and starts every function whose
// time has come, in the order of their times. Functions that are due run
// in their own goroutines, as with time.AfterFunc.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*clockTimer
	for t := range c.timers {
		if !t.when.After(c.now) {
			due = append(due, t)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].when.Equal(due[j].when) {
			return due[i].when.Before(due[j].when)
		}
		return due[i].seq < due[j].seq
	})
	for _, t := range due {
		delete(c.timers, t)
	}
	if len(due) > 0 {
		c.notifyLocked()
	}
	c.mu.Unlock()
	for _, t := range due {
		go t.f()
	}
}

// Pending returns how many functions are waiting for their time.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// WaitPending blocks until at least n functions are waiting for their
// time, so a test can advance the clock knowing the code under test has
// armed its timers. It returns ctx's error if ctx ends first.
func (c *Clock) WaitPending(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		pending, changed := len(c.timers), c.changed
		c.mu.Unlock()
		if pending >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *Clock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

type clockTimer struct {
	c    *Clock
	f    func()
	when time.Time
	seq  uint64
}

func (t *clockTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, pending := t.c.timers[t]
	if pending {
		delete(t.c.timers, t)
		t.c.notifyLocked()
	}
	return pending
}

func (t *clockTimer) Reset(d time.Duration) bool {
	c := t.c
	c.mu.Lock()
	_, pending := c.timers[t]
	c.seq++
	t.when, t.seq = c.now.Add(d), c.seq
	c.timers[t] = struct{}{}
	c.notifyLocked()
	due := d <= 0
	if due {
		delete(c.timers, t)
	}
	c.mu.Unlock()
	if due {
		go t.f()
	}
	return pending
}
