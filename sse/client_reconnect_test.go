package sse_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The reconnection rules: when the Client reconnects, what it sends, and
// how long it waits.

func TestReconnectAfterCleanEnd(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("id: 1\ndata: one\n\n")),
		script(ssetest.Raw("id: 2\ndata: two\n\n")),
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []sse.Event{{ID: "1", Type: "message", Data: "one"}, {ID: "2", Type: "message", Data: "two"}}, rec.Events())
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	_, sent := reqs[0].LastEventID()
	assert.False(t, sent, "no Last-Event-ID on the first request")
	id, _ := reqs[1].LastEventID()
	assert.Equal(t, "1", id)
	id, _ = reqs[2].LastEventID()
	assert.Equal(t, "2", id)
	assert.Empty(t, rec.Errors(), "a clean end is not an error")
	for _, r := range rec.Reconnects() {
		assert.Equal(t, io.EOF, r.Cause)
	}
}

func TestReconnectResumesWithoutLossOrDuplicates(t *testing.T) {
	// The server honours Last-Event-ID: it replays what follows it. The
	// drops land in the middle of events; every complete event arrives
	// exactly once.
	all := []string{"id: 1\ndata: a\n\n", "id: 2\ndata: b\ndata: b2\n\n", "id: 3\nevent: x\ndata: c\n\n", "id: 4\ndata: d\n\n"}
	replay := func(from int, cut string) ssetest.Script {
		steps := []ssetest.Step{}
		for _, ev := range all[from:] {
			steps = append(steps, ssetest.Raw(ev))
		}
		if cut != "" {
			steps = append(steps, ssetest.Raw(cut), ssetest.Drop())
		}
		return script(steps...)
	}
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw(all[0]), ssetest.Raw("id: 2\ndata: b\n"), ssetest.Drop()),
		script(ssetest.Raw(all[1]), ssetest.Raw("id: 3\nevent: x\ndata: c"), ssetest.Drop()),
		replay(2, "id: 9\ndata: never complete\r"),
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []string{"a", "b\nb2", "c", "d"}, data(rec.Events()))
	var ids []string
	for _, r := range srv.Requests()[1:] {
		id, _ := r.LastEventID()
		ids = append(ids, id)
	}
	assert.Equal(t, []string{"1", "2", "4"}, ids)
}

func TestReconnectNoLastEventIDAfterEmptyID(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("id: 1\ndata: a\n\nid\ndata: b\n\n")),
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []sse.Event{{ID: "1", Type: "message", Data: "a"}, {ID: "", Type: "message", Data: "b"}}, rec.Events())
	_, sent := srv.Requests()[1].LastEventID()
	assert.False(t, sent, "an empty id clears the last event ID")
	assert.Equal(t, "", c.LastEventID())
}

func TestReconnectIDFromBlockWithoutData(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{
		script(ssetest.Raw("data: a\n\nid: 7\n\n")),
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	id, _ := srv.Requests()[1].LastEventID()
	assert.Equal(t, "7", id, "a block without data still sets the ID")
}

// steppingBackOff returns 1ms, 2ms, 3ms, ... and starts over on Reset.
type steppingBackOff struct {
	mu     sync.Mutex
	n      int
	resets int
}

func (b *steppingBackOff) NextBackOff() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n++
	return time.Duration(b.n) * time.Millisecond
}

func (b *steppingBackOff) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n = 0
	b.resets++
}

func delays(rs []sse.ReconnectInfo) []time.Duration {
	out := make([]time.Duration, len(rs))
	for i, r := range rs {
		out[i] = r.Delay
	}
	return out
}

func TestReconnectBackoffNotResetByShortConnection(t *testing.T) {
	bo := &steppingBackOff{}
	empty := script()
	_, c, rec := setup(t, []ssetest.Script{empty, empty, empty, noContent},
		sse.WithBackOff(func() sse.BackOff { return bo }))
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}, delays(rec.Reconnects()),
		"a 200 that closes at once is not a healthy connection")
	assert.Zero(t, bo.resets)
}

// clockSetup is setup with a fake clock and the given backoff.
func clockSetup(t *testing.T, scripts []ssetest.Script, bo sse.BackOff, opts ...sse.Option) (*ssetest.Server, *sse.Client[*recorder], *recorder, *ssetest.Clock) {
	t.Helper()
	clk := ssetest.NewClock(testStart)
	opts = append([]sse.Option{sse.WithClock(clk), sse.WithBackOff(func() sse.BackOff { return bo })}, opts...)
	srv, c, rec := setup(t, scripts, opts...)
	return srv, c, rec, clk
}

// advanceTo waits for the reconnection the Client schedules and lets its
// delay pass on the fake clock.
func advanceTo(t *testing.T, rec *recorder, clk *ssetest.Clock) sse.ReconnectInfo {
	t.Helper()
	r := receive(t, rec.reconnectCh)
	if r.Delay > 0 {
		require.NoError(t, clk.WaitPending(testContext(t), 1))
		clk.Advance(r.Delay)
	}
	return r
}

func TestReconnectBackoffResetAfterHealthyConnection(t *testing.T) {
	bo := &steppingBackOff{}
	hold := make(chan struct{})
	empty := script()
	_, c, rec, clk := clockSetup(t, []ssetest.Script{
		empty,
		empty,
		script(ssetest.Raw("data: up\n\n"), ssetest.Wait(hold)),
		empty,
		noContent,
	}, bo, sse.WithHealthyAfter(10*time.Second))
	done := connect(t, c)
	assert.Equal(t, time.Millisecond, advanceTo(t, rec, clk).Delay)
	assert.Equal(t, 2*time.Millisecond, advanceTo(t, rec, clk).Delay)
	receive(t, rec.eventCh)
	clk.Advance(10 * time.Second) // the third connection stays up long enough
	close(hold)
	assert.Equal(t, time.Millisecond, advanceTo(t, rec, clk).Delay, "backoff starts over")
	assert.Equal(t, 2*time.Millisecond, advanceTo(t, rec, clk).Delay)
	require.NoError(t, receive(t, done))
	assert.Equal(t, 1, bo.resets)
}

func TestReconnectHonoursRetryAfter(t *testing.T) {
	cases := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"HTTP date", testStart.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"date in the past", testStart.Add(-time.Hour).Format(http.TimeFormat), time.Millisecond},
		{"garbage ignored", "soon", time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c, rec, clk := clockSetup(t, []ssetest.Script{
				{Status: 503, Header: http.Header{"Retry-After": {tc.value}}},
				noContent,
			}, &steppingBackOff{})
			done := connect(t, c)
			assert.Equal(t, tc.want, advanceTo(t, rec, clk).Delay)
			require.NoError(t, receive(t, done))
		})
	}
}

func TestReconnectRetryAfterOn429(t *testing.T) {
	_, c, rec, clk := clockSetup(t, []ssetest.Script{
		{Status: 429, Header: http.Header{"Retry-After": {"30"}}},
		noContent,
	}, &steppingBackOff{})
	done := connect(t, c)
	r := advanceTo(t, rec, clk)
	assert.Equal(t, 30*time.Second, r.Delay)
	var se *sse.StatusError
	require.ErrorAs(t, r.Cause, &se)
	assert.Equal(t, 30*time.Second, se.RetryAfter)
	require.NoError(t, receive(t, done))
}

func TestReconnectServerRetrySetsTheBase(t *testing.T) {
	_, c, rec, clk := clockSetup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 4000\n\n")),
		script(ssetest.Raw(": no retry field this time\n\n")),
		noContent,
	}, &steppingBackOff{})
	done := connect(t, c)
	assert.Equal(t, 4*time.Second, advanceTo(t, rec, clk).Delay)
	assert.Equal(t, 8*time.Second, advanceTo(t, rec, clk).Delay,
		"retry outlives the connection that sent it, and a second short connection in a row backs off from it")
	require.NoError(t, receive(t, done))
}

func TestReconnectRetryZeroApplies(t *testing.T) {
	_, c, rec, clk := clockSetup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 4000\n\n")),
		script(ssetest.Raw("retry: 0\n\n")),
		noContent,
	}, &backoff.ZeroBackOff{})
	done := connect(t, c)
	assert.Equal(t, 4*time.Second, advanceTo(t, rec, clk).Delay)
	assert.Equal(t, 200*time.Millisecond, advanceTo(t, rec, clk).Delay,
		"retry 0 on the second short connection in a row grows from the floor, not a hot loop")
	require.NoError(t, receive(t, done))
}

func TestReconnectAbsurdDelaysClamped(t *testing.T) {
	_, c, rec, clk := clockSetup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 99999999999999999999999999\n\n")),
		{Status: 503, Header: http.Header{"Retry-After": {"999999999999999999999"}}},
		noContent,
	}, &backoff.ZeroBackOff{}, sse.WithMaxDelay(time.Minute))
	done := connect(t, c)
	assert.Equal(t, time.Minute, advanceTo(t, rec, clk).Delay)
	assert.Equal(t, time.Minute, advanceTo(t, rec, clk).Delay)
	require.NoError(t, receive(t, done))
	var clamped []*sse.DelayClampedError
	for _, err := range rec.Errors() {
		var dc *sse.DelayClampedError
		if errors.As(err, &dc) {
			clamped = append(clamped, dc)
		}
	}
	require.Len(t, clamped, 2)
	assert.Equal(t, "retry", clamped[0].Source)
	assert.Equal(t, "Retry-After", clamped[1].Source)
	assert.Equal(t, time.Minute, clamped[1].Used)
}

func TestReconnectConstantDelayIgnoresServer(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 3600000\n\n")),
		{Status: 503, Header: http.Header{"Retry-After": {"3600"}}},
		noContent,
	}, sse.WithNoDelay())
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []time.Duration{0, 0}, delays(rec.Reconnects()))
}

func TestReconnectGiveUpAfterAttempts(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{{Status: 503}}, sse.WithGiveUp(4, 0))
	err := receive(t, connect(t, c))
	var gu *sse.GiveUpError
	require.ErrorAs(t, err, &gu)
	assert.Equal(t, 4, gu.Attempts)
	var se *sse.StatusError
	require.ErrorAs(t, err, &se, "the last failure is wrapped")
	assert.Equal(t, 503, se.StatusCode)
	assert.Len(t, srv.Requests(), 4)
	assert.Len(t, rec.Reconnects(), 3)
}

func TestReconnectGiveUpAfterTime(t *testing.T) {
	_, c, rec, clk := clockSetup(t, []ssetest.Script{{Status: 503, Header: http.Header{"Retry-After": {"4"}}}},
		&backoff.ZeroBackOff{}, sse.WithGiveUp(0, 10*time.Second))
	done := connect(t, c)
	for range 2 { // after 0s and 4s of trying; waiting 4s more after the third would pass 10s
		advanceTo(t, rec, clk)
	}
	var gu *sse.GiveUpError
	require.ErrorAs(t, receive(t, done), &gu)
	assert.Equal(t, 3, gu.Attempts)
	assert.Equal(t, 8*time.Second, gu.Elapsed, "no delay outlasts the give-up budget")
}

func TestReconnectGiveUpCountsOnlyUnhealthyTime(t *testing.T) {
	hold := make(chan struct{})
	_, c, rec, clk := clockSetup(t, []ssetest.Script{
		{Status: 503},
		script(ssetest.Raw("data: up\n\n"), ssetest.Wait(hold)),
		{Status: 503},
		noContent,
	}, &steppingBackOff{}, sse.WithGiveUp(2, 0), sse.WithHealthyAfter(time.Minute))
	done := connect(t, c)
	advanceTo(t, rec, clk)
	receive(t, rec.eventCh)
	clk.Advance(time.Minute)
	close(hold)
	advanceTo(t, rec, clk)
	advanceTo(t, rec, clk)
	require.NoError(t, receive(t, done), "the healthy connection reset the count: two failures in all, but never two in a row")
}

func TestReconnectBackOffStopGivesUp(t *testing.T) {
	_, c, _ := setup(t, []ssetest.Script{{Status: 500}}, sse.WithBackOff(func() sse.BackOff { return &backoff.StopBackOff{} }))
	var gu *sse.GiveUpError
	require.ErrorAs(t, receive(t, connect(t, c)), &gu)
	assert.Equal(t, 1, gu.Attempts)
}

func TestReconnectDefaultPolicyGrowsWithJitter(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	srv := newServer(t, ssetest.Script{Status: 503})
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithClock(clk), sse.WithObserver(rec.observer()), sse.WithGiveUp(8, 0))
	require.NoError(t, err)
	done := connect(t, c)
	base := sse.DefaultInitialDelay
	for i := range 7 {
		d := advanceTo(t, rec, clk).Delay
		assert.GreaterOrEqual(t, d, base/2, "delay %d", i)
		assert.LessOrEqual(t, d, base+base/2, "delay %d", i)
		base = min(2*base, sse.DefaultMaxBackOff)
	}
	var gu *sse.GiveUpError
	require.ErrorAs(t, receive(t, done), &gu)
}

func TestReconnectCancelledContextEndsConnect(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{script(ssetest.Raw("data: x\n\n"), ssetest.Hang())})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Connect(ctx) }()
	receive(t, rec.eventCh)
	cancel()
	assert.ErrorIs(t, receive(t, done), context.Canceled)
	assert.Empty(t, rec.Errors(), "cancellation is not reported as a connection failure")
}
