package jobs_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

const jobID = "6f1c2a7e-1b2c-4d5e-8f90-123456789abc"

var start = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// fakeStream plays a stream for a watch without HTTP: the test sends it
// decoded events one at a time, each handled before send returns, and
// tells it when Connect ends.
type fakeStream struct {
	watch   *jobs.Watch
	events  chan sse.Event
	handled chan struct{}
	end     chan error
	closes  atomic.Int32
	closed  chan struct{} // signalled by each Close (buffered, never blocks)

	mu     sync.Mutex
	lastID string
}

func (s *fakeStream) Close() error {
	s.closes.Add(1)
	select {
	case s.closed <- struct{}{}:
	default:
	}
	return nil
}

func (s *fakeStream) LastEventID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID
}

func (s *fakeStream) connect(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-s.end:
			return err
		case e := <-s.events:
			if e.ID != "" {
				s.mu.Lock()
				s.lastID = e.ID
				s.mu.Unlock()
			}
			s.watch.HandleEvent(e)
			s.handled <- struct{}{}
		}
	}
}

// outcome is what Follow returned.
type outcome struct {
	c   bookstrack.Completion
	err error
}

// recorder collects what the watch delivers; the handlers run on the
// watch's goroutine.
type recorder struct {
	mu          sync.Mutex
	progress    []bookstrack.Progress
	completions []bookstrack.Completion
	errs        []error
}

func (r *recorder) handlers() bookstrack.Handlers {
	return bookstrack.Handlers{
		Progress:  func(p bookstrack.Progress) { r.mu.Lock(); r.progress = append(r.progress, p); r.mu.Unlock() },
		Completed: func(c bookstrack.Completion) { r.mu.Lock(); r.completions = append(r.completions, c); r.mu.Unlock() },
		Error:     func(err error) { r.mu.Lock(); r.errs = append(r.errs, err); r.mu.Unlock() },
	}
}

func (r *recorder) fractions() []float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var fs []float64
	for _, p := range r.progress {
		fs = append(fs, p.Fraction)
	}
	return fs
}

func (r *recorder) errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

// rig is one watch under test.
type rig struct {
	t      *testing.T
	clk    *ssetest.Clock
	stream *fakeStream
	rec    *recorder
	done   chan outcome
	cancel context.CancelFunc
}

// setup holds what a rig is built from.
type setup struct {
	opts     []bookstrack.Option
	job      bookstrack.Job
	fetch    func(context.Context) (json.RawMessage, error)
	apiError func(*sse.StatusError) error
}

// watch starts a watch over a fake stream; by default the stall timer
// is off, so that the fake clock holds only the timers a test arms.
func watch(t *testing.T, s setup) *rig {
	t.Helper()
	clk := ssetest.NewClock(start)
	cfg := settings.MustNew(append([]bookstrack.Option{
		bookstrack.WithClock(clk), bookstrack.WithStallTimeout(-1)}, s.opts...))
	if s.job.ID == "" {
		s.job.ID = jobID
	}
	r := &rig{t: t, clk: clk, rec: &recorder{}, done: make(chan outcome, 1)}
	w := jobs.NewWatch(cfg, s.job, r.rec.handlers(), s.fetch, s.apiError)
	r.stream = &fakeStream{watch: w, events: make(chan sse.Event), handled: make(chan struct{}), end: make(chan error), closed: make(chan struct{}, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	r.cancel = cancel
	t.Cleanup(cancel)
	go func() {
		c, err := w.Follow(ctx, r.stream, r.stream.connect)
		r.done <- outcome{c, err}
	}()
	return r
}

// send delivers one event and waits until the watch has handled it.
func (r *rig) send(typ, data string, id ...string) {
	r.t.Helper()
	e := sse.Event{Type: typ, Data: data}
	if len(id) > 0 {
		e.ID = id[0]
	}
	select {
	case r.stream.events <- e:
	case o := <-r.done:
		r.t.Fatalf("the watch ended before the %s event: %+v", typ, o)
	}
	<-r.stream.handled
}

// end makes Connect return err, as the stream's Connect would.
func (r *rig) end(err error) {
	r.t.Helper()
	select {
	case r.stream.end <- err:
	case o := <-r.done:
		r.done <- o // Connect had returned already (a stall, a cancel)
	}
}

// result waits for the watch's outcome.
func (r *rig) result() outcome {
	r.t.Helper()
	select {
	case o := <-r.done:
		return o
	case <-time.After(30 * time.Second): // a bug, not a timing goal
		r.t.Fatal("the watch did not end")
		return outcome{}
	}
}

// waitPending waits until the fake clock holds n timers.
func (r *rig) waitPending(n int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(r.t, r.clk.WaitPending(ctx, n), "timers armed")
}
