package jobs_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
)

const stall = 10 * time.Second

// The fake clock removes a timer once it is due, so Pending tells
// without any wait whether the stall timer has fired.

func TestWatchStallTimerRestartsOnEveryDeliveredUpdate(t *testing.T) {
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStallTimeout(stall)}})
	r.waitPending(1)
	for i, data := range []string{
		`{"status":"processing","progress":0.2}`,
		`{"status":"processing","progress":0.2,"message":"new message only"}`,
		`{"status":"processing","progress":0.2,"message":"new message only","processedCount":1}`,
		`{"status":"queued","progress":0.2,"message":"new message only","processedCount":1}`,
	} {
		r.send("progress", data)
		r.clk.Advance(stall - time.Second)
		assert.Equal(t, 1, r.clk.Pending(), "update %d restarted the timer: it has not fired %v after", i, stall-time.Second)
	}
	r.clk.Advance(time.Second)
	o := r.result()
	assert.ErrorIs(t, o.err, bookstrack.ErrStalled)
	assert.Contains(t, o.err.Error(), "no update for 10s")
	assert.Equal(t, start.Add(4*(stall-time.Second)+time.Second), r.clk.Now())
}

func TestWatchStallTimerIgnoresHeartbeatsAndRepeats(t *testing.T) {
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStallTimeout(stall)}})
	r.waitPending(1)
	r.send("progress", `{"status":"processing","progress":0.2}`)
	r.clk.Advance(stall / 2)
	r.send("progress", `{"status":"processing","progress":0.2}`) // a repeat
	r.send("ping", ``)
	r.send("progress", `{"status":"processing","progress":0.1}`) // a step back
	r.clk.Advance(stall / 2)
	o := r.result()
	assert.ErrorIs(t, o.err, bookstrack.ErrStalled, "only the first update restarted the timer")
	assert.Equal(t, []float64{0.2}, r.rec.fractions())
}

func TestWatchStallTimeoutOffNeverArmsATimer(t *testing.T) {
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStallTimeout(-1)}})
	r.send("progress", `{"status":"processing","progress":0.2}`)
	assert.Zero(t, r.clk.Pending())
	r.send("completed", `{}`)
	r.end(nil)
	require.NoError(t, r.result().err)
}

func TestWatchStallsWhilePollingAnUnchangingStatus(t *testing.T) {
	var polls atomic.Int32
	fetch := func(context.Context) (json.RawMessage, error) {
		polls.Add(1)
		return json.RawMessage(`{"status":"processing","progress":0.5}`), nil
	}
	// 11 s: the stall never falls on a poll, at 0, 2, 4 ... s.
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStallTimeout(11 * time.Second)}, fetch: fetch})
	r.waitPending(1)
	r.send("progress", `{"status":"processing","progress":0.5}`)
	r.send("timeout", `{"error":{"code":"STREAM_TIMEOUT","message":"idle"}}`)
	r.end(context.Canceled) // what Connect returns once the watch closed the stream
	for r.clk.Now().Before(start.Add(11 * time.Second)) {
		r.waitPending(2) // the stall timer and the poll's sleep
		r.clk.Advance(time.Second)
	}
	o := r.result()
	assert.ErrorIs(t, o.err, bookstrack.ErrStalled)
	assert.Equal(t, int32(6), polls.Load(), "polled at 0, 2, 4, 6, 8 and 10 s; the stall at 11 s ends the sleep")
	assert.Equal(t, []float64{0.5}, r.rec.fractions(), "the unchanged status is never delivered")
}
