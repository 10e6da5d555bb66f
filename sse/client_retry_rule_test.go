package sse_test

import (
	"net/http"
	"testing"
	"time"

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
	srv := ssetest.NewServer(t, scripts...)
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
		{"retry shorter than the default backoff is waited exactly",
			[]ssetest.Script{clean("retry: 25\ndata: a\n\n")}, []time.Duration{25 * time.Millisecond}},
		{"retry 0 is a value: reconnect at once",
			[]ssetest.Script{clean("retry: 0\ndata: a\n\n")}, []time.Duration{0}},
		{"retry longer than the backoff is waited exactly",
			[]ssetest.Script{clean("retry: 4000\n\n")}, []time.Duration{4 * time.Second}},
		{"the last retry field wins",
			[]ssetest.Script{clean("retry: 4000\n\nretry: 30\n\n")}, []time.Duration{30 * time.Millisecond}},
		{"short connections in a row back off from retry",
			[]ssetest.Script{clean("retry: 100\n\n"), clean(""), clean(""), clean("")},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond}},
		{"retry 0 and instant closes grow from a floor, not a hot loop",
			[]ssetest.Script{clean("retry: 0\n\n"), clean(""), clean("")},
			[]time.Duration{0, 200 * time.Millisecond, 400 * time.Millisecond}},
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
