package bookstrack

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

var (
	// ErrNotFound matches an *APIError with status 404, on any route (see
	// "Not found" in the package documentation).
	ErrNotFound = errors.New("bookstrack: not found")

	// ErrUnauthorized matches an *APIError with status 401 or 403: a
	// missing, wrong or expired stream token. Tokens cannot be renewed, so
	// watching stops at once instead of retrying.
	ErrUnauthorized = errors.New("bookstrack: unauthorized")

	// ErrInvalidRequest matches an *APIError with status 400 or 422.
	ErrInvalidRequest = errors.New("bookstrack: invalid request")

	// ErrResultsUnavailable is returned, wrapped together with the
	// *APIError of the server's answer, when the results route answers
	// 404: the job is unknown, not completed yet, or its results expired
	// (the server does not say which).
	ErrResultsUnavailable = errors.New("bookstrack: results unavailable")

	// ErrResultsExpired is returned instead of ErrResultsUnavailable
	// (which it matches too) when the results route answered 404 and the
	// client saw the job complete longer ago than the results TTL, by its
	// own clock. Results always asks the server: the expiry the client
	// computes is advice, never a reason to skip the request.
	ErrResultsExpired = fmt.Errorf("%w: expired", ErrResultsUnavailable)

	// ErrJobNotFound is returned by Watch when the stream says the job is
	// unknown (JOB_NOT_FOUND), and matches an *APIError with status 404 on
	// the routes where a 404 means that: status, cancel and stream (a 404
	// of the results route does not match it; see "Not found" in the
	// package documentation).
	ErrJobNotFound = errors.New("bookstrack: job not found")

	// ErrNoRoute is returned, without a request, by a call the route set
	// has no route for, such as Status and Cancel on the V2 set.
	ErrNoRoute = errors.New("bookstrack: no such route in the route set")

	// ErrTimeout matches a call that got no response headers within the
	// response-header timeout (WithResponseHeaderTimeout).
	ErrTimeout = errors.New("bookstrack: no response in time")

	// ErrJobCanceled matches a *JobFailedError for a canceled job.
	ErrJobCanceled = errors.New("bookstrack: job canceled")

	// ErrStalled is returned by Watch when the job shows no progress for
	// the stall timeout (WithStallTimeout): a server that never sends a
	// terminal event cannot hang a watch.
	ErrStalled = errors.New("bookstrack: job stalled")
)

// APIError is an error response of the BooksTrack API, read from either
// body format: RFC 9457 problem details, or the older envelope
// {"success":false,"error":{...}}. StatusCode is the HTTP status line's:
// the body's own status field is not trusted.
type APIError struct {
	// Method and URL are the request's; the URL has no query string.
	Method, URL string
	// Op is the call that failed: one of the Op constants.
	Op Op
	// StatusCode is the HTTP status code.
	StatusCode int
	// Code is the machine-readable code, such as NOT_FOUND or
	// TOKEN_EXPIRED.
	Code string
	// Title and Detail are the human texts (the older format's message
	// is the Detail).
	Title, Detail string
	// Type and Instance are the problem's URIs, when given.
	Type, Instance string
	// Retryable is the server's advice.
	Retryable bool
	// Fields lists per-field validation errors.
	Fields []FieldError
	// RequestID is the X-Request-ID (or metadata.requestId): quote it to
	// support.
	RequestID string
}

// FieldError is one entry of a validation error's field list.
type FieldError struct {
	Field, Message, Code string
}

// Error describes the failure.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bookstrack: %s %s: %d", e.Method, e.URL, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	} else {
		b.WriteString(" " + http.StatusText(e.StatusCode))
	}
	if msg := e.Detail; msg != "" || e.Title != "" {
		if msg == "" {
			msg = e.Title
		}
		b.WriteString(": " + msg)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// Is matches the category sentinels: ErrNotFound, ErrUnauthorized,
// ErrInvalidRequest, and ErrJobNotFound for a 404 of the status, cancel
// or stream route.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrJobNotFound:
		return e.StatusCode == http.StatusNotFound && (e.Op == OpStatus || e.Op == OpCancel || e.Op == OpStream)
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrInvalidRequest:
		return e.StatusCode == http.StatusBadRequest || e.StatusCode == http.StatusUnprocessableEntity
	}
	return false
}

// RateLimitError is a 429 response. It carries the wait to honour and the
// X-RateLimit values; errors.As also finds its *APIError.
type RateLimitError struct {
	APIError
	// RetryAfter is the wait the server asked for: from the Retry-After
	// header, else the body's retryAfterMs, else its details.retryAfter;
	// zero when none was given.
	RetryAfter time.Duration
	// Limit and Remaining are X-RateLimit-Limit and -Remaining, -1 when
	// absent.
	Limit, Remaining int
	// Reset is X-RateLimit-Reset (sent in epoch milliseconds), zero when
	// absent.
	Reset time.Time
}

// Error describes the failure.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s; retry after %v", e.APIError.Error(), e.RetryAfter)
}

// Unwrap returns the *APIError.
func (e *RateLimitError) Unwrap() error { return &e.APIError }

// JobFailedError is returned by Watch for a job that ended failed or
// canceled. It matches ErrJobCanceled when canceled.
type JobFailedError struct {
	JobID  string
	Status Status
	// Code and Message are the server's, such as ENRICHMENT_FAILED.
	Code, Message string
	// Retryable says whether starting the job again may succeed.
	Retryable bool
	// Time is when the job ended.
	Time time.Time
}

// Error describes the failure.
func (e *JobFailedError) Error() string {
	return fmt.Sprintf("bookstrack: job %s %s: %s: %s", e.JobID, e.Status, e.Code, e.Message)
}

// Is matches ErrJobCanceled for a canceled job.
func (e *JobFailedError) Is(target error) bool {
	return target == ErrJobCanceled && e.Status == StatusCanceled
}

// EventError reports a stream event whose data could not be read. It goes
// to the watch's error callback and the stream goes on.
type EventError struct {
	// Event is the event's type and ID its id.
	Event, ID string
	// Field names the JSON field at fault, empty when the JSON itself is
	// malformed.
	Field string
	Err   error
}

// Error describes the failure.
func (e *EventError) Error() string {
	where := ""
	if e.Field != "" {
		where = " field " + e.Field
	}
	return fmt.Sprintf("bookstrack: %s event %q%s: %v", e.Event, e.ID, where, e.Err)
}

// Unwrap returns the underlying error.
func (e *EventError) Unwrap() error { return e.Err }

// DecodeError reports a response body that could not be read, such as a
// field of an unexpected type. Unknown fields are ignored and missing ones
// left zero, so only a real mismatch gets here.
type DecodeError struct {
	// What is being decoded, such as "scan results".
	What string
	// Field is the path of the field at fault, empty when the JSON itself
	// is malformed.
	Field string
	Err   error
}

// Error describes the failure.
func (e *DecodeError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("bookstrack: decoding %s: field %s: %v", e.What, e.Field, e.Err)
	}
	return fmt.Sprintf("bookstrack: decoding %s: %v", e.What, e.Err)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// InputError reports input refused before anything was sent: too many
// photos, a file over the size limit, an ISBN that is not one, an option
// out of its range (see "Options" in the package documentation).
type InputError struct {
	// Field names what was wrong, such as "photos[2]" or "isbns[0]".
	Field string
	// Reason says how.
	Reason string
}

// Error describes the failure.
func (e *InputError) Error() string {
	return fmt.Sprintf("bookstrack: invalid %s: %s", e.Field, e.Reason)
}

// Op names the call an *APIError comes from.
type Op string

// The calls of a job client.
const (
	OpStart   Op = "start"
	OpStatus  Op = "status"
	OpResults Op = "results"
	OpCancel  Op = "cancel"
	OpStream  Op = "stream"
)

// OriginError refuses a URL the server sent (a job's stream URL) that is
// on another origin (scheme, host, port) than the configured base URL:
// the job's token would leak to it. WithCrossOriginStreams follows such a
// URL without the token instead.
type OriginError struct {
	// URL is the refused URL without its query; Origin is the base URL's
	// origin.
	URL, Origin string
}

// Error describes the refusal.
func (e *OriginError) Error() string {
	return fmt.Sprintf("bookstrack: %s is not on the API's origin %s; the token is not sent there", e.URL, e.Origin)
}

// WatchError is every error a watch (Watch, Updates) reports: the one it
// returns when it ends without a terminal event of the job (cancelled,
// stalled, refused, given up, or the job failed), and each problem passed
// to Handlers.Error. It names the job and the stream's attempt, wraps the
// cause (errors.Is and errors.As see through it: io.ErrUnexpectedEOF for a
// dropped stream, *APIError, *sse.GiveUpError, context.Canceled...), and
// says where to resume: a watch of the same Job with LastEventID set to
// this LastEventID continues after the last event seen, in this process or
// another, with nothing lost or repeated when the server still holds the
// events (see the package doc, "Resuming a watch"). Its text never holds
// the job's token.
type WatchError struct {
	// JobID is the watched job's ID.
	JobID string
	// Attempt is the stream's connection attempt the error belongs to,
	// counted from 1 for each watch; 0 before the first one.
	Attempt int
	// LastEventID is the id of the last stream event the watch read (the
	// Job's LastEventID when it read none): set Job.LastEventID to it to
	// resume.
	LastEventID string
	// Err is the cause.
	Err error
}

// Error describes the failure with its job, attempt and resume point.
func (e *WatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "bookstrack: watching job %s (attempt %d", e.JobID, e.Attempt)
	if e.LastEventID != "" {
		fmt.Fprintf(&b, ", last event id %q", e.LastEventID)
	}
	fmt.Fprintf(&b, "): %v", e.Err)
	return b.String()
}

// Unwrap returns the cause.
func (e *WatchError) Unwrap() error { return e.Err }

// StreamError is an error the server sent inside a stream (an `error` or
// `timeout` event): JOB_NOT_FOUND, STREAM_ERROR, STREAM_TIMEOUT. A
// JOB_NOT_FOUND ends the watch and matches ErrJobNotFound; the others go
// to the watch's error callback while the watch recovers.
type StreamError struct {
	JobID     string
	Code      string
	Message   string
	Retryable bool
}

// Error describes the failure.
func (e *StreamError) Error() string {
	return fmt.Sprintf("bookstrack: stream of job %s: %s: %s", e.JobID, e.Code, e.Message)
}

// Is matches ErrJobNotFound for the code JOB_NOT_FOUND.
func (e *StreamError) Is(target error) bool {
	return target == ErrJobNotFound && strings.EqualFold(e.Code, "JOB_NOT_FOUND")
}
