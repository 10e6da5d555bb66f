package sse_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The server's retry field with the default policy (no WithBackOff, no
// WithConstantDelay). WHATWG HTML, server-sent events: "If the field name
// is "retry": If the field value consists of only ASCII digits, then
// interpret the field value as an integer in base ten, and set the event
// stream's reconnection time to that integer", and to reestablish the
// connection "Wait a delay equal to the reconnection time of the event
// source."

// defaultSetup is setup with the default delay policy and a fake clock.
func defaultSetup(t *testing.T, scripts []ssetest.Script, opts ...sse.Option) (*sse.Client[*recorder], *recorder, *ssetest.Clock) {
	t.Helper()
	srv := newServer(t, scripts...)
	clk := ssetest.NewClock(testStart)
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, append([]sse.Option{sse.WithClock(clk), sse.WithObserver(rec.observer())}, opts...)...)
	require.NoError(t, err)
	return c, rec, clk
}

func TestRetryFieldSetsTheReconnectionTimeWithDefaultPolicy(t *testing.T) {
	clean := func(raw string) ssetest.Script { return script(ssetest.Raw(raw)) }
	cases := []struct {
		name    string
		scripts []ssetest.Script
		want    []time.Duration
	}{
		{"retry at the floor is waited exactly",
			[]ssetest.Script{clean("retry: 100\ndata: a\n\n")}, []time.Duration{100 * time.Millisecond}},
		{"retry below the floor is waited as the floor",
			[]ssetest.Script{clean("retry: 25\ndata: a\n\n")}, []time.Duration{100 * time.Millisecond}},
		{"retry 0 is a value, waited as the floor: no hot loop",
			[]ssetest.Script{clean("retry: 0\ndata: a\n\n")}, []time.Duration{100 * time.Millisecond}},
		{"retry longer than the backoff is waited exactly",
			[]ssetest.Script{clean("retry: 4000\n\n")}, []time.Duration{4 * time.Second}},
		{"the last retry field wins",
			[]ssetest.Script{clean("retry: 4000\n\nretry: 300\n\n")}, []time.Duration{300 * time.Millisecond}},
		{"short connections in a row back off from retry",
			[]ssetest.Script{clean("retry: 100\n\n"), clean(""), clean(""), clean("")},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
		{"retry 0 and instant closes grow from a floor, not a hot loop",
			[]ssetest.Script{clean("retry: 0\n\n"), clean(""), clean("")},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"a larger Retry-After wins",
			[]ssetest.Script{clean("retry: 100\n\n"), {Status: 503, Header: http.Header{"Retry-After": {"3"}}}},
			[]time.Duration{100 * time.Millisecond, 3 * time.Second}},
		{"a smaller Retry-After does not shorten the wait",
			[]ssetest.Script{clean("retry: 100\n\n"), clean(""), clean(""), {Status: 503, Header: http.Header{"Retry-After": {"0"}}}},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, clk := defaultSetup(t, append(tc.scripts, noContent))
			done := connect(t, c)
			var got []time.Duration
			for range tc.want {
				got = append(got, advanceTo(t, rec, clk).Delay)
			}
			require.NoError(t, receive(t, done))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRetryFieldAfterHealthyConnectionIsWaitedExactly(t *testing.T) {
	hold := make(chan struct{})
	c, rec, clk := defaultSetup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 100\n\n")),
		script(ssetest.Raw("")),
		script(ssetest.Raw("data: up\n\n"), ssetest.Wait(hold)),
		noContent,
	}, sse.WithHealthyAfter(time.Second))
	done := connect(t, c)
	assert.Equal(t, 100*time.Millisecond, advanceTo(t, rec, clk).Delay)
	assert.Equal(t, 200*time.Millisecond, advanceTo(t, rec, clk).Delay)
	receive(t, rec.eventCh)
	clk.Advance(time.Second)
	close(hold)
	assert.Equal(t, 100*time.Millisecond, advanceTo(t, rec, clk).Delay, "a healthy connection starts over from retry")
	require.NoError(t, receive(t, done))
}

func TestNoRetryFieldUsesTheDefaultBackOff(t *testing.T) {
	c, rec, clk := defaultSetup(t, []ssetest.Script{{Status: 503}, noContent})
	done := connect(t, c)
	d := advanceTo(t, rec, clk).Delay
	require.NoError(t, receive(t, done))
	assert.GreaterOrEqual(t, d, sse.DefaultInitialDelay/2)
	assert.LessOrEqual(t, d, sse.DefaultInitialDelay*3/2)
}

func TestInitialDelaySetsOnlyTheFirstStep(t *testing.T) {
	c, rec, clk := defaultSetup(t, []ssetest.Script{{Status: 503}, {Status: 503}, noContent}, sse.WithInitialDelay(10*time.Millisecond))
	done := connect(t, c)
	first, second := advanceTo(t, rec, clk).Delay, advanceTo(t, rec, clk).Delay
	require.NoError(t, receive(t, done))
	assert.True(t, first >= 5*time.Millisecond && first <= 15*time.Millisecond, "first %v", first)
	assert.True(t, second >= 10*time.Millisecond && second <= 30*time.Millisecond, "second %v: still doubling with jitter", second)
}

// A connection that dispatched a new event made progress: the next wait is
// the server's retry again, however short the connection was.
func TestConnectionsThatDeliverWaitTheServersRetry(t *testing.T) {
	var scripts []ssetest.Script
	for i := 1; i <= 6; i++ {
		scripts = append(scripts, script(ssetest.Raw(fmt.Sprintf("retry: 3000\nid: %d\ndata: e%d\n\n", i, i))))
	}
	c, rec, clk := defaultSetup(t, append(scripts, noContent))
	done := connect(t, c)
	var got []time.Duration
	for range 6 {
		got = append(got, advanceTo(t, rec, clk).Delay)
	}
	require.NoError(t, receive(t, done))
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second, 3 * time.Second}, got,
		"every connection delivered a new event: no backoff")
}

// Only new events are progress: a connection that replays the event the
// client resumed from, or sends only comments, keeps the backoff growing.
func TestConnectionsWithNothingNewKeepGrowing(t *testing.T) {
	c, rec, clk := defaultSetup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 1000\nid: 1\ndata: a\n\n")),
		script(ssetest.Raw("id: 1\ndata: a again\n\n")), // the same id as Last-Event-ID
		script(ssetest.Raw(": only a comment\n\n")),
		script(ssetest.Raw("data: no id, so it carries 1\n\n")),
		script(ssetest.Raw("id: 2\ndata: b\n\n")),
		noContent,
	})
	done := connect(t, c)
	var got []time.Duration
	for range 5 {
		got = append(got, advanceTo(t, rec, clk).Delay)
	}
	require.NoError(t, receive(t, done))
	assert.Equal(t, []time.Duration{time.Second, time.Second, 2 * time.Second, 4 * time.Second, time.Second}, got)
}

// On a stream without ids every event is new.
func TestAStreamWithoutIDsMakesProgressWithEachEvent(t *testing.T) {
	c, rec, clk := defaultSetup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 500\ndata: a\n\n")),
		script(ssetest.Raw("data: b\n\n")),
		script(ssetest.Raw("data: c\n\n")),
		noContent,
	})
	done := connect(t, c)
	var got []time.Duration
	for range 3 {
		got = append(got, advanceTo(t, rec, clk).Delay)
	}
	require.NoError(t, receive(t, done))
	assert.Equal(t, []time.Duration{500 * time.Millisecond, 500 * time.Millisecond, 500 * time.Millisecond}, got)
}

// Without a retry field, progress resets the BackOff: the next wait is
// its first step again.
func TestProgressResetsTheBackOff(t *testing.T) {
	bo := &steppingBackOff{}
	c, rec, clk := defaultSetup(t, []ssetest.Script{
		{Status: 503}, {Status: 503},
		script(ssetest.Raw("id: 1\ndata: a\n\n")),
		{Status: 503},
		noContent,
	}, sse.WithBackOff(func() sse.BackOff { return bo }))
	done := connect(t, c)
	var got []time.Duration
	for range 4 {
		got = append(got, advanceTo(t, rec, clk).Delay)
	}
	require.NoError(t, receive(t, done))
	assert.Equal(t, []time.Duration{time.Millisecond, 2 * time.Millisecond, time.Millisecond, 2 * time.Millisecond}, got)
}

// No hot loop: a server that sends "retry: 0", one event and closes, again
// and again, is reconnected no faster than the floor of 100 ms.
func TestRetryZeroWithAnEventPerConnectionIsNoHotLoop(t *testing.T) {
	var scripts []ssetest.Script
	for i := 1; i <= 20; i++ {
		scripts = append(scripts, script(ssetest.Raw(fmt.Sprintf("retry: 0\nid: %d\ndata: e\n\n", i))))
	}
	c, rec, clk := defaultSetup(t, append(scripts, noContent))
	start := clk.Now()
	done := connect(t, c)
	for i := range 20 {
		d := advanceTo(t, rec, clk).Delay
		require.Equal(t, 100*time.Millisecond, d, "reconnection %d", i+1)
	}
	require.NoError(t, receive(t, done))
	assert.Equal(t, 20*100*time.Millisecond, clk.Now().Sub(start), "20 connections took 20 floors of fake time")
	assert.Len(t, rec.Events(), 20)
}

// The give-up policy counts attempts in a row without progress: a stream
// cut after every event is never given up, and its time budget runs from
// the last progress.
func TestGiveUpCountsOnlyAttemptsWithoutProgress(t *testing.T) {
	var scripts []ssetest.Script
	for i := 1; i <= 12; i++ {
		scripts = append(scripts, script(ssetest.Raw(fmt.Sprintf("retry: 5000\nid: %d\ndata: e\n\n", i))))
	}
	scripts = append(scripts, ssetest.Script{Status: 503}, ssetest.Script{Status: 503}, ssetest.Script{Status: 503})
	c, rec, clk := defaultSetup(t, scripts, sse.WithGiveUp(3, 30*time.Second))
	done := connect(t, c)
	for range 12 + 2 {
		advanceTo(t, rec, clk)
	}
	err := receive(t, done)
	var gu *sse.GiveUpError
	require.ErrorAs(t, err, &gu, "12 cuts in 60 s, each after progress: no give-up until 3 failures in a row")
	assert.Equal(t, 3, gu.Attempts)
	assert.Len(t, rec.Events(), 12)
}

// TestAStreamThatNeverFailsMakesNoBackOff checks that the BackOff is made
// at its first use: a Client whose connections only make progress, on a
// stream with a retry field, holds none (an idle stream's memory, issue
// 21 item 1).
func TestAStreamThatNeverFailsMakesNoBackOff(t *testing.T) {
	var made atomic.Int32
	_, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("retry: 100\nid: 1\ndata: one\n\n")),
		script(ssetest.Raw("id: 2\ndata: two\n\n")),
		noContent,
	}, sse.WithBackOff(func() sse.BackOff { made.Add(1); return &backoff.ZeroBackOff{} }))
	require.NoError(t, receive(t, connect(t, c)))
	assert.Len(t, rec.Events(), 2)
	assert.Zero(t, made.Load(), "BackOffs made")
}
