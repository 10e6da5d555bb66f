package bookstrack_test

// The errors of a watch carry their context and where to resume (issue 18
// item 5, issue 19 item 4).

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/enrichment"
)

// A dropped stream reaches Handlers.Error as a *WatchError naming the job
// and the attempt, with the cause still matched by errors.Is.
func TestWatchErrorsNameTheJobTheAttemptAndTheCause(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	last := run.rec.seen().progress[0]
	require.Equal(t, 1, f.srv.DropStreams(job.ID))
	require.True(t, f.waitFor(run, func(s seen) bool { return len(s.errs) > 0 }))
	err := run.rec.seen().errs[0]
	var we *bookstrack.WatchError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, job.ID, we.JobID)
	assert.Equal(t, 1, we.Attempt, "the first connection was cut")
	assert.Equal(t, last.EventID, we.LastEventID)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Contains(t, err.Error(), job.ID)
	assert.Contains(t, err.Error(), "attempt 1")
	assert.NotContains(t, err.Error(), job.Token)
	f.complete(run)
}

// A watch cancelled half way returns a *WatchError with the last event
// id; a new client (standing for another process) given the persisted
// Job and that id resumes, and between them every update is delivered
// exactly once.
func TestWatchCancelledHalfWayResumesInANewClient(t *testing.T) {
	const books = 20
	f := setup(t, bookstracktest.WithEnrichmentBatch(1))
	isbns := make([]string, books)
	for i := range isbns {
		isbns[i] = catalogueISBN(i)
	}
	first := f.enrichments()
	job := f.startEnrichment(first, isbns...)

	ctx, cancel := context.WithCancel(f.ctx)
	run := &watchRun{job: job, rec: newRecorder(), done: make(chan struct{})}
	go func() {
		defer close(run.done)
		run.comp, run.err = first.Watch(ctx, job, run.rec.handlers())
	}()
	t.Cleanup(func() { cancel(); <-run.done })
	require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	for len(run.rec.seen().progress) < books/2+1 { // the snapshot, then half the updates
		n := run.rec.seen().deliveries()
		require.NoError(t, f.clk.WaitPending(f.ctx, 1))
		f.clk.Advance(step)
		f.waitFor(run, func(s seen) bool { return s.deliveries() > n })
	}
	cancel()
	_, err := f.result(run)
	var we *bookstrack.WatchError
	require.ErrorAs(t, err, &we)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, job.ID, we.JobID)
	seenFirst := run.rec.seen().progress
	assert.Equal(t, seenFirst[len(seenFirst)-1].EventID, we.LastEventID, "where to resume: the last event seen")
	assert.NotContains(t, err.Error(), job.Token)

	// The job goes on while nobody watches.
	for range 2 {
		require.NoError(t, f.clk.WaitPending(f.ctx, 1))
		f.clk.Advance(step)
	}

	// Another process: the Job as it was persisted, and the id.
	persisted := bookstrack.Job{ID: job.ID, Kind: job.Kind, Token: job.Token, StreamURL: job.StreamURL, StatusURL: job.StatusURL}
	persisted.LastEventID = we.LastEventID
	second := f.enrichments()
	resumed := f.follow(func(ctx context.Context, job bookstrack.Job, h bookstrack.Handlers) (bookstrack.Completion, error) {
		job.LastEventID = "" // resumeWatch sets it from the error
		return resumeWatch(ctx, second, job, err, h)
	}, persisted)
	f.complete(resumed)

	var processed []int
	for _, p := range append(seenFirst, resumed.rec.seen().progress...) {
		if p.Processed > 0 && p.Status != bookstrack.StatusCompleted {
			processed = append(processed, p.Processed)
		}
	}
	want := make([]int, books)
	for i := range want {
		want[i] = i + 1
	}
	assert.Equal(t, want, processed, "every update once, in order, across the two processes")
	assert.False(t, errors.Is(err, bookstrack.ErrStalled))
}

// resumeWatch is the README's "Resuming a watch in another process":
// watch job again from where the watch that returned err stopped.
func resumeWatch(ctx context.Context, client *enrichment.Client, job bookstrack.Job, err error, handlers bookstrack.Handlers) (bookstrack.Completion, error) {
	var we *bookstrack.WatchError
	if errors.As(err, &we) {
		job.LastEventID = we.LastEventID
		// persist job: ID, Kind, StreamURL, StatusURL, LastEventID, and Token
	}
	// later, in this process or another:
	comp, err := client.Watch(ctx, job, handlers)
	return comp, err
}
