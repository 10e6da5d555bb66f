package ssestats_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// What a Recorder makes of the life of real connections, driven through
// ssetest with a fake clock.

func TestADropGivesExactlyOneReconnectionWithItsTime(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	srv := newServer(t,
		script(ssetest.Raw("id: 1\ndata: a\n\n"), ssetest.Drop()),
		script(ssetest.Raw("data: b\n\n")),
		noContent,
	)
	st := ssestats.New(ssestats.WithClock(clk))
	rec := st.Stream("imports")
	obs := rec.Observer()
	reconnecting := make(chan sse.ReconnectInfo, 3)
	obs.Reconnect = func(i sse.ReconnectInfo) { reconnecting <- i }
	done := connect(t, srv, obs, sse.WithClock(clk), sse.WithConstantDelay(3*time.Second))

	for range 2 { // after the drop, then after the clean end of the second stream
		receive(t, reconnecting)
		require.NoError(t, clk.WaitPending(testContext(t), 1))
		clk.Advance(3 * time.Second)
	}
	require.NoError(t, receive(t, done))

	f := rec.Snapshot()
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, f.Connections)
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, f.Reconnections, "the 204 after the clean end is the client stopping, not a failure")
	assert.Equal(t, int64(2), f.Drops, "the cut stream and the stream the server ended")
	assert.Equal(t, ssestats.Summary{Count: 1, Min: 3 * time.Second, Max: 3 * time.Second, Mean: 3 * time.Second,
		P50: 3 * time.Second, P95: 3 * time.Second, P99: 3 * time.Second}, f.ReconnectTime)
	assert.Equal(t, int64(2), f.ConnectTime.Count)
	assert.Equal(t, int64(2), f.FirstMessage.Count)
	assert.Equal(t, ssestats.Errors{}, f.Errors, "a drop is no error response")
	assert.Zero(t, ssestats.InFlight(rec), "nothing kept once every attempt closed")
}

func TestA429IsCountedByType(t *testing.T) {
	srv := newServer(t,
		ssetest.Script{Status: http.StatusTooManyRequests},
		ssetest.Script{Status: http.StatusBadGateway},
		ssetest.Script{Status: http.StatusNotFound}, // final
	)
	st := ssestats.New()
	var se *sse.StatusError
	require.ErrorAs(t, receive(t, connect(t, srv, st.Observer("scans"), sse.WithNoDelay())), &se)

	f := st.Snapshot().Streams["scans"]
	assert.Equal(t, ssestats.Errors{TooManyRequests: 1, Server: 1, NotFound: 1}, f.Errors)
	assert.Equal(t, ssestats.Rate{Failed: 3}, f.Connections, "retries before a first open are connection attempts")
	assert.Equal(t, ssestats.Rate{}, f.Reconnections)
}

func TestFailedReconnectionsCountAgainstTheReconnectionRate(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	srv := newServer(t,
		script(ssetest.Raw("data: a\n\n"), ssetest.Drop()),
		ssetest.Script{Status: http.StatusServiceUnavailable},
		script(ssetest.Raw("data: b\n\n")),
		noContent,
	)
	rec := ssestats.New().Stream("enrichment")
	obs := rec.Observer()
	reconnecting := make(chan sse.ReconnectInfo, 3)
	obs.Reconnect = func(i sse.ReconnectInfo) { reconnecting <- i }
	done := connect(t, srv, obs, sse.WithClock(clk), sse.WithConstantDelay(time.Second))
	for range 3 {
		receive(t, reconnecting)
		require.NoError(t, clk.WaitPending(testContext(t), 1))
		clk.Advance(time.Second)
	}
	require.NoError(t, receive(t, done))

	f := rec.Snapshot()
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, f.Connections)
	assert.Equal(t, ssestats.Rate{Succeeded: 1, Failed: 1}, f.Reconnections)
	assert.Equal(t, ssestats.Errors{Server: 1}, f.Errors)
	require.Equal(t, int64(1), f.ReconnectTime.Count)
	assert.Equal(t, 2*time.Second, f.ReconnectTime.Max, "both delays and the failed attempt")
}

func TestAttemptsTheClientStopsCountNeitherWay(t *testing.T) {
	srv := newServer(t, script(ssetest.Hang()))
	rec := ssestats.New().Stream("imports")
	obs := rec.Observer()
	opened := make(chan struct{})
	obs.Open = func(i sse.OpenInfo) { rec.Observer().Open(i); close(opened) }
	c := newClient(t, srv, sse.WithObserver(obs))
	done := make(chan error, 1)
	go func() { done <- c.Connect(testContext(t)) }()
	receive(t, opened)
	c.Close()
	assert.ErrorIs(t, receive(t, done), sse.ErrClosed)

	f := rec.Snapshot()
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, f.Connections)
	assert.Zero(t, f.Drops, "closed by the client")
	assert.Equal(t, ssestats.Errors{}, f.Errors)
	assert.Zero(t, ssestats.InFlight(rec))
}

func TestOneObserverServesClientsRunningAtOnce(t *testing.T) {
	const clients = 8
	srv := newServer(t, script(ssetest.Raw("data: a\n\n")))
	st := ssestats.New()
	obs := st.Observer("scans")
	var dones []<-chan error
	for range clients {
		dones = append(dones, connect(t, srv, obs, sse.WithNoDelay(), sse.WithStopAtEnd()))
	}
	for _, d := range dones {
		require.NoError(t, receive(t, d))
	}
	f := st.Snapshot().Streams["scans"]
	assert.Equal(t, ssestats.Rate{Succeeded: clients}, f.Connections)
	assert.Equal(t, int64(clients), f.FirstMessage.Count)
	assert.Zero(t, ssestats.InFlight(st.Stream("scans")))
}
