// Package sse reads Server-Sent Events (text/event-stream) as the WHATWG
// HTML standard defines them, and keeps a stream going across dropped
// connections.
//
// It has two layers. A Decoder parses a stream from any io.Reader, to the
// letter of the standard, without goroutines and with bounded memory. A
// Client[H] owns the HTTP connection: it sends the request, checks the
// response, decodes the body and hands each event to a Handler on one
// goroutine, and when the connection ends it reconnects with Last-Event-ID,
// honouring the server's retry field and Retry-After, with exponential
// backoff that only resets after a healthy connection.
//
// # Reconnection
//
// Every end of a connection leads to a reconnection, a clean end of stream
// included, except these, which end Connect:
//   - a 204 No Content response (Connect returns nil);
//   - 401 (after the request hook had its chance to refresh), 403 and
//     other 4xx but 408 and 429, a 3xx that cannot be followed, 2xx other
//     than 200, and a 200 whose Content-Type is not text/event-stream
//     (typed errors: *StatusError, *RedirectError, *ContentTypeError);
//   - a certificate that does not verify;
//   - Close, the context ending, or the give-up policy (*GiveUpError).
//
// 408, 429, 5xx, network errors, the idle timeout and a clean end of
// stream are retried. The delay is the largest of the backoff, the
// server's retry field and the response's Retry-After, the latter two
// capped by WithMaxDelay.
//
// # Events and IDs
//
// Event.ID is the last event ID in effect when the event was dispatched,
// as in the standard: events without an id field inherit it. The Client
// advances its LastEventID only when a complete event block is dispatched,
// so an event cut by a dropped connection is never delivered, and a
// server that resumes from Last-Event-ID sends it again: no event is lost
// or delivered twice.
//
// The package ssetest has a scriptable test server, a network conditioner
// and a fake clock for testing code built on this package.
package sse
