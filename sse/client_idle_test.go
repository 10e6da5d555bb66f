package sse_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The idle timeout: a connection on which no bytes arrive for the window
// is dropped and re-established.

func idleSetup(t *testing.T, scripts []ssetest.Script, opts ...sse.Option) (*ssetest.Server, *sse.Client[*recorder], *recorder, *ssetest.Clock) {
	t.Helper()
	clk := ssetest.NewClock(testStart)
	srv, c, rec := setup(t, scripts, append([]sse.Option{sse.WithClock(clk), sse.WithIdleTimeout(30 * time.Second)}, opts...)...)
	return srv, c, rec, clk
}

// armed waits until the Client is blocked reading with its idle timer set.
func armed(t *testing.T, clk *ssetest.Clock) {
	t.Helper()
	require.NoError(t, clk.WaitPending(testContext(t), 1))
}

func TestIdleTimeoutReconnects(t *testing.T) {
	srv, c, rec, clk := idleSetup(t, []ssetest.Script{
		script(ssetest.Raw("id: 1\ndata: a\n\n"), ssetest.Hang()),
		noContent,
	})
	done := connect(t, c)
	receive(t, rec.eventCh)
	armed(t, clk)
	clk.Advance(30 * time.Second)
	require.NoError(t, receive(t, done))
	require.Len(t, rec.Errors(), 1)
	assert.ErrorIs(t, rec.Errors()[0], sse.ErrIdleTimeout)
	assert.ErrorIs(t, rec.Reconnects()[0].Cause, sse.ErrIdleTimeout)
	id, _ := srv.Requests()[1].LastEventID()
	assert.Equal(t, "1", id)
}

func TestIdleTimeoutHeartbeatsKeepTheConnection(t *testing.T) {
	gate1, gate2 := make(chan struct{}), make(chan struct{})
	srv, c, rec, clk := idleSetup(t, []ssetest.Script{
		script(ssetest.Raw("data: a\n\n"), ssetest.Wait(gate1), ssetest.Comment("heartbeat"),
			ssetest.Wait(gate2), ssetest.Comment("heartbeat"), ssetest.Hang()),
		noContent,
	})
	done := connect(t, c)
	receive(t, rec.eventCh)
	armed(t, clk)
	clk.Advance(20 * time.Second)
	close(gate1)
	assert.Equal(t, "heartbeat", receive(t, rec.commentCh))
	armed(t, clk)
	clk.Advance(20 * time.Second) // 40s since the event, 20s since the heartbeat
	close(gate2)
	assert.Equal(t, "heartbeat", receive(t, rec.commentCh), "the first connection is still up")
	assert.Len(t, srv.Requests(), 1)
	armed(t, clk)
	clk.Advance(30 * time.Second)
	require.NoError(t, receive(t, done))
	assert.Len(t, srv.Requests(), 2)
	assert.Len(t, rec.Errors(), 1)
}

func TestIdleTimeoutWhileWaitingForHeaders(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	entered := make(chan struct{}, 10)
	srv := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done() // never answers
	}))
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithClock(clk), sse.WithIdleTimeout(time.Minute), sse.WithGiveUp(1, 0),
		sse.WithResponseHeaderTimeout(time.Hour)) // longer than the idle timeout, which is under test
	require.NoError(t, err)
	done := connect(t, c)
	receive(t, entered)
	armed(t, clk)
	clk.Advance(time.Minute)
	err = receive(t, done)
	var gu *sse.GiveUpError
	require.ErrorAs(t, err, &gu)
	assert.ErrorIs(t, err, sse.ErrIdleTimeout)
}

func TestIdleTimeoutDoesNotCountHandlerTime(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	release := make(chan struct{})
	inHandler := make(chan struct{})
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("data: slow\n\n"), ssetest.Raw("data: next\n\n"), ssetest.Hang()),
	}, sse.WithClock(clk), sse.WithIdleTimeout(30*time.Second))
	rec.onEvent = func(e sse.Event) {
		if e.Data == "slow" {
			close(inHandler)
			<-release
		}
	}
	done := connect(t, c)
	<-inHandler
	clk.Advance(time.Hour) // the handler takes an hour; no timer runs meanwhile
	close(release)
	receive(t, rec.eventCh)
	assert.Equal(t, "next", receive(t, rec.eventCh).Data)
	assert.Empty(t, rec.Errors())
	assert.Len(t, srv.Requests(), 1)
	c.Close()
	assert.True(t, errors.Is(receive(t, done), sse.ErrClosed))
}
