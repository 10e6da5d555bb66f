package ssestats_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/internal/suitetransport"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

var testStart = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// noContent ends a Connect for good.
var noContent = ssetest.Script{Status: 204}

func script(steps ...ssetest.Step) ssetest.Script { return ssetest.Script{Steps: steps} }

// newServer starts a scripted server on the suite's transport (see
// internal/suitetransport).
func newServer(t *testing.T, scripts ...ssetest.Script) *ssetest.Server {
	t.Helper()
	srv := ssetest.NewUnstartedServer(t, scripts...)
	suitetransport.Start(t, srv.Server)
	return srv
}

// newClient is sse.NewClient of srv, through srv's *http.Client when the
// suite runs over HTTP/2.
func newClient(t *testing.T, srv *ssetest.Server, opts ...sse.Option) *sse.Client[sse.HandlerFuncs] {
	t.Helper()
	if suitetransport.OverHTTP2 {
		opts = append(opts, sse.WithHTTPClient(srv.Client()))
	}
	c, err := sse.NewClient(srv.URL, sse.HandlerFuncs{}, opts...)
	require.NoError(t, err)
	return c
}

// connect runs a Client of the server with the observer and options until
// Connect returns, in the background; the channel gets its error.
func connect(t *testing.T, srv *ssetest.Server, obs sse.Observer, opts ...sse.Option) <-chan error {
	t.Helper()
	c := newClient(t, srv, append([]sse.Option{sse.WithObserver(obs)}, opts...)...)
	done := make(chan error, 1)
	go func() { done <- c.Connect(testContext(t)) }()
	return done
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatal("timed out")
		var zero T
		return zero
	}
}

// errCanceled stands for a fetch ended by its context.
var errCanceled = context.Canceled
