package sse_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// JoinObservers and WithAddedObserver: several Observers on one Client.

// noting returns an Observer that appends name and the callback to log.
func noting(log *[]string, name string) sse.Observer {
	return sse.Observer{
		Attempt:    func(sse.AttemptInfo) { *log = append(*log, name+" attempt") },
		Open:       func(sse.OpenInfo) { *log = append(*log, name+" open") },
		FirstEvent: func(sse.FirstEventInfo) { *log = append(*log, name+" first") },
		Close:      func(sse.CloseInfo) { *log = append(*log, name+" close") },
		Reconnect:  func(sse.ReconnectInfo) { *log = append(*log, name+" reconnect") },
	}
}

func TestAnAddedObserverIsToldOfEveryCallbackAfterTheOneSetBefore(t *testing.T) {
	var log []string
	srv := newServer(t, script(ssetest.Raw("data: a\n\n")), noContent)
	c, err := sse.NewClient(srv.URL, newRecorder(), sse.WithNoDelay(),
		sse.WithObserver(noting(&log, "a")), sse.WithAddedObserver(noting(&log, "b")))
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, []string{
		"a attempt", "b attempt", "a open", "b open", "a first", "b first", "a close", "b close",
		"a reconnect", "b reconnect", "a attempt", "b attempt", "a close", "b close",
	}, log)
}

func TestAnObserverSetAfterAnAddedOneReplacesBoth(t *testing.T) {
	var log []string
	srv := newServer(t, noContent)
	c, err := sse.NewClient(srv.URL, newRecorder(), sse.WithNoDelay(),
		sse.WithAddedObserver(noting(&log, "a")), sse.WithObserver(noting(&log, "b")))
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, []string{"b attempt", "b close"}, log)
}

func TestJoinedObserversKeepOnlyTheCallbacksOneOfThemHas(t *testing.T) {
	var log []string
	j := sse.JoinObservers(sse.Observer{}, sse.Observer{Open: func(sse.OpenInfo) { log = append(log, "open") }}, sse.Observer{})
	assert.Nil(t, j.Attempt)
	assert.Nil(t, j.FirstEvent)
	assert.Nil(t, j.Close)
	assert.Nil(t, j.Reconnect)
	require.NotNil(t, j.Open)
	j.Open(sse.OpenInfo{})
	assert.Equal(t, []string{"open"}, log)
	assert.Equal(t, sse.Observer{}, sse.JoinObservers(), "nothing joined, nothing told")
}
