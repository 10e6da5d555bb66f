package bookstracktest

import (
	"sync"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// timers runs the Server's delayed work on its clock and lets Close stop
// all of it and wait for callbacks already running, so none outlives the
// Server.
type timers struct {
	clock  sse.Clock
	mu     sync.Mutex
	closed bool
	live   map[*timer]struct{}
	wg     sync.WaitGroup // one count for each timer whose callback may still run
}

type timer struct {
	set *timers
	t   sse.Timer
}

func newTimers(c sse.Clock) *timers {
	return &timers{clock: c, live: map[*timer]struct{}{}}
}

// after calls f once d has elapsed on the clock, unless the timer is
// stopped first or the set is closed. It returns nil once the set is
// closed. Callers that may race a stop against the call must check in f
// that the timer is still wanted.
func (ts *timers) after(d time.Duration, f func()) *timer {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.closed {
		return nil
	}
	t := &timer{set: ts}
	ts.live[t] = struct{}{}
	ts.wg.Add(1)
	t.t = ts.clock.AfterFunc(d, func() {
		defer ts.wg.Done()
		ts.mu.Lock()
		delete(ts.live, t)
		closed := ts.closed
		ts.mu.Unlock()
		if !closed {
			f()
		}
	})
	return t
}

// stop cancels t if its call has not started. A nil t is ignored.
func (t *timer) stop() {
	if t == nil {
		return
	}
	if t.t.Stop() {
		t.set.mu.Lock()
		delete(t.set.live, t)
		t.set.mu.Unlock()
		t.set.wg.Done()
	}
}

// close stops every pending timer and waits for the callbacks already
// started. No timer starts afterwards.
func (ts *timers) close() {
	ts.mu.Lock()
	ts.closed = true
	pending := make([]*timer, 0, len(ts.live))
	for t := range ts.live {
		pending = append(pending, t)
	}
	ts.mu.Unlock()
	for _, t := range pending {
		t.stop()
	}
	ts.wg.Wait()
}
