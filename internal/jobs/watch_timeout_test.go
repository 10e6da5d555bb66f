package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
)

// statuses is a fake status route answering each poll with the next of
// its answers, the last one again once they run out.
type statuses struct {
	mu      sync.Mutex
	answers []answer
	at      []time.Time
	now     func() time.Time
}

type answer struct {
	data string
	err  error
}

func (s *statuses) fetch(context.Context) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = append(s.at, s.now())
	a := s.answers[min(len(s.at), len(s.answers))-1]
	if a.err != nil {
		return nil, a.err
	}
	return json.RawMessage(a.data), nil
}

func (s *statuses) polls() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

// pollingRig is a watch whose status route is st.
func pollingRig(t *testing.T, st *statuses, opts ...bookstrack.Option) *rig {
	var r *rig
	var mu sync.Mutex
	mu.Lock()
	st.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return r.clk.Now() }
	r = watch(t, setup{opts: opts, fetch: st.fetch})
	mu.Unlock()
	return r
}

func TestWatchPollsTheStatusRouteAfterATimeoutEvent(t *testing.T) {
	st := &statuses{answers: []answer{
		{data: `{"status":"processing","progress":0.6,"message":"polled"}`},
		{data: `{"status":"completed","progress":1,"completedTime":1764676800000,"startTime":"2026-12-02T11:00:00Z"}`},
	}}
	r := pollingRig(t, st)
	r.send("progress", `{"status":"processing","progress":0.5}`)
	r.send("timeout", `{"error":{"message":"no update for 5 minutes"}}`)
	assert.Equal(t, int32(1), r.stream.closes.Load(), "the watch closes the stream to poll")
	r.end(sse.ErrClosed)
	r.waitPending(1) // the poll interval's sleep, after the first poll at once
	r.clk.Advance(2 * time.Second)
	o := r.result()
	require.NoError(t, o.err)
	assert.Equal(t, []time.Time{start, start.Add(2 * time.Second)}, st.polls(), "at once, then every 2 s")
	assert.Equal(t, []float64{0.5, 0.6, 1}, r.rec.fractions())
	assert.Equal(t, time.UnixMilli(1764676800000).UTC(), o.c.Time.UTC(), "the polled completedTime")
	assert.Equal(t, time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC), o.c.Started)
	errs := r.rec.errors()
	require.Len(t, errs, 1)
	var se *bookstrack.StreamError
	require.ErrorAs(t, errs[0], &se)
	assert.Equal(t, "STREAM_TIMEOUT", se.Code, "the default code when the event has none")
	assert.True(t, se.Retryable)
}

func TestWatchReconnectsAfterATimeoutEventWithoutAStatusRoute(t *testing.T) {
	r := watch(t, setup{}) // no fetch: the route set has no status route
	r.send("timeout", `{"error":{"code":"STREAM_TIMEOUT"}}`)
	assert.Zero(t, r.stream.closes.Load(), "the stream stays open to reconnect")
	r.send("progress", `{"status":"processing","progress":0.7}`) // after the reconnection
	r.send("completed", `{}`)
	r.end(sse.ErrClosed)
	require.NoError(t, r.result().err)
	assert.Equal(t, []float64{0.7, 1}, r.rec.fractions())
}

func TestWatchReconnectsAfterATimeoutEventWhenAskedTo(t *testing.T) {
	st := &statuses{answers: []answer{{err: errors.New("must not be polled")}}}
	r := pollingRig(t, st, bookstrack.WithTimeoutFallback(bookstrack.ReconnectOnTimeout))
	r.send("timeout", `{}`)
	assert.Zero(t, r.stream.closes.Load())
	r.send("completed", `{}`)
	r.end(sse.ErrClosed)
	require.NoError(t, r.result().err)
	assert.Empty(t, st.polls())
}

func TestWatchPollHonoursRetryAfterCappedByTheMaximumDelay(t *testing.T) {
	limited := func(d time.Duration) error {
		return &bookstrack.RateLimitError{APIError: bookstrack.APIError{StatusCode: 429}, RetryAfter: d}
	}
	st := &statuses{answers: []answer{
		{err: limited(7 * time.Second)},
		{err: limited(time.Hour)},
		{err: errors.New("connection reset")},
		{data: `{"status":"completed"}`},
	}}
	r := pollingRig(t, st, bookstrack.WithMaxRetryDelay(30*time.Second))
	r.send("timeout", `{}`)
	r.end(sse.ErrClosed)
	for _, step := range []time.Duration{7 * time.Second, 30 * time.Second, 2 * time.Second} {
		r.waitPending(1)
		r.clk.Advance(step - time.Millisecond)
		assert.Equal(t, 1, r.clk.Pending(), "no poll before %v", step)
		r.clk.Advance(time.Millisecond)
	}
	require.NoError(t, r.result().err)
	assert.Equal(t, []time.Time{start, start.Add(7 * time.Second), start.Add(37 * time.Second), start.Add(39 * time.Second)}, st.polls())
	assert.Len(t, r.rec.errors(), 4, "the timeout event and the three failed polls are reported")
}

func TestWatchPollEndsOnAFinalError(t *testing.T) {
	for _, final := range []error{
		fmt.Errorf("status: %w", bookstrack.ErrNotFound),
		fmt.Errorf("status: %w", bookstrack.ErrUnauthorized),
	} {
		t.Run(final.Error(), func(t *testing.T) {
			st := &statuses{answers: []answer{{err: final}}}
			r := pollingRig(t, st)
			r.send("timeout", `{}`)
			r.end(sse.ErrClosed)
			var we *bookstrack.WatchError
			require.ErrorAs(t, r.result().err, &we)
			assert.Equal(t, final, we.Err)
			assert.Len(t, st.polls(), 1)
		})
	}
}

func TestWatchPollStopsWhenTheContextEnds(t *testing.T) {
	st := &statuses{answers: []answer{{data: `{"status":"processing","progress":0.5}`}}}
	r := pollingRig(t, st)
	r.send("timeout", `{}`)
	r.end(sse.ErrClosed)
	r.waitPending(1)
	r.cancel()
	o := r.result()
	assert.ErrorIs(t, o.err, context.Canceled)
	assert.NotErrorIs(t, o.err, bookstrack.ErrStalled)
	assert.Contains(t, o.err.Error(), jobID)
}

func TestWatchPollReportsAnOddStatusFieldAndKeepsTheRest(t *testing.T) {
	st := &statuses{answers: []answer{
		{data: `{"status":"processing","progress":0.5,"processedCount":"two","message":"kept"}`},
		{data: `{"status":`},
		{data: `{"status":"completed"}`},
	}}
	r := pollingRig(t, st)
	r.send("timeout", `{}`)
	r.end(sse.ErrClosed)
	for range 2 {
		r.waitPending(1)
		r.clk.Advance(2 * time.Second)
	}
	require.NoError(t, r.result().err)
	require.Len(t, r.rec.progress, 2)
	assert.Equal(t, "kept", r.rec.progress[0].Message)
	errs := r.rec.errors()
	require.Len(t, errs, 3, "the timeout, the odd field, the malformed status")
	var de *bookstrack.DecodeError
	require.ErrorAs(t, errs[1], &de)
	assert.Equal(t, "processedCount", de.Field)
	require.ErrorAs(t, errs[2], &de)
	assert.Empty(t, de.Field)
}

func TestWatchStatusRouteIsTheServersThenTheRouteSets(t *testing.T) {
	const given = "https://api.example/custom/status/" + jobID
	for _, tc := range []struct {
		name   string
		routes bookstrack.Routes
		job    bookstrack.Job
		want   string
	}{
		{"v3 without statusUrl", bookstrack.V3, bookstrack.Job{}, "https://api.example/v3/jobs/scans/" + jobID},
		{"v3 with statusUrl", bookstrack.V3, bookstrack.Job{StatusURL: given}, given},
		{"v2 without statusUrl: none, reconnect", bookstrack.V2, bookstrack.Job{}, ""},
		{"v2 with statusUrl", bookstrack.V2, bookstrack.Job{StatusURL: given}, given},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := settings.MustNew([]bookstrack.Option{bookstrack.WithBaseURL("https://api.example"), bookstrack.WithRoutes(tc.routes)})
			tc.job.ID, tc.job.Kind = jobID, bookstrack.KindScan
			got, err := jobs.StatusRoute(cfg, tc.job)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestWatchPollFailingAsTheContextEndsIsTheContextsError(t *testing.T) {
	var r *rig
	ready := make(chan struct{})
	fetch := func(ctx context.Context) (json.RawMessage, error) {
		<-ready
		r.cancel()
		<-ctx.Done()
		return nil, fmt.Errorf("status: %w", ctx.Err())
	}
	r = watch(t, setup{fetch: fetch})
	close(ready)
	r.send("timeout", `{}`)
	r.end(sse.ErrClosed)
	err := r.result().err
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "watching job "+jobID)
	assert.Len(t, r.rec.errors(), 1, "the failed poll is the outcome, not a report")
}
