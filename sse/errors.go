package sse

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go/internal/excerpt"
)

var (
	// ErrClosed is returned by Connect once Close has been called.
	ErrClosed = errors.New("sse: client closed")

	// ErrConnecting is returned by Connect when another call to Connect on
	// the same Client is still running.
	ErrConnecting = errors.New("sse: Connect already running")

	// ErrIdleTimeout is the cause given when a connection is dropped
	// because no bytes arrived for the idle timeout (see WithIdleTimeout).
	// It reaches Handler.HandleError and the Observer; the Client then
	// reconnects.
	ErrIdleTimeout = errors.New("sse: no bytes received within the idle timeout")

	// ErrResponseHeaderTimeout is the cause given when the response
	// headers do not arrive within the response header timeout (see
	// WithResponseHeaderTimeout). The attempt counts as failed and is
	// retried.
	ErrResponseHeaderTimeout = errors.New("sse: no response headers within the response header timeout")

	// ErrInsecureRedirect is matched by the *RedirectError of a redirect
	// from https to http, which the Client refuses: it would send the
	// request, and its credentials, in cleartext.
	ErrInsecureRedirect = errors.New("sse: redirect from https to http refused")

	// ErrEventTooLarge matches every *EventTooLargeError.
	ErrEventTooLarge = errors.New("sse: event too large")

	// ErrInvalidEvent is returned by Event.WriteTo for an event that the
	// text/event-stream format cannot carry.
	ErrInvalidEvent = errors.New("sse: invalid event")

	// ErrInvalidOption matches the error of NewClient (and of Events and
	// Read) for an option given a value out of its range; the error's
	// text names the option and the range.
	ErrInvalidOption = errors.New("sse: invalid option")

	// ErrInvalidURL is returned by NewClient for a URL that is not an
	// absolute http or https URL.
	ErrInvalidURL = errors.New("sse: invalid URL")

	// ErrRestart is the cause given when Restart drops a connection. It
	// reaches the Observer only (CloseInfo.Err and ReconnectInfo.Cause):
	// a restart is not a failure, and Connect never returns it.
	ErrRestart = errors.New("sse: restarted")

	// ErrInvalidLastEventID reports a last event ID holding bytes that an
	// HTTP header cannot carry (control characters). NewClient returns it
	// for such a WithLastEventID; when a server sends such an id,
	// Handler.HandleError receives it and the next request goes without
	// Last-Event-ID.
	ErrInvalidLastEventID = errors.New("sse: last event ID cannot be sent in a header")
)

// EventTooLargeError reports an event block larger than the decoder's
// maximum event size. The block is skipped and decoding goes on with the
// next one: the error is not sticky. It matches ErrEventTooLarge.
type EventTooLargeError struct {
	// Limit is the maximum event size in effect, in bytes.
	Limit int
}

// Error describes the failure.
func (e *EventTooLargeError) Error() string {
	return fmt.Sprintf("sse: event larger than %d bytes skipped", e.Limit)
}

// Is reports whether target is ErrEventTooLarge.
func (e *EventTooLargeError) Is(target error) bool { return target == ErrEventTooLarge }

// StatusError reports a response whose status does not open a stream.
// Statuses 408, 429 and 5xx are retried (each failed attempt reaches
// Handler.HandleError); 401 after the optional refresh, 403, other 4xx,
// 3xx that were not followed and 2xx other than 200 and 204 end Connect.
type StatusError struct {
	// StatusCode is the HTTP status code, such as 503.
	StatusCode int
	// Status is the status line text, such as "503 Service Unavailable".
	Status string
	// Header holds the response headers.
	Header http.Header
	// Body holds the start of the response body, at most 4 KiB.
	Body []byte
	// RetryAfter is the delay the response asked for in its Retry-After
	// header (seconds or an HTTP date), or zero when it had none.
	RetryAfter time.Duration
	// URL is the request URL, without its query string and user info.
	URL string
}

// Error describes the failure.
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sse: %s: %s", e.URL, e.Status)
	if body := strings.TrimSpace(string(e.Body)); body != "" {
		fmt.Fprintf(&b, ": %q", excerpt.Cut(body, 200))
	}
	return b.String()
}

// Temporary reports whether the Client retries this status: 408, 429 and
// every 5xx.
func (e *StatusError) Temporary() bool { return retryableStatus(e.StatusCode) }

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// ContentTypeError reports a 200 response whose Content-Type is not
// text/event-stream. It ends Connect.
type ContentTypeError struct {
	// ContentType is the Content-Type header as received.
	ContentType string
	// Header holds the response headers.
	Header http.Header
	// URL is the request URL, without its query string and user info.
	URL string
}

// Error describes the failure.
func (e *ContentTypeError) Error() string {
	return fmt.Sprintf("sse: %s: Content-Type %q is not text/event-stream", e.URL, e.ContentType)
}

// RedirectError reports a redirect the Client could not or would not
// follow: a 3xx response without a usable Location, too many redirects, a
// redirect from https to http (matching ErrInsecureRedirect), or one the
// http.Client's CheckRedirect refused. It ends Connect.
type RedirectError struct {
	// StatusCode is the status of the redirect response.
	StatusCode int
	// Location is the Location header without its query string, fragment
	// and user info (where secrets may be), possibly empty.
	Location string
	// Reason says what was wrong with it.
	Reason string
	// Err is the underlying error, if any: ErrInsecureRedirect, or the
	// error of the http.Client's own CheckRedirect.
	Err error
}

// Error describes the failure.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("sse: redirect %d to %q: %s", e.StatusCode, e.Location, e.Reason)
}

// Unwrap returns the underlying error, if any.
func (e *RedirectError) Unwrap() error { return e.Err }

// ContentEncodingError reports a stream response whose body is encoded
// (Content-Encoding) in a way the Client cannot decode: the transport did
// not decode it and it is not gzip. It ends Connect.
type ContentEncodingError struct {
	// Encoding is the Content-Encoding header as received.
	Encoding string
	// URL is the request URL, without its query string and user info.
	URL string
}

// Error describes the failure.
func (e *ContentEncodingError) Error() string {
	return fmt.Sprintf("sse: %s: Content-Encoding %q cannot be decoded", e.URL, e.Encoding)
}

// GiveUpError ends Connect when the give-up policy (WithGiveUp) runs out:
// too many attempts in a row or too long without progress (a new event,
// or a connection open for the healthy period). Err is the
// failure of the last attempt, and errors.Is and errors.As see through to
// it.
type GiveUpError struct {
	// Attempts is the number of attempts in a row without progress.
	Attempts int
	// Elapsed is the time since the last attempt with progress ended, or
	// since Connect was called when there was none.
	Elapsed time.Duration
	// Err is the failure of the last attempt.
	Err error
}

// Error describes the failure.
func (e *GiveUpError) Error() string {
	return fmt.Sprintf("sse: gave up after %d attempts in %v: %v", e.Attempts, e.Elapsed.Round(time.Millisecond), e.Err)
}

// Unwrap returns the underlying error.
func (e *GiveUpError) Unwrap() error { return e.Err }

// DelayClampedError tells Handler.HandleError that the server asked for a
// longer reconnection delay than the Client accepts (see WithMaxDelay),
// through its retry field or a Retry-After header. The Client waits
// Used instead and goes on.
type DelayClampedError struct {
	// Source is "retry" or "Retry-After".
	Source string
	// Requested is the delay the server asked for.
	Requested time.Duration
	// Used is the delay the Client uses instead.
	Used time.Duration
}

// Error describes the failure.
func (e *DelayClampedError) Error() string {
	return fmt.Sprintf("sse: server %s of %v clamped to %v", e.Source, e.Requested, e.Used)
}

// <!-- issue 8: lean HTTP/1.1 path -->

// ErrMalformedResponse is matched (errors.Is) by every ProtocolError: the
// server's HTTP/1.1 response could not be parsed on the lean path.
var ErrMalformedResponse = errors.New("sse: malformed HTTP/1.1 response")

// ProtocolError tells that a response read on the lean HTTP/1.1 path broke
// the protocol. It matches ErrMalformedResponse.
type ProtocolError struct {
	// Part is what was malformed: "status line", "header", "chunk size",
	// "chunk" or "transfer-encoding".
	Part string
	// Detail says how, with at most 64 bytes of the offending input.
	Detail string
}

// Error describes the failure.
func (e *ProtocolError) Error() string {
	return fmt.Sprintf("sse: malformed HTTP/1.1 %s: %s", e.Part, e.Detail)
}

// Is reports whether target is ErrMalformedResponse.
func (e *ProtocolError) Is(target error) bool { return target == ErrMalformedResponse }
