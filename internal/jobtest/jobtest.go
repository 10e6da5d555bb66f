// Package jobtest sets up the job packages' end-to-end tests against the
// fake BooksTrack API.
package jobtest

import (
	"context"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// RouteSets names the route sets every end-to-end test runs on.
var RouteSets = map[string]bookstrack.Routes{"v3": bookstrack.V3, "v2": bookstrack.V2}

// Fake starts a fake API whose jobs step every millisecond, and returns
// it with the client options that reach it on the route set, reconnecting
// at once.
func Fake(tb testing.TB, routes bookstrack.Routes, opts ...bookstracktest.Option) (*bookstracktest.Server, []bookstrack.Option) {
	tb.Helper()
	srv := bookstracktest.NewServer(tb, append([]bookstracktest.Option{bookstracktest.WithStepInterval(time.Millisecond)}, opts...)...)
	return srv, []bookstrack.Option{
		bookstrack.WithBaseURL(srv.URL),
		bookstrack.WithRoutes(routes),
		bookstrack.WithStreamOptions(sse.WithNoDelay()),
	}
}

// Frozen is Fake with the fake's clock stopped: its jobs stay queued
// (the stream still serves their snapshot), so a test can act on a job
// that is certainly still running.
func Frozen(tb testing.TB, routes bookstrack.Routes, opts ...bookstracktest.Option) (*bookstracktest.Server, []bookstrack.Option) {
	tb.Helper()
	clk := ssetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	return Fake(tb, routes, append(opts, bookstracktest.WithClock(clk))...)
}

// Context returns a context that ends with the test, and after a minute at
// most so that a bug fails the test instead of hanging it.
func Context(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// Recorder collects what a watch delivers.
type Recorder struct {
	Progress    []bookstrack.Progress
	Completions []bookstrack.Completion
	Errors      []error
}

// Handlers returns handlers feeding r. The watch calls them from its own
// goroutine, one at a time; read r after the watch returns.
func (r *Recorder) Handlers() bookstrack.Handlers {
	return bookstrack.Handlers{
		Progress:  func(p bookstrack.Progress) { r.Progress = append(r.Progress, p) },
		Completed: func(c bookstrack.Completion) { r.Completions = append(r.Completions, c) },
		Error:     func(err error) { r.Errors = append(r.Errors, err) },
	}
}

// CheckProgress fails the test unless the progress never went down and
// ended at 1 with the completed status.
func (r *Recorder) CheckProgress(tb testing.TB) {
	tb.Helper()
	if len(r.Progress) == 0 {
		tb.Fatal("no progress delivered")
	}
	for i := 1; i < len(r.Progress); i++ {
		if r.Progress[i].Fraction < r.Progress[i-1].Fraction {
			tb.Errorf("progress went down: %v then %v", r.Progress[i-1].Fraction, r.Progress[i].Fraction)
		}
	}
	last := r.Progress[len(r.Progress)-1]
	if last.Fraction != 1 || last.Status != bookstrack.StatusCompleted {
		tb.Errorf("last progress = %v %v, want 1 completed", last.Fraction, last.Status)
	}
	if len(r.Completions) != 1 {
		tb.Errorf("%d completions delivered, want exactly 1", len(r.Completions))
	}
}

// Paths returns the paths of the requests the fake received, in order.
func Paths(srv *bookstracktest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
