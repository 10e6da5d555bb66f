package sse_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// Close, Restart and the rules around running Connect.

func TestCloseFromInsideHandleEvent(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("data: 1\n\ndata: 2\n\ndata: 3\n\n"), ssetest.Hang()),
	})
	rec.onEvent = func(sse.Event) { c.Close() }
	err := receive(t, connect(t, c))
	assert.ErrorIs(t, err, sse.ErrClosed)
	assert.Equal(t, []string{"1"}, data(rec.Events()), "nothing is delivered after Close, even what was already read")
	assert.Len(t, srv.Requests(), 1)
	assert.Empty(t, rec.Errors())
	closes := rec.Closes()
	require.Len(t, closes, 1)
	assert.ErrorIs(t, closes[0].Err, sse.ErrClosed)
	assert.Equal(t, 1, closes[0].Events)
}

func TestCloseFromAnotherGoroutineIsIdempotent(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{script(ssetest.Raw("data: x\n\n"), ssetest.Hang())})
	done := connect(t, c)
	receive(t, rec.eventCh)
	closed := make(chan struct{})
	for range 3 {
		go func() {
			assert.NoError(t, c.Close())
			closed <- struct{}{}
		}()
	}
	for range 3 {
		receive(t, closed)
	}
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)
	assert.ErrorIs(t, c.Connect(context.Background()), sse.ErrClosed, "a closed Client stays closed")
}

func TestCloseDuringReconnectDelay(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	_, c, rec := setup(t, []ssetest.Script{{Status: 503, Header: http.Header{"Retry-After": {"300"}}}},
		sse.WithClock(clk), sse.WithBackOff(func() sse.BackOff { return &backoff.ZeroBackOff{} }))
	done := connect(t, c)
	assert.Equal(t, 5*time.Minute, receive(t, rec.reconnectCh).Delay)
	c.Close()
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)
}

func TestCloseBeforeConnect(t *testing.T) {
	srv, c, _ := setup(t, nil)
	c.Close()
	assert.ErrorIs(t, c.Connect(context.Background()), sse.ErrClosed)
	assert.Empty(t, srv.Requests())
}

func TestConnectTwiceAtOnce(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{script(ssetest.Raw("data: x\n\n"), ssetest.Hang())})
	done := connect(t, c)
	receive(t, rec.eventCh)
	assert.ErrorIs(t, c.Connect(context.Background()), sse.ErrConnecting)
	c.Close()
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)
}

func TestConnectAgainResumes(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("id: 5\ndata: x\n\n")),
		noContent,
		script(ssetest.Raw("id: 6\ndata: y\n\n")),
		noContent,
	})
	require.NoError(t, c.Connect(testContext(t)))
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, []string{"x", "y"}, data(rec.Events()))
	id, _ := srv.Requests()[2].LastEventID()
	assert.Equal(t, "5", id)
}

func TestRestartReconnectsAtOnceWithLastEventID(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("id: 1\ndata: a\n\n"), ssetest.Hang()),
		script(ssetest.Raw("id: 2\ndata: b\n\n"), ssetest.Hang()),
	}, sse.WithClock(clk), sse.WithBackOff(func() sse.BackOff { return backoff.NewConstantBackOff(time.Hour) }))
	done := connect(t, c)
	receive(t, rec.eventCh)
	c.Restart() // the clock never moves: only an immediate reconnection gets event b
	assert.Equal(t, "b", receive(t, rec.eventCh).Data)
	id, _ := srv.Requests()[1].LastEventID()
	assert.Equal(t, "1", id)
	assert.Empty(t, rec.Errors(), "a restart is not a failure")
	assert.Equal(t, []sse.ReconnectInfo{{Attempt: 2, Delay: 0, Cause: sse.ErrRestart}}, rec.Reconnects(),
		"the Observer hears of the reconnection a restart makes")
	assert.ErrorIs(t, rec.Closes()[0].Err, sse.ErrRestart)
	c.Close()
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)
}

func TestRestartCutsTheDelayShort(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	_, c, rec := setup(t, []ssetest.Script{{Status: 503}, script(ssetest.Raw("data: back\n\n"), ssetest.Hang())},
		sse.WithClock(clk), sse.WithBackOff(func() sse.BackOff { return backoff.NewConstantBackOff(time.Hour) }))
	done := connect(t, c)
	assert.Equal(t, time.Hour, receive(t, rec.reconnectCh).Delay)
	c.Restart()
	assert.Equal(t, "back", receive(t, rec.eventCh).Data)
	c.Close()
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)
}

func TestRestartFromInsideHandleEvent(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("id: 1\ndata: restart\n\nid: 2\ndata: dropped\n\n"), ssetest.Hang()),
		script(ssetest.Raw("id: 2\ndata: again\n\n")),
		noContent,
	})
	rec.onEvent = func(e sse.Event) {
		if e.Data == "restart" {
			c.Restart()
		}
	}
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []string{"restart", "again"}, data(rec.Events()))
	id, _ := srv.Requests()[1].LastEventID()
	assert.Equal(t, "1", id)
}

func TestRestartWhenNotRunningDoesNothing(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{noContent})
	c.Restart()
	require.NoError(t, c.Connect(testContext(t)))
	assert.Len(t, srv.Requests(), 1)
}
