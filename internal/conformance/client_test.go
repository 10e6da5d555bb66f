package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// constBackOff is a backoff policy that always waits the same.
type constBackOff time.Duration

func (b constBackOff) NextBackOff() time.Duration { return time.Duration(b) }
func (constBackOff) Reset()                       {}

func TestClientFixturesSendTheirRequestsWaitTheirDelaysAndDeliverTheirEvents(t *testing.T) {
	for _, f := range fixturesOf(t, kindClient) {
		t.Run(f.Name, func(t *testing.T) { runClientFixture(t, f) })
	}
}

func runClientFixture(t *testing.T, f fixture) {
	cf := f.Client
	conns := cf.Connections
	srv := ssetest.NewServer(t, scriptsFor(conns, nil)...)
	clock := ssetest.NewClock(time.UnixMilli(0))
	ctx, cancel := context.WithTimeout(context.Background(), safetyTimeout)
	defer cancel()

	// The Observer and the Handler run on the Connect goroutine.
	var mu sync.Mutex
	attempt := 0
	got := make([][]sse.Event, len(conns)+1)
	delivered := make(chan struct{}, 1024)
	reconnects := make(chan sse.ReconnectInfo, 64)
	obs := sse.Observer{
		Attempt:   func(a sse.AttemptInfo) { mu.Lock(); attempt = a.Attempt; mu.Unlock() },
		Reconnect: func(r sse.ReconnectInfo) { reconnects <- r },
	}
	h := sse.HandlerFuncs{Event: func(e sse.Event) {
		mu.Lock()
		if attempt >= 1 && attempt <= len(got) {
			got[attempt-1] = append(got[attempt-1], e)
		}
		mu.Unlock()
		delivered <- struct{}{}
	}}
	opts := []sse.Option{
		sse.WithClock(clock),
		sse.WithObserver(obs),
		sse.WithBackOff(func() sse.BackOff { return constBackOff(time.Duration(*cf.BackoffMs) * time.Millisecond) }),
	}
	if cf.InitialLastEventID != nil {
		opts = append(opts, sse.WithLastEventID(*cf.InitialLastEventID))
	}
	c, err := sse.NewClient(srv.URL+"/stream", h, opts...)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- c.Connect(ctx) }()
	defer func() {
		c.Close()
		<-done
	}()

	for k := 1; k < len(conns); k++ {
		want := time.Duration(*conns[k].DelayMs) * time.Millisecond
		select {
		case r := <-reconnects:
			require.Equal(t, want, r.Delay, "%s: connections[%d].delayMs (the previous connection ended with %v)", f.File, k, r.Cause)
		case err := <-done:
			done <- err
			t.Fatalf("%s: connections[%d]: the client stopped instead of reconnecting: %v", f.File, k, err)
		case <-ctx.Done():
			t.Fatalf("%s: connections[%d]: no reconnection scheduled", f.File, k)
		}
		if want > 0 {
			require.NoError(t, clock.WaitPending(ctx, 1), "%s: connections[%d]: the reconnection delay's timer", f.File, k)
			clock.Advance(want)
		}
		_, err := srv.WaitRequests(ctx, k+1)
		require.NoError(t, err, "%s: connections[%d]: the request never came", f.File, k)
	}

	last := conns[len(conns)-1].Response
	switch *cf.Outcome {
	case outcomeClosed:
		total := 0
		for _, cn := range conns {
			total += len(cn.Events)
		}
		for i := 0; i < total; i++ {
			select {
			case <-delivered:
			case <-ctx.Done():
				t.Fatalf("%s: only %d of the %d events were delivered", f.File, i, total)
			}
		}
		c.Close()
		require.ErrorIs(t, <-done, sse.ErrClosed, f.File)
	case outcomeDone:
		require.NoError(t, <-done, "%s: outcome done", f.File)
	case outcomeFailed:
		err := <-done
		require.Error(t, err, "%s: outcome failed", f.File)
		if *last.Status == http.StatusOK {
			var ce *sse.ContentTypeError
			require.ErrorAs(t, err, &ce, "%s: outcome failed on a 200", f.File)
		} else {
			var se *sse.StatusError
			require.ErrorAs(t, err, &se, "%s: outcome failed", f.File)
			assert.Equal(t, *last.Status, se.StatusCode, "%s: outcome failed: the status", f.File)
		}
	}
	done <- nil // for the deferred Close

	reqs := srv.Requests()
	require.Len(t, reqs, len(conns), "%s: the number of requests", f.File)
	for i, cn := range conns {
		checkLastEventID(t, fmt.Sprintf("%s: connections[%d].request.lastEventId", f.File, i), cn.Request.lastEventID, reqs[i])
		mu.Lock()
		assert.Equal(t, expectedEvents(cn.Events), orEmpty(got[i]), "%s: connections[%d].events", f.File, i)
		mu.Unlock()
	}
}

// checkLastEventID compares a recorded request's Last-Event-ID with the
// expected one, nil meaning no header at all.
func checkLastEventID(t *testing.T, where string, want *string, r ssetest.Request) {
	t.Helper()
	id, ok := r.LastEventID()
	if want == nil {
		assert.False(t, ok, "%s: want no Last-Event-ID header, got %q", where, id)
		return
	}
	assert.True(t, ok, "%s: want Last-Event-ID %q, got no header", where, *want)
	assert.Equal(t, *want, id, where)
}
