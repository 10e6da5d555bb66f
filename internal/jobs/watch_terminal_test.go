package jobs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

func TestWatchFirstTerminalEventWinsAndDuplicatesAreNeverSeen(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"processing","progress":0.9}`, "1")
	r.send("completed", `{"status":"completed","processedCount":3,"totalCount":3,"timestamp":"2026-12-02T11:59:00Z","books":[1,2,3]}`, "2")
	r.send("completed", `{"status":"completed","processedCount":9,"totalCount":9}`, "3")
	r.send("failed", `{"error":{"code":"LATE","message":"too late"}}`, "4")
	r.send("progress", `{"status":"processing","progress":0.95}`, "5")
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	assert.Equal(t, []float64{0.9, 1}, r.rec.fractions())
	require.Len(t, r.rec.completions, 1, "Completed is called once")
	assert.Equal(t, o.c, r.rec.completions[0])
	assert.Equal(t, 3, o.c.Processed)
	assert.Equal(t, 3, o.c.Books)
	assert.True(t, o.c.HasBooks)
	assert.Equal(t, time.Date(2026, 12, 2, 11, 59, 0, 0, time.UTC), o.c.Time, "the server's time, not the client's")
	assert.Equal(t, start, o.c.ObservedAt)
	assert.Equal(t, "2", o.c.LastEventID, "the ID of the event that completed the job")
	assert.Equal(t, int32(1), r.stream.closes.Load(), "the first terminal event closes the stream, once")
	assert.Empty(t, r.rec.errors())
}

func TestWatchFinalUpdateAlwaysShowsAtOne(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"processing","progress":1,"message":"all done"}`)
	r.send("completed", `{}`)
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	require.Len(t, r.rec.progress, 2, "the completed update shows even at the fraction already delivered")
	last := r.rec.progress[1]
	assert.Equal(t, bookstrack.StatusCompleted, last.Status)
	assert.Equal(t, 1.0, last.Fraction)
	assert.Equal(t, jobID, o.c.JobID)
	assert.False(t, o.c.HasBooks)
}

func TestWatchCompletionExpiryIsInTheCallersClock(t *testing.T) {
	// The server's clock is 3 hours behind the client's: its completedAt
	// and timestamp say how old the completion was when sent (10 min),
	// and the expiry is counted from when the client saw it.
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithResultsTTL(time.Hour)}})
	r.send("completed", `{"completedAt":"2026-12-02T08:50:00Z","timestamp":"2026-12-02T09:00:00Z","startTime":1764662400000}`)
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	assert.Equal(t, time.Date(2026, 12, 2, 8, 50, 0, 0, time.UTC), o.c.Time)
	assert.Equal(t, start.Add(50*time.Minute), o.c.ResultsExpireAt, "observed at 12:00, 10 min old, TTL 1 h")
	assert.Equal(t, time.UnixMilli(1764662400000).UTC(), o.c.Started.UTC())
	assert.False(t, o.c.ResultsExpired(start.Add(49*time.Minute)))
	assert.True(t, o.c.ResultsExpired(start.Add(50*time.Minute)))
}

func TestWatchSnapshotWithATerminalStatusEndsTheWatch(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		status     bookstrack.Status
	}{
		{"completed", `{"status":"completed","progress":1}`, bookstrack.StatusCompleted},
		{"failed", `{"status":"failed","error":{"code":"X","message":"m"}}`, bookstrack.StatusFailed},
		{"cancelled, British", `{"status":"cancelled"}`, bookstrack.StatusCanceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := watch(t, setup{})
			r.send("initialized", tc.data)
			r.end(sse.ErrClosed)
			o := r.result()
			if tc.status == bookstrack.StatusCompleted {
				require.NoError(t, o.err)
				assert.Equal(t, tc.status, o.c.Status)
				return
			}
			var jf *bookstrack.JobFailedError
			require.ErrorAs(t, o.err, &jf)
			assert.Equal(t, tc.status, jf.Status)
		})
	}
}
