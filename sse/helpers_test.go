package sse_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/internal/suitetransport"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// recorder is a Handler and an Observer that keeps everything it sees and
// signals each event, error and reconnection on channels, so tests wait
// for effects instead of sleeping.
type recorder struct {
	mu         sync.Mutex
	events     []sse.Event
	errs       []error
	comments   []string
	opens      []sse.OpenInfo
	reconnects []sse.ReconnectInfo
	closes     []sse.CloseInfo

	eventCh     chan sse.Event
	errCh       chan error
	commentCh   chan string
	reconnectCh chan sse.ReconnectInfo

	onEvent func(sse.Event) // called from HandleEvent when set

	// stop, once closed (release), drops what the channels cannot take
	// instead of blocking: a test that stopped reading (it failed, or
	// got more than the buffers hold) cannot keep Connect from returning.
	stop     chan struct{}
	stopOnce sync.Once
}

// release makes the recorder's sends give up instead of blocking.
func (r *recorder) release() { r.stopOnce.Do(func() { close(r.stop) }) }

// signal sends v on ch unless the recorder was released. A send that
// waits testTimeout is dropped: a test that stopped reading while
// Connect runs (a client that keeps reconnecting fills the buffers) ends
// with its context, never hangs in a handler.
func signal[T any](r *recorder, ch chan T, v T) {
	select {
	case ch <- v:
		return
	case <-r.stop:
		return
	default:
	}
	t := time.NewTimer(testTimeout)
	defer t.Stop()
	select {
	case ch <- v:
	case <-r.stop:
	case <-t.C:
	}
}

func newRecorder() *recorder {
	return &recorder{
		eventCh:     make(chan sse.Event, 1000),
		errCh:       make(chan error, 1000),
		commentCh:   make(chan string, 1000),
		reconnectCh: make(chan sse.ReconnectInfo, 1000),
		stop:        make(chan struct{}),
	}
}

func (r *recorder) HandleEvent(e sse.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	if r.onEvent != nil {
		r.onEvent(e)
	}
	signal(r, r.eventCh, e)
}

func (r *recorder) HandleError(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
	signal(r, r.errCh, err)
}

func (r *recorder) HandleComment(text string) {
	r.mu.Lock()
	r.comments = append(r.comments, text)
	r.mu.Unlock()
	signal(r, r.commentCh, text)
}

func (r *recorder) HandleOpen(o sse.OpenInfo) {
	r.mu.Lock()
	r.opens = append(r.opens, o)
	r.mu.Unlock()
}

func (r *recorder) observer() sse.Observer {
	return sse.Observer{
		Reconnect: func(i sse.ReconnectInfo) {
			r.mu.Lock()
			r.reconnects = append(r.reconnects, i)
			r.mu.Unlock()
			signal(r, r.reconnectCh, i)
		},
		Close: func(i sse.CloseInfo) {
			r.mu.Lock()
			r.closes = append(r.closes, i)
			r.mu.Unlock()
		},
	}
}

func (r *recorder) Events() []sse.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sse.Event(nil), r.events...)
}

func (r *recorder) Errors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

func (r *recorder) Reconnects() []sse.ReconnectInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sse.ReconnectInfo(nil), r.reconnects...)
}

func (r *recorder) Closes() []sse.CloseInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sse.CloseInfo(nil), r.closes...)
}

// testTimeout bounds every wait of a test, so a bug fails the test instead
// of hanging it. It is not a timing assertion: correct code is far faster.
const testTimeout = 20 * time.Second

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// receive waits for a value on ch, failing the test if none comes.
func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testTimeout):
		t.Fatalf("nothing received on %T within %v", ch, testTimeout)
		panic("unreachable")
	}
}

// newServer starts a scripted server for a test: plaintext HTTP/1.1, or,
// with BOOKSTRACK_SSE_TRANSPORT=h2, TLS with HTTP/2 enabled (see
// transport_export_test.go). Every test server that a Client reaches
// through TransportAuto is made here or by newHTTPServer, so that the
// switch lives in one place.
func newServer(t testing.TB, scripts ...ssetest.Script) *ssetest.Server {
	t.Helper()
	srv := ssetest.NewUnstartedServer(t, scripts...)
	startTestServer(t, srv.Server)
	return srv
}

// newHTTPServer is newServer for a handler of the test's own; the test's
// cleanup closes the server.
func newHTTPServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	t.Cleanup(srv.Close)
	startTestServer(t, srv)
	return srv
}

// startTestServer starts srv on the suite's transport (see
// transport_export_test.go and internal/suitetransport).
func startTestServer(t testing.TB, srv *httptest.Server) {
	t.Helper()
	suitetransport.Start(t, srv)
}

// startOnSuiteTransport starts srv as startTestServer does, without the
// protocol check, for the examples' servers (example_test.go holds README
// blocks, so it imports nothing internal).
func startOnSuiteTransport(srv *httptest.Server) { suitetransport.StartUnchecked(srv) }

// setup starts a scripted server and a Client on it with a recorder as
// handler and observer. Reconnections wait 0 unless opts say otherwise.
func setup(t *testing.T, scripts []ssetest.Script, opts ...sse.Option) (*ssetest.Server, *sse.Client[*recorder], *recorder) {
	t.Helper()
	srv := newServer(t, scripts...)
	rec := newRecorder()
	all := append([]sse.Option{sse.WithNoDelay(), sse.WithObserver(rec.observer())}, opts...)
	c, err := sse.NewClient(srv.URL, rec, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return srv, c, rec
}

// connect runs Connect in a goroutine and returns a channel for its
// result. The test's cleanup closes the Client, releases its recorder
// and waits for Connect to return, for testTimeout at most: a failing
// test fails fast, with a message, instead of hanging.
func connect(t *testing.T, c *sse.Client[*recorder]) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	finished := make(chan struct{})
	ctx := testContext(t)
	go func() {
		done <- c.Connect(ctx)
		close(finished)
	}()
	t.Cleanup(func() {
		c.Close()
		c.Handler().release()
		select {
		case <-finished:
		case <-time.After(testTimeout):
			t.Errorf("Connect did not return within %v of Close", testTimeout)
		}
	})
	return done
}

func script(steps ...ssetest.Step) ssetest.Script { return ssetest.Script{Steps: steps} }

// noContent ends a test's stream for good.
var noContent = ssetest.Script{Status: 204}

var testStart = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
