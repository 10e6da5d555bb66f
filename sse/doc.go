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
// backoff while attempts fail that resets once a connection delivers a
// new event.
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
// 408, 429, 5xx, network errors, the idle timeout, the response header
// timeout and a clean end of stream are retried (WithStopAtEnd makes a
// clean end final instead).
//
// # Reconnection delay
//
// As the WHATWG standard says, a retry field sets the stream's
// reconnection time; 0 is a valid value, and it lasts across connections.
//
// An attempt made progress when its connection dispatched at least one
// new event: one whose id differs from the Last-Event-ID the connection
// was opened with, or any event on a stream without ids. A connection
// that stayed open for the healthy period (WithHealthyAfter) counts as
// progress too, even if it delivered nothing. A connection cut while it
// delivers did not fail: after progress the backoff starts over. With n
// the number of attempts in a row without progress (0 after one with
// progress) and r' the server's retry r, but at least the floor of
// 100 ms, the delay before the next attempt is:
//
//	the server sent retry r,  n <= 1   r' exactly, no jitter
//	the server sent retry r,  n >= 2   r' doubled n-1 times, at most max(r', DefaultMaxBackOff)
//	no retry field yet                 the BackOff's next step (WithBackOff, WithInitialDelay),
//	                                   its first step (jitter included) after progress
//	the response had Retry-After a     the larger of the above and a
//
// r and a are capped by WithMaxDelay. The floor is no hot loop: a server
// that sends "retry: 0", one event and closes, again and again, is
// reconnected at most every 100 ms. WithConstantDelay replaces the whole
// table (floor included). The give-up policy (WithGiveUp) counts only the
// attempts in a row without progress, and its time limit runs from the
// end of the last attempt with progress: a stream that keeps delivering
// is never given up, however often it is cut. When the give-up policy
// has a time limit and the delay would end past it, Connect gives up at
// once rather than retry sooner than the server asked.
//
// # Bounds
//
// Nothing waits for ever by default: the response headers must arrive
// within 30 seconds (WithResponseHeaderTimeout), the
// body of an error response is read for at most 10 seconds
// and 4 KiB, and with WithIdleTimeout every read (error bodies included)
// must see a byte within the idle timeout.
//
// # Secrets
//
// The Client never prints or logs a URL with its query string, fragment or
// user info, wrapped errors included. It never sends Referer. It refuses
// a redirect from https to http (a *RedirectError matching
// ErrInsecureRedirect), and drops Authorization and the query token
// (WithQueryToken) on a redirect to another origin (scheme, host, port).
// It owns the Last-Event-ID header.
//
// # Options
//
// One rule holds for every Option, and for the options of the module's
// job packages too: a zero value (0, "", nil, the zero Observer, the
// first constant of an enumeration) keeps the option's default, the one
// its documentation names, so passing it is the same as not passing the
// option; a negative number turns the setting off where it can be off
// (WithIdleTimeout, WithResponseHeaderTimeout, either limit of
// WithGiveUp); and a value out of the option's range, such as a negative
// number where the setting cannot be off (WithMaxEventSize,
// WithInitialDelay, WithHealthyAfter, WithMaxDelay, WithConstantDelay),
// makes NewClient (and Events and Read) fail with an error matching
// ErrInvalidOption that names the option and its range. Reconnecting at
// once, which no delay value of the rule can say, is WithNoDelay.
//
// # Events and IDs
//
// Event.ID is the last event ID in effect when the event was dispatched,
// as in the standard: events without an id field inherit it. The Client
// advances its LastEventID only when a complete block is dispatched (an
// event, or a block with an id field and no data, which sets it at once),
// so an event cut by a dropped connection is never delivered, and a
// server that resumes from Last-Event-ID sends it again: no event is lost
// or delivered twice.
//
// The package ssetest has a scriptable test server, a network conditioner
// and a fake clock for testing code built on this package.
package sse
