package timing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/internal/timing"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestSleepWaitsOnTheClockOrTheContext(t *testing.T) {
	clk := ssetest.NewClock(time.Unix(0, 0))
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- sleep(ctx, clk, time.Minute, nil) }()
	require.NoError(t, clk.WaitPending(ctx, 1))
	clk.Advance(time.Minute)
	assert.NoError(t, <-done)

	cctx, cancel := context.WithCancel(ctx)
	go func() { done <- sleep(cctx, clk, time.Hour, nil) }()
	require.NoError(t, clk.WaitPending(ctx, 1))
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Zero(t, clk.Pending(), "the timer is stopped")

	assert.NoError(t, sleep(ctx, clk, 0, nil), "no wait")
	assert.ErrorIs(t, sleep(cctx, clk, -time.Second, nil), context.Canceled, "no wait, the context's error")
}

func TestSleepEndsWithoutErrorWhenWoken(t *testing.T) {
	clk := ssetest.NewClock(time.Unix(0, 0))
	ctx := context.Background()
	wake := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- sleep(ctx, clk, time.Hour, wake) }()
	require.NoError(t, clk.WaitPending(ctx, 1))
	close(wake)
	assert.NoError(t, <-done)
	assert.Zero(t, clk.Pending(), "the timer is stopped")
}

// sleep is timing.Sleep on an sse.Clock, as the module calls it.
func sleep(ctx context.Context, clk sse.Clock, d time.Duration, wake <-chan struct{}) error {
	return timing.Sleep[sse.Timer](ctx, clk, d, wake)
}
