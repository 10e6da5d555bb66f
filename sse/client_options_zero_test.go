package sse_test

import (
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// One zero-value rule for every option: zero selects the default.

// cenkalti/backoff policies satisfy sse.BackOff as they are.
var _ sse.BackOff = backoff.NewExponentialBackOff()

func TestZeroMaxDelayIsTheDefaultNotAClampOfEveryRetry(t *testing.T) {
	c, rec, clk := defaultSetup(t, []ssetest.Script{script(ssetest.Raw("retry: 100\n\n")), noContent}, sse.WithMaxDelay(0))
	done := connect(t, c)
	assert.Equal(t, 100*time.Millisecond, advanceTo(t, rec, clk).Delay)
	require.NoError(t, receive(t, done))
	assert.Empty(t, rec.Errors(), "no *DelayClampedError")
}

func TestZeroHealthyAfterIsTheDefault(t *testing.T) {
	bo := &steppingBackOff{}
	empty := script()
	_, c, rec, clk := clockSetup(t, []ssetest.Script{empty, empty, noContent}, bo, sse.WithHealthyAfter(0))
	done := connect(t, c)
	assert.Equal(t, time.Millisecond, advanceTo(t, rec, clk).Delay)
	assert.Equal(t, 2*time.Millisecond, advanceTo(t, rec, clk).Delay, "a connection closed at once is not healthy")
	require.NoError(t, receive(t, done))
	assert.Zero(t, bo.resets)
}

func TestZeroMaxEventSizeIsTheDefault(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{script(ssetest.Raw("data: fits the default\n\n")), noContent}, sse.WithMaxEventSize(0))
	require.NoError(t, receive(t, connect(t, c)))
	assert.Len(t, rec.Events(), 1)
}

func TestZeroResponseHeaderTimeoutIsTheDefault(t *testing.T) {
	clk := newTimerClock()
	_, c, _ := setup(t, []ssetest.Script{noContent}, sse.WithClock(clk), sse.WithResponseHeaderTimeout(0))
	done := connect(t, c)
	clk.waitTimer(t, sse.DefaultResponseHeaderTimeout)
	require.NoError(t, receive(t, done))
}

func TestNegativeResponseHeaderTimeoutTurnsItOff(t *testing.T) {
	clk := newTimerClock()
	_, c, _ := setup(t, []ssetest.Script{noContent}, sse.WithClock(clk), sse.WithResponseHeaderTimeout(-time.Second))
	require.NoError(t, receive(t, connect(t, c)))
	for {
		select {
		case d := <-clk.set:
			assert.Greater(t, d, time.Duration(0), "no timer armed with a zero or negative timeout")
			assert.NotEqual(t, sse.DefaultResponseHeaderTimeout, d, "no response header timer")
		default:
			return
		}
	}
}
