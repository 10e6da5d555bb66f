package jobs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
)

// A client that connects after the job ended gets, on older servers, a
// snapshot whose status is completed and then the final completed event
// with the books: the watch takes the books from the final event.
func TestWatchLateConnectTakesTheFinalEventsBooks(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"completed","progress":1,"processedCount":2,"totalCount":2}`, "1000-initial")
	assert.Empty(t, r.rec.completions, "the snapshot waits for the final event")
	r.send("completed", `{"status":"completed","books":[{"title":"Emma"}],"processedCount":2,"totalCount":2}`, "1001-final")
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	assert.True(t, o.c.HasBooks)
	assert.Equal(t, 1, o.c.Books, "the final event's books")
	assert.Equal(t, "1001-final", o.c.LastEventID)
	assert.Len(t, r.rec.completions, 1)
	assert.Equal(t, int32(1), r.stream.closes.Load(), "closed once, by the completion")
	assert.Zero(t, r.clk.Pending(), "the wait's timer is stopped")
}

// The same with the snapshot named after its status (older servers).
func TestWatchLateConnectWaitsAfterAStatusNamedSnapshot(t *testing.T) {
	r := watch(t, setup{})
	r.send("completed", `{"status":"completed","progress":1,"processedCount":3,"totalCount":3}`, "1000-initial")
	r.send("completed", `{"status":"completed","books":[]}`, "1001-final")
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	assert.True(t, o.c.HasBooks)
	assert.Equal(t, "1001-final", o.c.LastEventID)
	assert.Equal(t, 3, o.c.Processed, "the final event has no counts: the snapshot's are kept")
	assert.Equal(t, 3, o.c.Total)
}

// The wait is bounded on the configured clock: without a final event the
// watch completes with the snapshot after lateFinalWait (2 s).
func TestWatchLateConnectWaitIsBounded(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"completed","progress":1,"processedCount":2,"totalCount":2}`, "1000-initial")
	r.waitPending(1)
	r.clk.Advance(2*time.Second - time.Nanosecond)
	assert.Zero(t, r.stream.closes.Load(), "still waiting")
	r.clk.Advance(time.Nanosecond)
	select {
	case <-r.stream.closed:
	case <-time.After(30 * time.Second): // a bug, not a timing goal
		t.Fatal("the wait ran out and the stream was not closed")
	}
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	assert.False(t, o.c.HasBooks, "the snapshot had no books")
	assert.Equal(t, 2, o.c.Processed)
	assert.Equal(t, "1000-initial", o.c.LastEventID)
	assert.Len(t, r.rec.completions, 1)
}

// A snapshot that carries the books needs no wait.
func TestWatchLateSnapshotWithBooksCompletesAtOnce(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"completed","progress":1,"books":[]}`, "1000-initial")
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	assert.True(t, o.c.HasBooks)
}
