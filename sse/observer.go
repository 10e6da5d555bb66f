package sse

import (
	"context"
	"net/http"
	"time"
)

// Observer is told about the life of a Client's connections, for metrics,
// logs and tests. Every field may be nil. The functions are called
// synchronously from the goroutine running Connect, in the order things
// happen, and must return quickly. Each AttemptInfo is followed by exactly
// one CloseInfo for the same attempt; OpenInfo and FirstEventInfo come in
// between when the attempt got that far, and a ReconnectInfo follows the
// CloseInfo when the Client is going to try again.
type Observer struct {
	Attempt    func(AttemptInfo)
	Open       func(OpenInfo)
	FirstEvent func(FirstEventInfo)
	Close      func(CloseInfo)
	Reconnect  func(ReconnectInfo)
}

// AttemptInfo describes a connection attempt about to be made.
type AttemptInfo struct {
	// Attempt counts the attempts made by this call to Connect, from 1.
	Attempt int
	// ID identifies the attempt among every attempt of every Client in
	// the process, from 1. The OpenInfo, FirstEventInfo and CloseInfo of
	// the attempt carry the same ID.
	ID uint64
	// Context is the context given to Connect, never nil: its values
	// (such as a trace span to parent the attempt's span) are the
	// caller's. It is done when Connect's context is.
	Context context.Context
	// DownSince is when the last stream opened by this call to Connect
	// ended; it is zero until one has opened. An attempt with DownSince
	// set is a reconnection, and the time from DownSince to its OpenInfo
	// is how long the stream was down.
	DownSince time.Time
	// LastEventID is the Last-Event-ID the request carries, if any.
	LastEventID string
	// Time is when the attempt started.
	Time time.Time
}

// OpenInfo describes a connection that has just opened a stream.
type OpenInfo struct {
	Attempt int
	// ID is the attempt's, as in AttemptInfo.
	ID uint64
	// Latency is the time from the start of the attempt to the response
	// headers.
	Latency time.Duration
	// Header holds the response headers. It must not be modified.
	Header http.Header
	// LastEventID is the Last-Event-ID the request carried, if any.
	LastEventID string
}

// FirstEventInfo describes the first event of a connection.
type FirstEventInfo struct {
	Attempt int
	// ID is the attempt's, as in AttemptInfo.
	ID uint64
	// Latency is the time from the start of the attempt to the event.
	Latency time.Duration
	// SinceOpen is the time from the response headers to the event.
	SinceOpen time.Duration
	// Event is the event, as passed to the Handler.
	Event Event
}

// CloseInfo describes the end of an attempt.
type CloseInfo struct {
	Attempt int
	// ID is the attempt's, as in AttemptInfo.
	ID uint64
	// Opened reports whether the attempt opened a stream.
	Opened bool
	// Duration is how long the stream stayed open (zero when it did not
	// open).
	Duration time.Duration
	// Events is the number of events the attempt delivered.
	Events int
	// Err says why it ended: io.EOF for a clean end of stream,
	// ErrIdleTimeout, a network error, a *StatusError, ErrClosed, the
	// context's error, ...; nil for a 204 response, which ends the stream
	// for good.
	Err error
}

// ReconnectInfo describes a reconnection the Client has scheduled.
type ReconnectInfo struct {
	// Attempt is the number the next attempt will have.
	Attempt int
	// Delay is how long the Client waits before it.
	Delay time.Duration
	// Cause is why the previous attempt ended, as in CloseInfo.Err.
	Cause error
}

func (o *Observer) attempt(i AttemptInfo) {
	if o.Attempt != nil {
		o.Attempt(i)
	}
}

func (o *Observer) open(i OpenInfo) {
	if o.Open != nil {
		o.Open(i)
	}
}

func (o *Observer) firstEvent(i FirstEventInfo) {
	if o.FirstEvent != nil {
		o.FirstEvent(i)
	}
}

func (o *Observer) close(i CloseInfo) {
	if o.Close != nil {
		o.Close(i)
	}
}

func (o *Observer) reconnect(i ReconnectInfo) {
	if o.Reconnect != nil {
		o.Reconnect(i)
	}
}

// joinObservers returns an Observer that tells each of obs, in order, of
// every callback it is given: a Client's metrics and its logs, say. A
// field of the result is nil when that field is nil in every one of obs.
func joinObservers(obs ...Observer) Observer {
	var j Observer
	for _, o := range obs {
		j.Attempt = join(j.Attempt, o.Attempt)
		j.Open = join(j.Open, o.Open)
		j.FirstEvent = join(j.FirstEvent, o.FirstEvent)
		j.Close = join(j.Close, o.Close)
		j.Reconnect = join(j.Reconnect, o.Reconnect)
	}
	return j
}

// join returns a function calling a then b, either of which may be nil.
func join[T any](a, b func(T)) func(T) {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(i T) { a(i); b(i) }
}
