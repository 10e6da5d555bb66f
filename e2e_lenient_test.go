package bookstrack_test

// Issue 6 item 8, end to end with default options: one odd field spoils
// only itself and is reported by event and field; Updates users reach
// the non-fatal problems and the Completion.

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestAProgressUpdateWithOneOddFieldIsDeliveredWithTheRestAndTheFieldIsReportedByName(t *testing.T) {
	f := setup(t)
	_, run := f.pausedEnrichment(ssetest.NewClock(t0))
	id := run.job.ID
	evID := eventID(f.clk.Now(), "p1")
	f.srv.SendRaw(id, rawEvent(evID, "progress", progressData(id, "halfway there", "0.4", "1.5", "10", f.clk.Now())))
	after := eventID(f.clk.Now(), "p2")
	f.srv.SendRaw(id, rawEvent(after, "progress", progressData(id, "a bit further", "0.45", "2", "10", f.clk.Now())))
	require.True(t, f.waitFor(run, func(s seen) bool { return len(s.progress) > 0 && s.progress[len(s.progress)-1].EventID == after }))
	require.Len(t, run.rec.seen().progress, 3, "the snapshot, the update with an odd field, the next one")

	s := run.rec.seen()
	p := s.progress[1]
	assert.Equal(t, 0.4, p.Fraction)
	assert.Equal(t, "halfway there", p.Message)
	assert.Equal(t, 10, p.Total)
	assert.Equal(t, 0, p.Processed, "the odd field is left zero")
	assert.Equal(t, evID, p.EventID)
	assert.Equal(t, f.clk.Now(), p.Time)

	var ee *bookstrack.EventError
	require.Len(t, s.errs, 1)
	require.True(t, errors.As(s.errs[0], &ee), "reported as %T: %v", s.errs[0], s.errs[0])
	assert.Equal(t, "progress", ee.Event)
	assert.Equal(t, evID, ee.ID)
	assert.Equal(t, "processedCount", ee.Field)
	assert.Contains(t, ee.Error(), "processedCount")
	assert.False(t, run.ended(), "an odd field ended the watch")
}

func TestAStatusWithOneOddFieldReturnsTheRestAndADecodeErrorNamingTheField(t *testing.T) {
	api := ssetest.NewServer(t, jsonScript(200, `{"success":true,"data":{"jobId":"`+scriptedJobID+
		`","status":"processing","message":"reading rows","progress":0.5,"processedCount":"many","totalCount":4}}`))
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(ssetest.NewClock(t0)))
	require.NoError(t, err)

	p, err := c.Status(guard(t), scriptedJobID)
	var de *bookstrack.DecodeError
	require.True(t, errors.As(err, &de), "got %v", err)
	assert.Equal(t, "processedCount", de.Field)
	assert.Equal(t, bookstrack.StatusProcessing, p.Status)
	assert.Equal(t, 0.5, p.Fraction)
	assert.Equal(t, 4, p.Total)
	assert.Equal(t, "reading rows", p.Message)
	assert.Equal(t, scriptedJobID, p.JobID)
	assert.Equal(t, []string{"GET /v3/jobs/imports/" + scriptedJobID}, scriptPaths(api))
}

func TestUpdatesUsersReachTheNonFatalProblemsAndTheCompletionThroughHandlers(t *testing.T) {
	f := setup(t)
	c, err := enrichment.NewClient(f.defaults(ssetest.NewClock(t0))...)
	require.NoError(t, err)
	job := f.startEnrichment(c, catalogueISBN(0))
	require.True(t, f.srv.PauseJob(job.ID))

	var mu sync.Mutex
	var problems []error
	var completions []bookstrack.Completion
	h := bookstrack.Handlers{
		Error:     func(err error) { mu.Lock(); problems = append(problems, err); mu.Unlock() },
		Completed: func(c bookstrack.Completion) { mu.Lock(); completions = append(completions, c); mu.Unlock() },
		Progress:  func(bookstrack.Progress) { t.Error("Updates called h.Progress: it yields the progress itself") },
	}
	yielded := make(chan bookstrack.Progress, 16)
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	go func() {
		for p, err := range c.Updates(ctx, job, h) {
			if err != nil {
				done <- err
				return
			}
			yielded <- p
		}
		done <- nil
	}()
	require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	next(t, f.ctx, yielded) // the snapshot

	bad := eventID(f.clk.Now(), "p1")
	f.srv.SendRaw(job.ID, rawEvent(bad, "progress", `{"jobId":"`+job.ID+`","progress":0.5,`)) // malformed: not delivered, reported
	final := eventID(f.clk.Now(), "completed")
	f.srv.SendRaw(job.ID, rawEvent(final, "completed", completedData(job.ID, f.clk.Now())))
	require.NoError(t, next(t, f.ctx, done))
	close(yielded)
	var got []bookstrack.Progress
	for p := range yielded {
		got = append(got, p)
	}
	require.Len(t, got, 1, "the completion only")
	assert.Equal(t, bookstrack.StatusCompleted, got[0].Status)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, problems, 1)
	var ee *bookstrack.EventError
	require.True(t, errors.As(problems[0], &ee), "got %v", problems[0])
	assert.Equal(t, "progress", ee.Event)
	assert.Equal(t, bad, ee.ID)
	require.Len(t, completions, 1)
	assert.Equal(t, final, completions[0].LastEventID)
	assert.False(t, completions[0].ResultsExpireAt.IsZero(), "the completion's results expiry")
}

// next receives from ch, failing the test if ctx ends first.
func next[T any](t *testing.T, ctx context.Context, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("waiting for a %T: %v", *new(T), ctx.Err())
		panic("unreachable")
	}
}
