package sse_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestEventsUntilTheStreamEndsForGood(t *testing.T) {
	srv := newServer(t,
		script(ssetest.Raw("id: 1\ndata: a\n\n"), ssetest.Drop()),
		script(ssetest.Raw("id: 2\ndata: b\n\n")),
		noContent)
	var got []string
	for ev, err := range sse.Events(testContext(t), srv.URL, sse.WithNoDelay()) {
		require.NoError(t, err)
		got = append(got, ev.Data)
	}
	assert.Equal(t, []string{"a", "b"}, got, "reconnections are invisible to the loop")
}

func TestEventsBreakClosesTheConnection(t *testing.T) {
	srv := newServer(t, script(ssetest.Raw("data: 1\n\ndata: 2\n\n"), ssetest.Hang()))
	n := 0
	for _, err := range sse.Events(testContext(t), srv.URL) {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)
	assert.Len(t, srv.Requests(), 1)
	// goleak in TestMain checks that nothing is left running.
}

func TestEventsYieldsTheFinalError(t *testing.T) {
	srv := newServer(t, script(ssetest.Raw("data: 1\n\n")), ssetest.Script{Status: 404})
	var got []string
	var final error
	for ev, err := range sse.Events(testContext(t), srv.URL, sse.WithNoDelay()) {
		if err != nil {
			final = err
			assert.Equal(t, sse.Event{}, ev, "an error never comes with an event")
			continue
		}
		got = append(got, ev.Data)
	}
	assert.Equal(t, []string{"1"}, got)
	var se *sse.StatusError
	require.ErrorAs(t, final, &se)
	assert.Equal(t, 404, se.StatusCode)
}

func TestEventsContextEnds(t *testing.T) {
	srv := newServer(t, script(ssetest.Raw("data: 1\n\n"), ssetest.Hang()))
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	var final error
	for _, err := range sse.Events(ctx, srv.URL) {
		if err != nil {
			final = err
			break
		}
		cancel()
	}
	assert.ErrorIs(t, final, context.Canceled)
}

func TestEventsInvalidURL(t *testing.T) {
	n := 0
	for _, err := range sse.Events(context.Background(), "::not a url") {
		assert.ErrorIs(t, err, sse.ErrInvalidURL)
		n++
	}
	assert.Equal(t, 1, n)
}
