package bookstracktest

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// Server is a fake BooksTrack API listening on loopback. Make one with New
// or NewServer; it serves until Close. All its methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the server, such as http://127.0.0.1:41234,
	// with no trailing slash.
	URL string

	cfg       config
	clock     sse.Clock
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport
	client    *http.Client
	timers    *timers
	done      chan struct{} // closed by Close: streams end
	served    chan struct{} // closed when Serve has returned
	closeOnce sync.Once
	handlers  sync.WaitGroup
	stopSteps func() // ends the stepping of WithSteppedClock; nil without it

	mu             sync.Mutex
	closed         bool
	jobs           map[string]*job
	faults         []fault
	requests       []Request
	active         map[*http.ResponseController]struct{}
	streamsChanged chan struct{} // closed and replaced when a stream opens or closes
}

// New starts a Server on 127.0.0.1 with a port chosen by the system. Like
// httptest.NewServer it panics if it cannot listen, and on options it
// cannot honour. The caller must Close it.
func New(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.err != nil {
		panic(cfg.err)
	}
	if err := cfg.quirks.check(); err != nil {
		panic(err)
	}
	var stepped *ssetest.Clock
	if cfg.stepped {
		stepped = ssetest.NewClock(steppedStart)
		cfg.clock = stepped
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("bookstracktest: failed to listen on a port: %v", err))
		}
	}
	if cfg.wrapListener != nil {
		ln = cfg.wrapListener(ln)
	}
	transport := &http.Transport{}
	s := &Server{
		URL:            "http://" + ln.Addr().String(),
		cfg:            cfg,
		clock:          cfg.clock,
		ln:             ln,
		transport:      transport,
		client:         &http.Client{Transport: transport},
		timers:         newTimers(cfg.clock),
		done:           make(chan struct{}),
		served:         make(chan struct{}),
		jobs:           map[string]*job{},
		active:         map[*http.ResponseController]struct{}{},
		streamsChanged: make(chan struct{}),
	}
	s.srv = &http.Server{
		Handler:  http.HandlerFunc(s.serveHTTP),
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	if stepped != nil {
		s.stopSteps = stepClock(stepped, cfg.stepInterval)
	}
	return s
}

// stepClock advances clk by d whenever at least three timers wait on it (see
// WithSteppedClock), until the returned stop is called; stop returns once
// the stepping goroutine has.
func stepClock(clk *ssetest.Clock, d time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for clk.WaitPending(ctx, 3) == nil {
			clk.Advance(d)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// NewServer starts a Server with New and closes it when tb's test and its
// subtests end.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := New(opts...)
	tb.Cleanup(s.Close)
	return s
}

// Client returns an HTTP client for the Server, without a timeout. Close
// closes its idle connections.
func (s *Server) Client() *http.Client { return s.client }

// Close shuts the Server down: every open stream ends (cleanly, after the
// last complete event), requests still reading their body are cut, the
// listener and connections are closed, job timers are stopped, and Close
// waits for all handlers and timer callbacks, so that no goroutine of the
// Server remains. Requests arriving meanwhile get 503. Close may be called
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.stopSteps != nil {
			s.stopSteps()
		}
		s.mu.Lock()
		s.closed = true
		// Unblock handlers reading a request body from a stalled client,
		// and bound writes to a client that stopped reading.
		for rc := range s.active {
			_ = rc.SetReadDeadline(time.Unix(1, 0))
			_ = rc.SetWriteDeadline(time.Now().Add(5 * time.Second))
		}
		s.mu.Unlock()
		close(s.done)
		s.handlers.Wait()
		// Shutdown lets net/http finish the responses (the last chunk of
		// each stream) before it closes the connections; a client stuck
		// in the middle of sending headers is cut after a while.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if s.srv.Shutdown(ctx) != nil {
			_ = s.srv.Close()
		}
		cancel()
		<-s.served
		s.timers.close()
		s.transport.CloseIdleConnections()
	})
}

// serveHTTP records the request, gives it a request id, applies injected
// faults and routes it.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{s: s, w: w, r: r, rc: http.NewResponseController(w), requestID: requestID(r)}
	w.Header().Set("X-Request-ID", c.requestID)
	s.mu.Lock()
	c.now = s.clock.Now()
	if s.closed {
		s.mu.Unlock()
		w.Header().Set("Connection", "close")
		c.fail(problem{status: http.StatusServiceUnavailable, code: "SERVICE_UNAVAILABLE", detail: "server closed", retryable: true})
		return
	}
	s.handlers.Add(1)
	defer s.handlers.Done()
	s.active[c.rc] = struct{}{}
	defer func() {
		s.mu.Lock()
		delete(s.active, c.rc)
		s.mu.Unlock()
	}()
	s.requests = append(s.requests, Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		RawQuery:  r.URL.RawQuery,
		Header:    r.Header.Clone(),
		RequestID: c.requestID,
		Time:      c.now,
	})
	f, faulty := s.takeFaultLocked()
	s.mu.Unlock()
	if faulty {
		c.writeFault(f)
		return
	}
	s.route(c)
}

// requestID returns the client's X-Request-ID when it is a sane token (at
// most 128 visible ASCII characters), or a fresh UUID.
func requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-ID")
	if id == "" || len(id) > 128 || strings.IndexFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) >= 0 {
		return newUUID()
	}
	return id
}

// Request is a request the Server received, as Requests reports it.
type Request struct {
	// Method is the HTTP method, such as "GET".
	Method string
	// Path is the URL path, such as "/v3/jobs/imports".
	Path string
	// RawQuery is the encoded query string, without '?'.
	RawQuery string
	// Header is a copy of the request headers.
	Header http.Header
	// RequestID is the X-Request-ID the response carried.
	RequestID string
	// Time is when the request arrived, on the Server's clock.
	Time time.Time
}

// Requests returns every request received so far, oldest first, including
// those answered by an injected fault.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}
