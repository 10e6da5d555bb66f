package sse_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestRedactURLDropsUserInfoQueryAndFragment(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://user:pw@api.example/v3/jobs/1/stream?token=s3cret#frag", "https://api.example/v3/jobs/1/stream"},
		{"/moved?token=s3cret", "/moved"},
		{"http://[::1", "http://[::1"},
		// Does not parse: what looks like user info goes too.
		{"http://user:pw@[::1/x?token=s3cret", "http://[::1/x"},
		{"user:pw@[::1", "user:"}, // a scheme "user" and an opaque part, dropped
		{"", ""},
	} {
		got := sse.RedactURL(tc.in)
		assert.Equal(t, tc.want, got, "RedactURL(%q)", tc.in)
		assert.NotContains(t, got, "pw")
		assert.NotContains(t, got, "s3cret")
	}
}

func TestSleepWaitsOnTheClockOrTheContext(t *testing.T) {
	clk := ssetest.NewClock(time.Unix(0, 0))
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- sse.Sleep(ctx, clk, time.Minute) }()
	require.NoError(t, clk.WaitPending(ctx, 1))
	clk.Advance(time.Minute)
	assert.NoError(t, <-done)

	cctx, cancel := context.WithCancel(ctx)
	go func() { done <- sse.Sleep(cctx, clk, time.Hour) }()
	require.NoError(t, clk.WaitPending(ctx, 1))
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
	assert.Zero(t, clk.Pending(), "the timer is stopped")

	assert.NoError(t, sse.Sleep(ctx, clk, 0), "no wait")
	assert.ErrorIs(t, sse.Sleep(cctx, clk, -time.Second), context.Canceled, "no wait, the context's error")
}
