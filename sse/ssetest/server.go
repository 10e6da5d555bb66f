package ssetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"
)

// maxBody is the most of a request body a Server records.
const maxBody = 1 << 20

// Server is an [httptest.Server] whose every connection follows a Script.
//
// Connection i (0-based, counted over all requests the Server receives, in
// the order they arrive) follows the i-th script given to NewServer;
// connections past the last script follow the last one again.
//
// Its methods are safe for concurrent use. Close it with its own Close
// method, not with the embedded httptest.Server's, which does not release
// running scripts.
type Server struct {
	*httptest.Server

	scripts []Script

	closeOnce sync.Once
	handlers  sync.WaitGroup // running scripts; Add only under mu while !closed

	mu       sync.Mutex
	closed   bool
	streams  map[int]context.CancelCauseFunc // the running scripts, by connection
	requests []Request
	errs     []*ScriptError
	changed  chan struct{} // closed and replaced whenever a request arrives
}

// NewServer starts a Server whose connections follow scripts, as described
// on Server. With no scripts every connection gets a 200 text/event-stream
// response with an empty body.
//
// The scripts are copied: changing them afterwards has no effect. A script
// with an invalid Status or a nil Step fails the test at once.
// tb.Cleanup(s.Close) is registered.
func NewServer(tb testing.TB, scripts ...Script) *Server {
	tb.Helper()
	s := newServer(tb, scripts)
	s.Start()
	return s
}

// NewUnstartedServer is NewServer without starting the server: the caller
// may change it, for example replace s.Listener with a Conditioner's
// Listener or set EnableHTTP2, and then call s.Start or s.StartTLS.
// tb.Cleanup(s.Close) is registered, and closing a server that was never
// started is fine.
func NewUnstartedServer(tb testing.TB, scripts ...Script) *Server {
	tb.Helper()
	return newServer(tb, scripts)
}

func newServer(tb testing.TB, scripts []Script) *Server {
	tb.Helper()
	copied := make([]Script, len(scripts))
	for i, sc := range scripts {
		if sc.Status != 0 && (sc.Status < 200 || sc.Status > 999) {
			tb.Fatalf("ssetest: script %d: invalid status %d: want 0 or 200 to 999", i, sc.Status)
		}
		for j, step := range sc.Steps {
			if step == nil {
				tb.Fatalf("ssetest: script %d: step %d is nil", i, j)
			}
		}
		copied[i] = Script{Status: sc.Status, Header: sc.Header.Clone(), Steps: slices.Clone(sc.Steps)}
	}
	s := &Server{scripts: copied, streams: map[int]context.CancelCauseFunc{}, changed: make(chan struct{})}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	tb.Cleanup(s.Close)
	return s
}

// Close releases every script still running: the contexts of their
// streams end, so Hang, Wait and Pause steps return at once and later
// steps do not run. It then closes the client connections, waits for the
// handlers to return and closes the httptest.Server.
//
// A request that arrives while Close runs gets a 503 response and is not
// recorded. Close is idempotent and safe to call from any goroutine, also
// concurrently; every call returns once the server is closed. It must not
// be called from a Step, which would wait for itself.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		for _, cancel := range s.streams {
			cancel(http.ErrServerClosed)
		}
		s.mu.Unlock()
		s.Server.CloseClientConnections()
		s.handlers.Wait()
		s.Server.Close()
	})
}

// Requests returns a copy of every request received so far, in arrival
// order. Request i ran script i (or the last script).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyRequests(s.requests)
}

// WaitRequests blocks until at least n requests have arrived and returns a
// copy of all of them, as Requests does. It returns ctx's error if ctx ends
// first. A request counts as arrived once its body has been read, just
// before its script starts.
func (s *Server) WaitRequests(ctx context.Context, n int) ([]Request, error) {
	for {
		s.mu.Lock()
		if len(s.requests) >= n {
			reqs := copyRequests(s.requests)
			s.mu.Unlock()
			return reqs, nil
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Errors returns the errors that ended scripts before their last step, in
// the order they happened: a custom step's error, a failed write (the
// client went away, or the status forbids a body), or the cause of the
// stream's context when the client went away or the Server closed during
// a Hang, Wait or Pause step. A script ended by Drop is not an error and
// does not appear.
func (s *Server) Errors() []*ScriptError {
	s.mu.Lock()
	defer s.mu.Unlock()
	errs := make([]*ScriptError, len(s.errs))
	for i, e := range s.errs {
		c := *e
		errs[i] = &c
	}
	return errs
}

// ScriptError records a step that ended its script with an error; see
// Server.Errors. It unwraps to the step's error.
type ScriptError struct {
	// Conn is the connection whose script ended, as Stream.Conn gives it.
	Conn int
	// Step is the index of the step in Script.Steps.
	Step int
	// Err is the error the step returned.
	Err error
}

// Error describes the failure.
func (e *ScriptError) Error() string {
	return fmt.Sprintf("ssetest: connection %d: step %d: %v", e.Conn, e.Step, e.Err)
}

// Unwrap returns the underlying error.
func (e *ScriptError) Unwrap() error { return e.Err }

// Request is what a Server recorded of one request, before running its
// script. The Server keeps its own copy: changing a Request returned by
// Requests does not change what later calls return.
type Request struct {
	// Method is the request method, such as "GET".
	Method string
	// URL is the request URL as the server received it (http.Request.URL):
	// usually only a path and a query.
	URL *url.URL
	// Header is a copy of the request headers.
	Header http.Header
	// Body is the request body, read before the script runs: all of it,
	// or its first 1 MiB when it is longer. It is empty for a request
	// without a body.
	Body []byte
}

// LastEventID returns the request's Last-Event-ID header and whether it
// was present at all, so a test can tell a missing header from an empty
// one.
func (r Request) LastEventID() (string, bool) {
	v := r.Header.Values("Last-Event-ID")
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func (r Request) clone() Request {
	c := r
	if r.URL != nil {
		u := *r.URL
		c.URL = &u
	}
	c.Header = r.Header.Clone()
	c.Body = bytes.Clone(r.Body)
	return c
}

func copyRequests(reqs []Request) []Request {
	c := make([]Request, len(reqs))
	for i, r := range reqs {
		c[i] = r.clone()
	}
	return c
}

// begin records r and returns its connection number and script, or false
// once the Server is closing. On success the caller must call s.end.
func (s *Server) begin(r *http.Request, body []byte, cancel context.CancelCauseFunc) (int, Script, bool) {
	rec := Request{Method: r.Method, URL: r.URL, Header: r.Header, Body: body}.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, Script{}, false
	}
	s.handlers.Add(1)
	conn := len(s.requests)
	s.streams[conn] = cancel
	s.requests = append(s.requests, rec)
	close(s.changed)
	s.changed = make(chan struct{})
	var sc Script
	if len(s.scripts) > 0 {
		sc = s.scripts[min(conn, len(s.scripts)-1)]
	}
	return conn, sc, true
}

// end undoes begin, recording err unless it is nil or ErrDropped.
func (s *Server) end(conn int, err *ScriptError) {
	s.mu.Lock()
	delete(s.streams, conn)
	if err != nil && !errors.Is(err.Err, ErrDropped) {
		s.errs = append(s.errs, err)
	}
	s.mu.Unlock()
	s.handlers.Done()
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)

	// The stream's context ends when the client goes away or Close cancels
	// it. Then the connection's deadlines are set to now, so that no read
	// or write of this handler can block any longer.
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	unblocked := make(chan struct{})
	stopUnblock := context.AfterFunc(ctx, func() {
		defer close(unblocked)
		now := time.Now()
		_ = rc.SetReadDeadline(now)
		_ = rc.SetWriteDeadline(now)
	})
	defer func() {
		if !stopUnblock() {
			<-unblocked // never touch the connection after returning
		}
	}()

	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	conn, sc, ok := s.begin(r, body, cancel)
	if !ok {
		http.Error(w, "ssetest: server closed", http.StatusServiceUnavailable)
		return
	}
	var failure *ScriptError
	defer func() { s.end(conn, failure) }()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	for k, v := range sc.Header {
		k = http.CanonicalHeaderKey(k)
		if len(v) == 0 {
			h[k] = nil // removes the header, and stops net/http adding it
		} else {
			h[k] = slices.Clone(v)
		}
	}
	status := sc.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_ = rc.Flush() // a failure shows in the first write

	st := &Stream{w: w, rc: rc, r: r, ctx: ctx, conn: conn}
	for i, step := range sc.Steps {
		err := context.Cause(ctx)
		if err == nil {
			err = step(st)
		}
		if err != nil {
			failure = &ScriptError{Conn: conn, Step: i, Err: err}
			return
		}
	}
}
