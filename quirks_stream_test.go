package bookstrack_test

// Quirks of the stream's mechanics: the preamble, snapshots, resuming,
// heartbeats, timeouts and in-stream errors.

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse"
)

// unknownJob is a job the fake never started, with a well-formed token.
func unknownJob(kind bookstrack.Kind) bookstrack.Job {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return bookstrack.Job{ID: "0b6f5e2a-4c1d-4e8f-9a3b-7c2d1e0f9a8b", Kind: kind, Token: hex.EncodeToString(b[:])}
}

// heartbeats advances the clock one heartbeat interval n times, each time
// waiting until the client has read the heartbeat, so that the idle
// timeout is fed before time moves on.
func (f *fixture) heartbeats(n int, heartbeat string) {
	f.t.Helper()
	for i := 0; i < n; i++ {
		k := f.tap.count(heartbeat)
		f.clk.Advance(ping)
		require.NoError(f.t, f.tap.wait(f.ctx, heartbeat, k+1))
	}
}

// "A comment (: connection established, or : reconnected from event
// <id>), then retry: 5000 and a blank line: a block with no data, so no
// event is dispatched."
func TestQuirkPreambleDispatchesNothing(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	require.True(t, strings.HasPrefix(f.tap.text(), ": connection established\nretry: 5000\n\n"), "the fake's preamble: %q", f.tap.text())
	first := run.rec.seen().progress[0]
	assert.True(t, strings.HasSuffix(first.EventID, "-initial"), "the first update is %q, not the snapshot", first.EventID)
	// A resumed stream's preamble, mid-stream, dispatches nothing either.
	f.srv.SendRaw(job.ID, ": reconnected from event "+first.EventID+"\nretry: 5000\n\n")
	f.clk.Advance(step)
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 2 })
	assert.Equal(t, 0.02, run.rec.seen().progress[1].Fraction)
	f.complete(run)
	s := run.rec.seen()
	assert.Empty(t, s.errs)
	assertCompletedOnce(t, s)
}

// "Response: 200 text/event-stream, even for an unknown job (the error
// comes inside the stream)" and "Unknown job: event: error, no id, data
// {jobId, error:{code:JOB_NOT_FOUND,message}, timestamp}, then the server
// closes."
func TestQuirkInStreamJobNotFound(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := unknownJob(bookstrack.KindImport)
	rec := newRecorder()
	_, err := c.Watch(f.ctx, job, rec.handlers())
	require.Contains(t, f.tap.text(), `"error":{"code":"JOB_NOT_FOUND"`, "the fake did not send the quirk")
	require.ErrorIs(t, err, bookstrack.ErrJobNotFound)
	var se *bookstrack.StreamError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "JOB_NOT_FOUND", se.Code)
	assert.Equal(t, job.ID, se.JobID)
	assert.Len(t, f.streamRequests(job.ID), 1, "the watch reconnected to an unknown job")
	s := rec.seen()
	assert.Empty(t, s.progress)
	assert.Empty(t, s.completed)
}

// "the v2 stream's in-stream error carries "error":"job_not_found" as a
// plain string, where v3 nests an object"
func TestQuirkV2JobNotFoundPlainString(t *testing.T) {
	f := setup(t)
	c := f.enrichments(bookstrack.WithRoutes(bookstrack.V2))
	job := unknownJob(bookstrack.KindEnrichment)
	_, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
	require.Contains(t, f.tap.text(), `"error":"job_not_found"`, "the fake did not send the quirk")
	require.ErrorIs(t, err, bookstrack.ErrJobNotFound)
	reqs := f.streamRequests(job.ID)
	require.Len(t, reqs, 1)
	assert.Equal(t, "/api/v2/enrichments/"+job.ID+"/stream", reqs[0].Path)
}

// "A snapshot: id: <ms>-initial ... Skipped when resuming from an id under
// 10 s old."
func TestQuirkSnapshotSkippedOnRecentResume(t *testing.T) {
	for _, tc := range []struct {
		name     string
		away     time.Duration // between the two watches
		snapshot bool
	}{
		{"resumed at once", 0, false},
		{"resumed 9.9 s later", 9900 * time.Millisecond, false},
		{"resumed 10 s later", 10 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A slow ladder, so that the job is still running after the
			// time away.
			f := setup(t, bookstracktest.WithStepInterval(time.Minute))
			c := f.imports()
			job := f.startImport(c)
			f.stepJob(1, time.Minute)
			// The client had seen the first step and lost its stream.
			last := eventID(t0.Add(time.Minute), "progress")
			f.clk.Advance(tc.away)
			job.LastEventID = last
			run := f.follow(c.Watch, job)
			reqs := f.streamRequests(job.ID)
			require.Len(t, reqs, 1)
			assert.Equal(t, last, reqs[0].Header.Get("Last-Event-ID"))
			f.drive(run, time.Minute)
			_, err := f.result(run)
			require.NoError(t, err)
			s := run.rec.seen()
			require.NotEmpty(t, s.progress)
			assert.Equal(t, tc.snapshot, strings.HasSuffix(s.progress[0].EventID, "-initial"), "first update %q", s.progress[0].EventID)
			assert.Equal(t, tc.snapshot, strings.Contains(f.tap.text(), "-initial"), "snapshot sent")
			assertCompletedOnce(t, s)
		})
	}
}

// "after a resume the fresh snapshot is sent before the replayed updates,
// so progress can step backwards (never show a fraction lower than one
// already shown)"
func TestQuirkResumeReplayStepsBackwards(t *testing.T) {
	f := setup(t, bookstracktest.WithStepInterval(5*time.Second))
	c := f.imports()
	job := f.startImport(c)
	f.stepJob(4, 5*time.Second) // 0.02, 0.05, 0.75, 0.80, 5 s apart
	// The client had seen the first step (0.02) and comes back 15 s
	// later: the snapshot says 0.80, then 0.05, 0.75 and 0.80 are
	// replayed.
	job.LastEventID = eventID(t0.Add(5*time.Second), "progress")
	run := f.follow(c.Watch, job)
	f.waitFor(run, func(s seen) bool { return len(s.progress) >= 2 })
	require.Contains(t, f.tap.text(), `"progress":0.05`, "the fake did not replay")
	f.drive(run, 5*time.Second)
	_, err := f.result(run)
	require.NoError(t, err)
	s := run.rec.seen()
	assertCompletedOnce(t, s)
	assert.Equal(t, []float64{0.80, 0.85, 0.95, 1}, slices.Compact(s.fractions()))
}

// "Request: ... Last-Event-ID when resuming" and "on resume the server
// replays queued updates newer than the id's leading number"
func TestQuirkResumeSendsLastEventID(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	f.clk.Advance(step)
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 2 })
	last := run.rec.seen().progress[1].EventID
	require.Equal(t, 1, f.srv.DropStreams(job.ID))
	require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	f.complete(run)
	reqs := f.streamRequests(job.ID)
	require.Len(t, reqs, 2)
	assert.Empty(t, reqs[0].Header.Get("Last-Event-ID"))
	assert.Equal(t, last, reqs[1].Header.Get("Last-Event-ID"))
	assert.Contains(t, f.tap.text(), ": reconnected from event "+last+"\n")
	s := run.rec.seen()
	assert.NotEmpty(t, s.errs, "the dropped connection was not reported")
	assertCompletedOnce(t, s)
	assert.Equal(t, []float64{0, 0.02, 0.05, 0.75, 0.80, 0.85, 0.95, 1}, slices.Compact(s.fractions()), "an update was lost")
}

// "the token ... reusable across reconnections"
func TestQuirkTokenReusedAcrossReconnections(t *testing.T) {
	f := setup(t)
	c := f.enrichments()
	job := f.startEnrichment(c, catalogueISBN(0), catalogueISBN(1))
	run := f.follow(c.Watch, job)
	for i := 0; i < 2; i++ {
		require.Equal(t, 1, f.srv.DropStreams(job.ID))
		require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	}
	f.complete(run)
	reqs := f.streamRequests(job.ID)
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, "Bearer "+job.Token, r.Header.Get("Authorization"), "stream request %d", i)
	}
	assertCompletedOnce(t, run.rec.seen())
}

// "Server fault: event: error, no id, code STREAM_ERROR, retryable, then
// close."
func TestQuirkStreamErrorReconnects(t *testing.T) {
	f := setup(t)
	c := f.scans()
	job := f.startScan(c, shelfPhoto)
	run := f.follow(c.Watch, job)
	f.clk.Advance(step)
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 2 })
	last := run.rec.seen().progress[1].EventID
	require.Equal(t, 1, f.srv.StreamError(job.ID))
	require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	f.complete(run)
	s := run.rec.seen()
	streamErrs := errorsMatching[*bookstrack.StreamError](s.errs)
	require.Len(t, streamErrs, 1, "errors: %v", s.errs)
	assert.Equal(t, "STREAM_ERROR", streamErrs[0].Code)
	assert.True(t, streamErrs[0].Retryable)
	assert.NotErrorIs(t, streamErrs[0], bookstrack.ErrJobNotFound)
	reqs := f.streamRequests(job.ID)
	require.Len(t, reqs, 2)
	assert.Equal(t, last, reqs[1].Header.Get("Last-Event-ID"))
	assertCompletedOnce(t, s)
}

// "Heartbeat: event: ping, no id, data {timestamp} about every 30 s": the
// client's idle timeout (75 s) is fed by them, and they deliver nothing.
func TestQuirkPingFeedsIdleTimeout(t *testing.T) {
	t.Run("pings keep the stream", func(t *testing.T) {
		f := setup(t)
		c := f.imports()
		job := f.startImport(c)
		run := f.follow(c.Watch, job)
		require.True(t, f.srv.PauseJob(job.ID))
		f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
		f.heartbeats(4, "event: ping\n") // 2 minutes without an update
		assert.Len(t, f.streamRequests(job.ID), 1, "the stream was dropped")
		s := run.rec.seen()
		assert.Empty(t, s.errs)
		assert.Len(t, s.progress, 1, "a ping was delivered")
		require.True(t, f.srv.ResumeJob(job.ID))
		f.complete(run)
		assertCompletedOnce(t, run.rec.seen())
	})
	t.Run("silence drops it", func(t *testing.T) {
		f := setup(t, bookstracktest.WithPingInterval(time.Hour))
		c := f.imports()
		job := f.startImport(c)
		run := f.follow(c.Watch, job)
		require.True(t, f.srv.PauseJob(job.ID))
		f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
		// The watch's stall timer, the stream's heartbeat and timeout,
		// and the client's idle timer while it reads.
		require.NoError(t, f.clk.WaitPending(f.ctx, 4))
		f.clk.Advance(75 * time.Second)
		require.NoError(t, f.tap.wait(f.ctx, "retry: 5000", 2))
		s := run.rec.seen()
		assert.True(t, errorIs(s.errs, sse.ErrIdleTimeout), "errors: %v", s.errs)
		reqs := f.streamRequests(job.ID)
		require.Len(t, reqs, 2)
		assert.Equal(t, s.progress[0].EventID, reqs[1].Header.Get("Last-Event-ID"))
		require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
		require.True(t, f.srv.ResumeJob(job.ID))
		f.complete(run)
		assertCompletedOnce(t, run.rec.seen())
	})
}

// "(older servers send the comment : heartbeat)"
func TestQuirkCommentHeartbeat(t *testing.T) {
	f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{CommentHeartbeat: true}))
	c := f.imports()
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	require.True(t, f.srv.PauseJob(job.ID))
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	f.heartbeats(4, ": heartbeat\n") // 2 minutes: past the idle timeout
	assert.Len(t, f.streamRequests(job.ID), 1, "the stream was dropped")
	s := run.rec.seen()
	assert.Empty(t, s.errs)
	assert.Len(t, s.progress, 1)
	require.True(t, f.srv.ResumeJob(job.ID))
	f.complete(run)
	assertCompletedOnce(t, run.rec.seen())
}

// A heartbeat is not progress: a job that only pings stalls
// (WithStallTimeout: "heartbeats do not count").
func TestQuirkPingIsNotProgress(t *testing.T) {
	f := setup(t)
	c := f.imports(bookstrack.WithStallTimeout(2 * time.Minute))
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	require.True(t, f.srv.PauseJob(job.ID))
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	f.heartbeats(3, "event: ping\n")
	f.clk.Advance(ping) // the fourth heartbeat and the stall timeout
	_, err := f.result(run)
	assert.ErrorIs(t, err, bookstrack.ErrStalled)
}

// "After 5 minutes with no update: event: timeout, no id, data {jobId,
// error:{code:STREAM_TIMEOUT,message,retryable:true},timestamp}, then
// close: the client falls back to polling the status route (at most one
// request every 2 s) or reconnects."
func TestQuirkTimeoutEventFallsBackToPolling(t *testing.T) {
	f := setup(t)
	// The 2 s floor (a shorter interval is refused by NewClient).
	c := f.imports(bookstrack.WithPollInterval(2 * time.Second))
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	require.True(t, f.srv.PauseJob(job.ID))
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	f.heartbeats(9, "event: ping\n")
	f.clk.Advance(ping) // 5 minutes: the timeout event
	// The first poll goes at once.
	require.NoError(t, f.tap.waitResponses(f.ctx, http.MethodGet, "/"+job.ID, 1))
	require.Contains(t, f.tap.text(), "event: timeout\n", "the fake did not send the timeout")
	timedOut := f.clk.Now()
	require.Len(t, f.statusRequests(job.ID), 1)
	require.True(t, f.srv.ResumeJob(job.ID))
	// The watch's stall timer and its poll delay (or the job's step).
	f.driveWhilePending(run, 500*time.Millisecond, 2)
	_, err := f.result(run)
	require.NoError(t, err)

	s := run.rec.seen()
	assertCompletedOnce(t, s)
	assert.Empty(t, s.progress[len(s.progress)-1].EventID, "the completion did not come from the status route")
	timeouts := errorsMatching[*bookstrack.StreamError](s.errs)
	require.Len(t, timeouts, 1, "errors: %v", s.errs)
	assert.Equal(t, "STREAM_TIMEOUT", timeouts[0].Code)
	assert.Len(t, f.streamRequests(job.ID), 1, "the watch reconnected instead of polling")
	polls := f.statusRequests(job.ID)
	require.GreaterOrEqual(t, len(polls), 2)
	assert.True(t, polls[0].Time.Equal(timedOut), "first poll at %v, the timeout at %v", polls[0].Time, timedOut)
	for i := 1; i < len(polls); i++ {
		assert.GreaterOrEqual(t, polls[i].Time.Sub(polls[i-1].Time), 2*time.Second, "poll %d", i)
	}
}

// "... the client falls back to polling the status route ... or
// reconnects." (WithTimeoutFallback(ReconnectOnTimeout))
func TestQuirkTimeoutEventReconnectOption(t *testing.T) {
	f := setup(t)
	c := f.imports(bookstrack.WithTimeoutFallback(bookstrack.ReconnectOnTimeout))
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	require.True(t, f.srv.PauseJob(job.ID))
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	snapshotID := run.rec.seen().progress[0].EventID
	f.heartbeats(9, "event: ping\n")
	f.clk.Advance(ping) // 5 minutes: the timeout event
	require.NoError(t, f.tap.wait(f.ctx, "retry: 5000", 2))
	require.Contains(t, f.tap.text(), "event: timeout\n", "the fake did not send the timeout")
	require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	require.True(t, f.srv.ResumeJob(job.ID))
	f.complete(run)

	s := run.rec.seen()
	assertCompletedOnce(t, s)
	timeouts := errorsMatching[*bookstrack.StreamError](s.errs)
	require.Len(t, timeouts, 1, "errors: %v", s.errs)
	assert.Equal(t, "STREAM_TIMEOUT", timeouts[0].Code)
	assert.Empty(t, f.statusRequests(job.ID), "the watch polled instead of reconnecting")
	reqs := f.streamRequests(job.ID)
	require.Len(t, reqs, 2)
	assert.Equal(t, snapshotID, reqs[1].Header.Get("Last-Event-ID"))
}

// "Request: Accept: text/event-stream (without it: 400), the Bearer
// token"
func TestQuirkStreamNeedsAcceptHeader(t *testing.T) {
	f := setup(t)
	c := f.enrichments()
	job := f.startEnrichment(c, catalogueISBN(0))
	f.complete(f.follow(c.Watch, job))
	reqs := f.streamRequests(job.ID)
	require.Len(t, reqs, 1)
	assert.Contains(t, reqs[0].Header.Get("Accept"), "text/event-stream")
	assert.Equal(t, "Bearer "+job.Token, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, http.MethodGet, reqs[0].Method)
}

func errorIs(errs []error, target error) bool {
	for _, err := range errs {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
