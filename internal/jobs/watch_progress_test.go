package jobs_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

func TestWatchNeverDeliversAStepBackOrARepeat(t *testing.T) {
	r := watch(t, setup{})
	r.send("initialized", `{"status":"processing","progress":0.4,"message":"snapshot"}`, "5")
	r.send("progress", `{"status":"processing","progress":0.2,"message":"replayed"}`, "2") // older replay: a step back
	r.send("progress", `{"status":"processing","progress":0.4,"message":"snapshot"}`, "6") // same state again
	r.send("progress", `{"status":"processing","progress":0.399,"message":"lower"}`, "7")  // a small step back
	r.send("progress", `{"status":"processing","progress":0.5,"message":"half"}`, "8")
	r.send("completed", `{"status":"completed","progress":1}`, "9")
	r.end(sse.ErrClosed)
	o := r.result()
	require.NoError(t, o.err)
	assert.Equal(t, []float64{0.4, 0.5, 1}, r.rec.fractions())
	assert.Equal(t, "9", o.c.LastEventID)
}

func TestWatchReadsFloatNoiseAsNoStepBack(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"processing","progress":0.5000000000000001}`)
	r.send("progress", `{"status":"processing","progress":0.5,"message":"same fraction, new message"}`)
	r.end(errors.New("stream over"))
	r.result()
	require.Len(t, r.rec.progress, 2, "the second update is delivered: its message is new")
	assert.Equal(t, 0.5000000000000001, r.rec.progress[1].Fraction, "the noise is not a step back, and the highest fraction shows")
}

func TestWatchDeliversAnyNewStateAtTheSameFraction(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"processing","progress":0.3,"processedCount":1,"totalCount":10}`)
	r.send("progress", `{"status":"processing","progress":0.3,"processedCount":2,"totalCount":10}`)
	r.send("progress", `{"status":"processing","progress":0.3,"processedCount":2,"totalCount":11}`)
	r.send("progress", `{"status":"processing","progress":0.3,"processedCount":2,"totalCount":11,"message":"m"}`)
	r.send("queued", `{"status":"queued","progress":0.3,"processedCount":2,"totalCount":11,"message":"m"}`)
	r.send("progress", `{"status":"processing","progress":0.3,"processedCount":2,"totalCount":11,"message":"m"}`)
	r.end(errors.New("stream over"))
	r.result()
	require.Len(t, r.rec.progress, 6)
	assert.Equal(t, bookstrack.StatusQueued, r.rec.progress[4].Status)
}

func TestWatchDeliversFractionsAsSentClampedToZeroAndOne(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"processing","progress":-0.5}`)
	r.send("progress", `{"status":"processing","progress":0.8333333333333334}`)
	r.send("progress", `{"status":"processing","progress":7}`) // not terminal: no percentage, clamped
	r.end(errors.New("stream over"))
	r.result()
	assert.Equal(t, []float64{0, 0.8333333333333334, 1}, r.rec.fractions())
}

func TestWatchReadsAPercentageOnlyOnATerminalPayload(t *testing.T) {
	for _, tc := range []struct {
		data string
		want float64
	}{
		{`{"status":"completed","progress":100}`, 1},
		{`{"status":"failed","progress":50}`, 0.5},
		{`{"status":"failed","progress":1}`, 1},
		{`{"status":"processing","progress":50}`, 1},
	} {
		p, bad, err := decodeForTest(tc.data)
		require.NoError(t, err)
		require.Empty(t, bad)
		assert.Equal(t, tc.want, p.Fraction(), tc.data)
	}
}

func TestWatchKeepsTheFieldsOfAnUpdateWithOneOddField(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"processing","progress":0.5,"processedCount":1.5,"totalCount":4,"message":"kept"}`, "3")
	r.send("progress", `{"status":`, "4")
	r.end(errors.New("stream over"))
	r.result()
	require.Len(t, r.rec.progress, 1, "the malformed update is not delivered")
	p := r.rec.progress[0]
	assert.Equal(t, 0.5, p.Fraction)
	assert.Equal(t, 4, p.Total)
	assert.Equal(t, "kept", p.Message)
	assert.Equal(t, "3", p.EventID)
	assert.Equal(t, jobID, p.JobID)
	errs := r.rec.errors()
	require.Len(t, errs, 2, "the odd field, the malformed event")
	var ee *bookstrack.EventError
	require.ErrorAs(t, errs[0], &ee)
	assert.Equal(t, "progress", ee.Event)
	assert.Equal(t, "3", ee.ID)
	assert.Equal(t, "processedCount", ee.Field)
	require.ErrorAs(t, errs[1], &ee)
	assert.Equal(t, "4", ee.ID)
	assert.Empty(t, ee.Field, "malformed JSON names no field")
}

func TestWatchIgnoresHeartbeatsAndUnknownEvents(t *testing.T) {
	r := watch(t, setup{})
	r.send("ping", ``)
	r.send("heartbeat", `{}`)
	r.send("surprise", `{"status":"completed"}`)
	r.send("progress", `{"status":"processing","progress":0.1}`)
	r.end(errors.New("stream over"))
	o := r.result()
	assert.Error(t, o.err)
	assert.Equal(t, []float64{0.1}, r.rec.fractions())
	assert.Len(t, r.rec.errors(), 0, "nothing to report; the stream's end is the outcome")
}

func TestWatchUpdateWithoutAFractionKeepsTheLastOne(t *testing.T) {
	r := watch(t, setup{})
	r.send("progress", `{"status":"processing","progress":0.3}`)
	r.send("progress", `{"status":"processing","message":"Processing photo 2 of 3"}`)
	r.end(errors.New("stream over"))
	r.result()
	require.Len(t, r.rec.progress, 2, "a message-only update is no step back")
	assert.Equal(t, 0.3, r.rec.progress[1].Fraction)
	assert.Equal(t, "Processing photo 2 of 3", r.rec.progress[1].Message)

	p, _, err := decodeForTest(`{"status":"processing"}`)
	require.NoError(t, err)
	assert.Zero(t, p.Fraction(), "before any update, no fraction reads as 0")
}
