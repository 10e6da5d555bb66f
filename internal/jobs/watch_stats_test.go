package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// What a watch records in the Stats given with bookstrack.WithStats.

// stamp is a payload timestamp d before the rig's clock.
func stamp(d time.Duration) string { return start.Add(-d).Format(time.RFC3339Nano) }

func TestAWatchRecordsTheLatencyOfStreamedUpdatesThatCarryAServerTime(t *testing.T) {
	st := ssestats.New()
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStats(st)}, job: bookstrack.Job{Kind: bookstrack.KindScan}})
	r.send("progress", `{"status":"processing","progress":0.1,"timestamp":"`+stamp(30*time.Millisecond)+`"}`, "1")
	r.send("progress", `{"status":"processing","progress":0.2}`, "2")                                            // no server time
	r.send("progress", `{"status":"processing","progress":0.3,"timestamp":"`+stamp(time.Second)+`"}`)            // no event ID
	r.send("progress", `{"status":"processing","progress":0.3,"timestamp":"`+stamp(time.Second)+`"}`, "3")       // a repeat, not delivered
	r.send("completed", `{"status":"completed","progress":1,"timestamp":"`+stamp(10*time.Millisecond)+`"}`, "4") // the final update
	r.end(sse.ErrClosed)
	require.NoError(t, r.result().err)
	require.Len(t, r.rec.progress, 4, "every new state is delivered")

	snap := st.Snapshot()
	assert.Equal(t, []string{"scans"}, snap.Names(), "recorded under the job type")
	got := snap.Streams["scans"].ProgressLatency
	assert.Equal(t, int64(2), got.Count, "the delivered updates with an event ID and a server time")
	assert.Equal(t, 10*time.Millisecond, got.Min, "measured by the client's clock")
	assert.Equal(t, 30*time.Millisecond, got.Max)
}

func TestAWatchRecordsNoLatencyForPolledUpdates(t *testing.T) {
	st := ssestats.New()
	status := func(context.Context) (json.RawMessage, error) {
		return json.RawMessage(`{"status":"completed","progress":1,"timestamp":"` + stamp(20*time.Millisecond) + `"}`), nil
	}
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStats(st)}, job: bookstrack.Job{Kind: bookstrack.KindImport}, fetch: status})
	r.send("progress", `{"status":"processing","progress":0.5,"timestamp":"`+stamp(40*time.Millisecond)+`"}`, "1")
	r.send("timeout", `{"error":{"code":"STREAM_TIMEOUT","retryable":true}}`)
	r.end(errors.New("closed after the timeout"))
	require.NoError(t, r.result().err)
	require.Len(t, r.rec.progress, 2)
	assert.Empty(t, r.rec.progress[1].EventID, "the completion came from the status route")

	got := st.Snapshot().Streams["imports"].ProgressLatency
	assert.Equal(t, int64(1), got.Count, "the streamed update only")
	assert.Equal(t, 40*time.Millisecond, got.Max)
}

func TestAWatchWithoutStatsRecordsNothing(t *testing.T) {
	st := ssestats.New()
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStats(st), bookstrack.WithStats(nil)}, job: bookstrack.Job{Kind: bookstrack.KindScan}})
	r.send("progress", `{"status":"processing","progress":0.1,"timestamp":"`+stamp(30*time.Millisecond)+`"}`, "1")
	r.end(errors.New("stream over"))
	r.result()
	require.Len(t, r.rec.progress, 1)
	assert.Empty(t, st.Snapshot().Names(), "WithStats(nil) is none")
}
