package bookstrack_test

// Issue 6 items 2 and 5, end to end with default options: the server's
// fractions are delivered as sent, and any delivered update keeps a live
// job from being declared stalled.

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestProgressFractionsAreDeliveredAsTheServerSentThemClampedToZeroToOne(t *testing.T) {
	for _, tc := range []struct {
		name, sent string
		want       float64
	}{
		{"50 of 60 is not rounded to 6 decimals", strconv.FormatFloat(50.0/60, 'g', -1, 64), 50.0 / 60},
		{"2 of 3 is not rounded to 6 decimals", strconv.FormatFloat(2.0/3, 'g', -1, 64), 2.0 / 3},
		{"float noise is the server's", "0.30000000000000004", 0.30000000000000004},
		{"a fraction with many digits stays whole", "0.1234567891", 0.1234567891},
		{"above 1 before the end is clamped to 1, not read as a percentage", "1.5", 1},
		{"below 0 is clamped to 0", "-0.25", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			_, run := f.pausedEnrichment(ssetest.NewClock(t0))
			id := run.job.ID
			f.srv.SendRaw(id, rawEvent(eventID(f.clk.Now(), "p1"), "progress", progressData(id, "working", tc.sent, "1", "2", f.clk.Now())))
			require.True(t, f.waitFor(run, func(s seen) bool { return len(s.progress) == 2 }), "the update was not delivered")
			got := run.rec.seen().progress[1]
			assert.Equal(t, tc.want, got.Fraction, "sent %s", tc.sent)
			assert.Equal(t, "working", got.Message)
		})
	}
}

func TestPercentFormatsTheFractionForDisplayWithoutTouchingTheData(t *testing.T) {
	f := setup(t)
	_, run := f.pausedEnrichment(ssetest.NewClock(t0))
	id := run.job.ID
	f.srv.SendRaw(id, rawEvent(eventID(f.clk.Now(), "p1"), "progress", progressData(id, "50 of 60", strconv.FormatFloat(50.0/60, 'g', -1, 64), "50", "60", f.clk.Now())))
	require.True(t, f.waitFor(run, func(s seen) bool { return len(s.progress) == 2 }))
	p := run.rec.seen().progress[1]
	assert.Equal(t, "83.3%", p.Percent())
	assert.Equal(t, 50.0/60, p.Fraction)
}

func TestATerminalEventsProgressOfExactlyOneOrOneHundredIsCompletion(t *testing.T) {
	for _, sent := range []string{"1", "1.0", "100"} {
		t.Run("progress "+sent, func(t *testing.T) {
			f := setup(t)
			_, run := f.pausedEnrichment(ssetest.NewClock(t0))
			id := run.job.ID
			data := fmt.Sprintf(`{"jobId":%q,"status":"completed","message":"done","progress":%s,"processedCount":1,"totalCount":1,"timestamp":%q}`,
				id, sent, f.clk.Now().Format(time.RFC3339Nano))
			f.srv.SendRaw(id, rawEvent(eventID(f.clk.Now(), "completed"), "completed", data))
			_, err := f.result(run)
			require.NoError(t, err)
			assertCompletedOnce(t, run.rec.seen())
		})
	}
}

// A job whose fraction does not move for longer than the stall timeout
// (a long scan phase), but that says something new every 500 ms, is live.
func TestAJobSendingNewMessagesAtAFixedFractionEvery500msDoesNotStall(t *testing.T) {
	f := setup(t)
	clientClock := ssetest.NewClock(t0) // the stall timer's clock; the fake's stays still
	_, run := f.pausedEnrichment(clientClock)
	id := run.job.ID
	const every = 500 * time.Millisecond
	updates := int((16*time.Minute)/every) + 1 // past the default stall timeout of 15 minutes
	for i := 1; i <= updates; i++ {
		msg := fmt.Sprintf("looking at photo part %d", i)
		f.srv.SendRaw(id, rawEvent(eventID(f.clk.Now(), "p"+strconv.Itoa(i)), "progress", progressData(id, msg, "0.4", "2", "5", f.clk.Now())))
		require.True(t, f.waitFor(run, func(s seen) bool { return len(s.progress) == i+1 }),
			"update %d (%v of client time) not delivered: %v", i, time.Duration(i-1)*every, run.err)
		clientClock.Advance(every)
	}
	require.False(t, run.ended(), "the watch ended: %v", run.err)
	f.srv.SendRaw(id, rawEvent(eventID(f.clk.Now(), "completed"), "completed", completedData(id, f.clk.Now())))
	_, err := f.result(run)
	require.NoError(t, err)
	assertCompletedOnce(t, run.rec.seen())
}

// The control: repeats of the last update, every 500 ms, deliver nothing,
// and the default stall timeout ends the watch.
func TestAJobRepeatingTheSameUpdateEvery500msStallsAfterTheDefaultFifteenMinutes(t *testing.T) {
	f := setup(t)
	clientClock := ssetest.NewClock(t0)
	_, run := f.pausedEnrichment(clientClock)
	id := run.job.ID
	const every = 500 * time.Millisecond
	same := progressData(id, "looking at the photos", "0.4", "2", "5", f.clk.Now())
	var waited time.Duration
	for i := 1; waited < 15*time.Minute; i++ {
		require.False(t, run.ended(), "the watch ended after %v: %v", waited, run.err)
		evID := eventID(f.clk.Now(), "p"+strconv.Itoa(i))
		f.srv.SendRaw(id, rawEvent(evID, "progress", same))
		require.NoError(t, f.tap.wait(f.ctx, "id: "+evID+"\n", 1))
		if i == 1 {
			require.True(t, f.waitFor(run, func(s seen) bool { return len(s.progress) == 2 }))
		}
		clientClock.Advance(every)
		waited += every
	}
	_, err := f.result(run)
	require.ErrorIs(t, err, bookstrack.ErrStalled)
	assert.Len(t, run.rec.seen().progress, 2, "the repeats were delivered")
	assert.False(t, errors.Is(err, bookstrack.ErrJobNotFound))
}
