package bookstrack_test

// One test per quirk of the wire contract (docs/CONTRACT.md), each named
// after its quirk and quoting the backend sources' line it checks. This file: terminal events and payloads.
// The stream's mechanics are in quirks_stream_test.go, HTTP errors and
// auth in quirks_errors_test.go, start, routes and results in
// quirks_results_test.go.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/scan"
)

// "Terminal: completed or failed. A connected client usually gets it
// TWICE: the queued event, then up to ~10 s later a final one with id
// <ms>-final and a different shape. Act on the first, ignore the rest."
func TestQuirkDuplicateTerminalEvent(t *testing.T) {
	t.Run("queued then final", func(t *testing.T) {
		f := setup(t)
		c := f.enrichments()
		run := f.follow(c.Watch, f.startEnrichment(c, catalogueISBN(0)))
		comp := f.complete(run) // the watch ends on the queued event, the final one is 2 s away
		assertCompletedOnce(t, run.rec.seen())
		assert.True(t, strings.HasSuffix(comp.LastEventID, "-completed"), "acted on %q, want the queued event", comp.LastEventID)
	})
	t.Run("both in one read", func(t *testing.T) {
		f := setup(t)
		c := f.enrichments()
		job := f.startEnrichment(c, catalogueISBN(0))
		run := f.follow(c.Watch, job)
		require.True(t, f.srv.PauseJob(job.ID))
		now := f.clk.Now()
		first, final := eventID(now, "completed"), eventID(now.Add(time.Millisecond), "final")
		f.srv.SendRaw(job.ID,
			"id: "+first+"\nevent: completed\ndata: "+fmt.Sprintf(`{"jobId":%q,"status":"completed","message":"done","progress":1,"processedCount":1,"totalCount":1,"timestamp":%q}`, job.ID, now.Format(time.RFC3339Nano))+"\n\n"+
				"id: "+final+"\nevent: completed\ndata: "+fmt.Sprintf(`{"jobId":%q,"status":"completed","progress":1,"books":[],"completedAt":%q,"timestamp":%q}`, job.ID, now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))+"\n\n")
		comp, err := f.result(run)
		require.NoError(t, err)
		assertCompletedOnce(t, run.rec.seen())
		assert.Equal(t, first, comp.LastEventID)
	})
	t.Run("Updates yields one completed update", func(t *testing.T) {
		f := setup(t)
		c := f.scans()
		job := f.startScan(c, shelfPhoto)
		run := f.goUpdates(c.Updates, job)
		require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
		f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 }) // the snapshot
		f.drive(run, step)
		_, err := f.result(run)
		require.NoError(t, err)
		s := run.rec.seen()
		s.completed = []bookstrack.Completion{{}} // Updates has no Completed callback
		assertCompletedOnce(t, s)
	})
}

// "Payload quirks to absorb: progress is a fraction 0..1 but completed
// may say 100."
func TestQuirkProgressPercentInCompleted(t *testing.T) {
	t.Run("live", func(t *testing.T) {
		f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{PercentComplete: true}))
		c := f.imports()
		run := f.follow(c.Watch, f.startImport(c))
		f.complete(run)
		assert.Contains(t, f.tap.text(), `"progress":100`, "the fake did not send the quirk")
		assertCompletedOnce(t, run.rec.seen())
	})
	t.Run("terminal snapshot", func(t *testing.T) {
		f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{PercentComplete: true, TerminalSnapshot: true}))
		c := f.imports()
		job := f.startImport(c)
		f.finishJob(job.ID)
		rec := newRecorder()
		_, err := c.Watch(f.ctx, job, rec.handlers())
		require.NoError(t, err)
		assert.Contains(t, f.tap.text(), `"status":"completed","progress":100`, "the fake did not send the quirk")
		assertCompletedOnce(t, rec.seen())
	})
}

// "a CSV import's completed can carry processedCount 0, totalCount 0 and
// an empty books (always fetch results)"
func TestQuirkCSVCompletedWithZeroCounts(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	comp := f.complete(run)
	assert.Contains(t, f.tap.text(), `"processedCount":0,"totalCount":0,"books":[]`, "the fake did not send the quirk")
	assert.Zero(t, comp.Processed)
	assert.Zero(t, comp.Total)
	res, err := c.Results(f.ctx, job.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, res.BooksCreated)
	assert.Len(t, res.Books, 2)
}

// "CSV imports keep totalCount at 0 throughout"
func TestQuirkTotalCountZeroForImports(t *testing.T) {
	f := setup(t)
	c := f.imports()
	run := f.follow(c.Watch, f.startImport(c))
	f.complete(run)
	s := run.rec.seen()
	for i, p := range s.progress {
		assert.Zero(t, p.Total, "progress %d", i)
		assert.Zero(t, p.Processed, "progress %d", i)
	}
	// The fraction alone tells how far the import is: the snapshot, the
	// ladder "0.02 validating, 0.05 uploading, 0.75 parsed N books, 0.80
	// saving, 0.85 enriching, 0.95 enriched x/y", the completion.
	assert.Equal(t, []float64{0, 0.02, 0.05, 0.75, 0.80, 0.85, 0.95, 1}, s.fractions())
	assertCompletedOnce(t, s)
}

// "progress fractions carry float noise (0.30000000000000004)"
func TestQuirkFloatNoise(t *testing.T) {
	f := setup(t)
	c := f.scans()
	// Two photos: the first photo's step is 0.10 + 0.40*1/2.
	run := f.follow(c.Watch, f.startScan(c, shelfPhoto, []byte("shelf-12")))
	f.complete(run)
	require.Contains(t, f.tap.text(), `"progress":0.30000000000000004`, "the fake did not send the quirk")
	s := run.rec.seen()
	// Delivered as sent: the client never rounds the server's numbers.
	assert.Contains(t, s.fractions(), 0.30000000000000004)
	assert.NotContains(t, s.fractions(), 0.3)
	assertCompletedOnce(t, s)
}

// "timestamps arrive as ISO strings or epoch milliseconds"
func TestQuirkTimestampsISOOrEpoch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		epoch bool
		wire  string
	}{
		{"ISO", false, `"timestamp":"2026-01-02T03:04:05.100Z"`},
		{"epoch", true, `"timestamp":1767323045100`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{EpochTimestamps: tc.epoch}))
			c := f.enrichments()
			// One book: the snapshot at t0, "Processing 1/1" at t0+step,
			// the completion at t0+2*step.
			run := f.follow(c.Watch, f.startEnrichment(c, catalogueISBN(0)))
			comp := f.complete(run)
			assert.Contains(t, f.tap.text(), tc.wire, "the fake did not send the quirk")
			s := run.rec.seen()
			require.Len(t, s.progress, 3)
			for i, p := range s.progress {
				assert.True(t, p.Time.Equal(t0.Add(time.Duration(i)*step)), "progress %d at %v", i, p.Time)
			}
			assert.True(t, comp.Time.Equal(t0.Add(2*step)), "completed at %v", comp.Time)
			assert.True(t, comp.ResultsExpireAt.Equal(comp.Time.Add(2*time.Hour)), "results expire at %v", comp.ResultsExpireAt)
			assert.Empty(t, s.errs)
		})
	}
}

// "the final completed carries the results array as books or as results"
func TestQuirkResultsAsBooksOrResults(t *testing.T) {
	for _, field := range []string{"books", "results"} {
		t.Run(field, func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{ResultsField: field}))
			c := f.enrichments()
			job := f.startEnrichment(c, catalogueISBN(0), catalogueISBN(1))
			f.finishJob(job.ID)
			// The job ended before the client connected: the final event,
			// with its array, is all the stream says.
			rec := newRecorder()
			_, err := c.Watch(f.ctx, job, rec.handlers())
			require.NoError(t, err)
			assert.Contains(t, f.tap.text(), `"`+field+`":[{`, "the fake did not send the quirk")
			s := rec.seen()
			assertCompletedOnce(t, s)
			assert.Empty(t, s.errs)
			res, err := c.Results(f.ctx, job.ID)
			require.NoError(t, err)
			assert.Len(t, res.Books, 2)
		})
	}
}

// "the final failed may lack status"
func TestQuirkFinalFailedWithoutStatus(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	require.True(t, f.srv.FailJob(job.ID, "IMPORT_FAILED", "the library is full", true))
	// Connecting after the failure gets only the final failed event.
	rec := newRecorder()
	_, err := c.Watch(f.ctx, job, rec.handlers())
	require.Contains(t, f.tap.text(), "-final\nevent: failed\ndata: {\"jobId\"", "the fake did not send the final event")
	require.NotContains(t, f.tap.text(), `"status"`, "the fake's final failed event has a status")
	var failed *bookstrack.JobFailedError
	require.ErrorAs(t, err, &failed)
	assert.Equal(t, bookstrack.StatusFailed, failed.Status)
	assert.Equal(t, "IMPORT_FAILED", failed.Code)
	assert.Equal(t, "the library is full", failed.Message)
	assert.True(t, failed.Retryable)
	assert.Equal(t, job.ID, failed.JobID)
	assert.NotErrorIs(t, err, bookstrack.ErrJobCanceled)
	assert.Empty(t, rec.seen().completed)
}

// "canceled is a valid terminal status even though today's server never
// reaches it" (the fake reaches it through DELETE)
func TestQuirkCanceledTerminalStatus(t *testing.T) {
	t.Run("while watching", func(t *testing.T) {
		f := setup(t)
		c := f.scans()
		job := f.startScan(c, shelfPhoto)
		run := f.follow(c.Watch, job)
		require.NoError(t, c.Cancel(f.ctx, job.ID))
		_, err := f.result(run)
		require.ErrorIs(t, err, bookstrack.ErrJobCanceled)
		var failed *bookstrack.JobFailedError
		require.ErrorAs(t, err, &failed)
		assert.Equal(t, bookstrack.StatusCanceled, failed.Status)
		assert.Equal(t, "CANCELED", failed.Code)
		assert.Empty(t, run.rec.seen().completed)

		p, err := c.Status(f.ctx, job.ID)
		require.ErrorIs(t, err, bookstrack.ErrJobCanceled)
		assert.Equal(t, bookstrack.StatusCanceled, p.Status)
	})
	t.Run("before connecting", func(t *testing.T) {
		// The final failed event carries no status, only the error code
		// CANCELED; the status route says "canceled". A watch and a
		// status call should agree.
		f := setup(t)
		c := f.scans()
		job := f.startScan(c, shelfPhoto)
		require.NoError(t, c.Cancel(f.ctx, job.ID))
		_, statusErr := c.Status(f.ctx, job.ID)
		require.ErrorIs(t, statusErr, bookstrack.ErrJobCanceled)
		_, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
		var failed *bookstrack.JobFailedError
		require.ErrorAs(t, err, &failed)
		assert.Equal(t, "CANCELED", failed.Code)
		assert.ErrorIs(t, err, bookstrack.ErrJobCanceled, "a canceled job seen through its final event")
	})
}

// "A job that ended before the client connected yields the final event"
func TestQuirkJobEndedBeforeConnect(t *testing.T) {
	f := setup(t)
	c := f.enrichments()
	job := f.startEnrichment(c, catalogueISBN(0))
	info := f.finishJob(job.ID)
	f.clk.Advance(time.Hour) // the client comes back an hour later
	rec := newRecorder()
	comp, err := c.Watch(f.ctx, job, rec.handlers())
	require.NoError(t, err)
	require.Contains(t, f.tap.text(), "-final\nevent: completed", "the fake did not send the final event")
	require.NotContains(t, f.tap.text(), "-initial", "the fake sent a snapshot")
	s := rec.seen()
	assertCompletedOnce(t, s)
	assert.Len(t, s.progress, 1)
	// The final event says when the job completed (completedAt) apart
	// from when the event was made (timestamp).
	assert.True(t, comp.Time.Equal(info.CompletedAt), "Completion.Time %v, the job completed at %v", comp.Time, info.CompletedAt)
	assert.True(t, comp.ResultsExpireAt.Equal(info.CompletedAt.Add(2*time.Hour)), "ResultsExpireAt %v, the results expire at %v", comp.ResultsExpireAt, info.CompletedAt.Add(2*time.Hour))
}

// "(and on older servers also a snapshot with a terminal status)"
func TestQuirkTerminalSnapshot(t *testing.T) {
	for _, named := range []bool{false, true} {
		quirks := bookstracktest.Quirks{TerminalSnapshot: true, StatusNamedSnapshot: named}
		t.Run(fmt.Sprintf("completed/named=%v", named), func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(quirks))
			c := f.imports()
			job := f.startImport(c)
			f.finishJob(job.ID)
			rec := newRecorder()
			comp, err := c.Watch(f.ctx, job, rec.handlers())
			require.NoError(t, err)
			require.Contains(t, f.tap.text(), `-initial`, "the fake did not send the snapshot")
			assertCompletedOnce(t, rec.seen())
			// The final event follows the snapshot on the same connection
			// and carries the books: the watch takes them.
			assert.True(t, strings.HasSuffix(comp.LastEventID, "-final"), "acted on %q, want the final event", comp.LastEventID)
			assert.True(t, comp.HasBooks, "the final event's books array")
		})
		t.Run(fmt.Sprintf("failed/named=%v", named), func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(quirks))
			c := f.imports()
			job := f.startImport(c)
			require.True(t, f.srv.FailJob(job.ID, "IMPORT_FAILED", "boom", false))
			rec := newRecorder()
			_, err := c.Watch(f.ctx, job, rec.handlers())
			var failed *bookstrack.JobFailedError
			require.ErrorAs(t, err, &failed)
			assert.Equal(t, bookstrack.StatusFailed, failed.Status)
			assert.Empty(t, rec.seen().completed)
		})
		t.Run(fmt.Sprintf("canceled/named=%v", named), func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(quirks))
			c := f.imports()
			job := f.startImport(c)
			require.NoError(t, c.Cancel(f.ctx, job.ID))
			_, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
			assert.ErrorIs(t, err, bookstrack.ErrJobCanceled)
		})
	}
}

// "older servers name it after the status: initialized, processing,
// completed, failed" (completed and failed: TestQuirkTerminalSnapshot)
func TestQuirkSnapshotNamedAfterStatus(t *testing.T) {
	quirks := bookstracktest.WithQuirks(bookstracktest.Quirks{StatusNamedSnapshot: true})
	t.Run("initialized", func(t *testing.T) {
		f := setup(t, quirks)
		c := f.imports()
		run := f.follow(c.Watch, f.startImport(c))
		f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
		require.Contains(t, f.tap.text(), "event: initialized\n", "the fake did not send the quirk")
		first := run.rec.seen().progress[0]
		assert.Equal(t, bookstrack.StatusQueued, first.Status)
		assert.Zero(t, first.Fraction)
		assert.True(t, strings.HasSuffix(first.EventID, "-initial"), first.EventID)
		f.complete(run)
		assertCompletedOnce(t, run.rec.seen())
	})
	t.Run("processing", func(t *testing.T) {
		f := setup(t, quirks)
		c := f.imports()
		job := f.startImport(c)
		f.stepJob(2, step) // 0.02 validating, 0.05 uploading
		run := f.follow(c.Watch, job)
		f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
		require.Contains(t, f.tap.text(), "event: processing\n", "the fake did not send the quirk")
		first := run.rec.seen().progress[0]
		assert.Equal(t, bookstrack.StatusProcessing, first.Status)
		assert.Equal(t, 0.05, first.Fraction)
		f.complete(run)
		assertCompletedOnce(t, run.rec.seen())
	})
}

// "Decode leniently: unknown fields are ignored, missing fields are zero,
// and a field of an unexpected type is an error that names the field,
// never a panic." For stream events: an *EventError, and the stream goes
// on.
func TestQuirkMalformedEventJSON(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	bad := []struct{ id, data, field string }{
		{eventID(t0, "progress"), `{"jobId":"` + job.ID + `","status":"processing","progress":"lots"}`, "progress"},
		{eventID(t0.Add(time.Millisecond), "progress"), `{"jobId":"` + job.ID + `","status":"processing","processedCount":2.5}`, "processedCount"},
		{eventID(t0.Add(2*time.Millisecond), "progress"), `{"jobId":"` + job.ID + `","status":"processing","timestamp":"yesterday"}`, "timestamp"},
		{eventID(t0.Add(3*time.Millisecond), "progress"), `{"jobId":"` + job.ID + `","status":`, ""},
	}
	for _, b := range bad {
		f.srv.SendRaw(job.ID, "id: "+b.id+"\nevent: progress\ndata: "+b.data+"\n\n")
	}
	f.waitFor(run, func(s seen) bool { return len(s.errs) >= len(bad) })
	f.complete(run)
	s := run.rec.seen()
	require.Len(t, s.errs, len(bad))
	for i, b := range bad {
		var ee *bookstrack.EventError
		if assert.ErrorAs(t, s.errs[i], &ee, "error %d", i) {
			assert.Equal(t, "progress", ee.Event, "error %d", i)
			assert.Equal(t, b.id, ee.ID, "error %d", i)
			assert.Equal(t, b.field, ee.Field, "error %d: %v", i, ee)
		}
	}
	assertCompletedOnce(t, s)
}

// "Decode leniently: unknown fields are ignored" (events of an unknown
// type too: they are logged at Debug and nothing else happens)
func TestQuirkUnknownEventIgnored(t *testing.T) {
	f := setup(t)
	var logs logBuffer
	c := f.imports(bookstrack.WithLogger(logs.logger()))
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	f.srv.SendRaw(job.ID, "event: rebalance\ndata: {\"jobId\":\""+job.ID+"\",\"status\":\"completed\",\"progress\":1}\n\n")
	f.srv.SendRaw(job.ID, "id: "+eventID(t0, "progress")+"\nevent: progress\ndata: {\"jobId\":\""+job.ID+"\",\"status\":\"processing\",\"progress\":0.01,\"shard\":7,\"eta\":{\"s\":3}}\n\n")
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 2 })
	s := run.rec.seen()
	assert.Empty(t, s.completed, "an unknown event was acted on")
	assert.Equal(t, 0.01, s.progress[1].Fraction, "unknown fields spoiled an event")
	f.complete(run)
	s = run.rec.seen()
	assert.Empty(t, s.errs)
	assertCompletedOnce(t, s)
	assert.Contains(t, logs.String(), "rebalance")
}

// "Progress ladders the server emits: CSV import 0.02 ... 0.95; scan 0.10
// start, then per photo 0.10 + 0.40*(i+1)/N ("Processing photo i of N"),
// 0.50 enriching M books, then per book up to 0.95; enrichment reports
// every 50 books and at the end ("Processing x/total")."
func TestQuirkProgressLadders(t *testing.T) {
	t.Run("scan", func(t *testing.T) {
		f := setup(t)
		c := f.scans()
		run := f.follow(c.Watch, f.startScan(c, shelfPhoto, []byte("shelf-12"), []byte("shelf-13")))
		f.complete(run)
		s := run.rec.seen()
		assertCompletedOnce(t, s)
		var photos []int
		var stages []string
		for _, p := range s.progress {
			if i, n, ok := scan.PhotoOf(p); ok {
				assert.Equal(t, 3, n)
				photos = append(photos, i)
			}
			if k := len(stages); k == 0 || stages[k-1] != string(scan.StageOf(p)) {
				stages = append(stages, string(scan.StageOf(p)))
			}
		}
		assert.Equal(t, []int{1, 2, 3}, photos)
		assert.Equal(t, []string{"queued", "detecting", "enriching", "done"}, stages)
		// As the server computes them: 0.10 + 0.40*i/3, float noise kept.
		photo := func(i float64) float64 { return 0.10 + 0.40*i/3 }
		assert.Equal(t, []float64{0, 0.1, photo(1), photo(2), photo(3), photo(3)}, s.fractions()[:6])
	})
	t.Run("enrichment", func(t *testing.T) {
		f := setup(t)
		c := f.enrichments()
		isbns := make([]string, 120)
		for i := range isbns {
			isbns[i] = fmt.Sprintf("978000000%04d", i)
		}
		run := f.follow(c.Watch, f.startEnrichment(c, isbns...))
		f.complete(run)
		s := run.rec.seen()
		assertCompletedOnce(t, s)
		var processed []int
		var messages []string
		for _, p := range s.progress {
			processed = append(processed, p.Processed)
			messages = append(messages, p.Message)
		}
		assert.Equal(t, []int{0, 50, 100, 120, 120}, processed)
		assert.Equal(t, []string{"", "Processing 50/120", "Processing 100/120", "Processing 120/120"}, messages[:4])
	})
}

// errorsMatching returns the errors a watch reported that match target.
func errorsMatching[T error](errs []error) []T {
	var out []T
	for _, err := range errs {
		var v T
		if errors.As(err, &v) {
			out = append(out, v)
		}
	}
	return out
}
