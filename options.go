package bookstrack

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// DefaultBaseURL is the hosted BooksTrack API.
const DefaultBaseURL = "https://api.oooefam.net"

// Option configures the Client of a job package (csvimport, scan,
// enrichment), whose NewClient applies it. Options copy what they are
// given and follow the package's one option rule (see the package doc);
// the last of two options setting the same thing wins. A nil Option is
// skipped.
type Option func(*settings.Settings)

// Routes chooses the set of routes a client speaks.
type Routes int

const (
	// V3 is the live API: /v3/jobs/{imports|scans|enrichment}/{id}/...,
	// started at /v3/jobs/imports, /v3/jobs/scans and /v3/books/enrich.
	V3 Routes = iota
	// V2 is the iOS migration plan's set: /api/v2/imports (start, stream,
	// results), /api/v2/enrichments/{id}/stream and /results,
	// /api/v2/scans/{id}/stream and /results. The plan named no other v2
	// routes, so enrichment and scan jobs start through the v3 routes,
	// and the set has no status or cancel route: Status and Cancel
	// return ErrNoRoute without a request, and a watch reconnects after a
	// timeout event unless the start response gave a statusUrl. Streams
	// and results URLs are built from the v2 templates, whatever URL the
	// start call returned.
	V2
)

// TimeoutFallback is what a watch does after the server's `timeout` event
// (sent after 5 minutes without an update, just before it closes the
// stream).
type TimeoutFallback int

const (
	// PollOnTimeout reads the status route, at most once per poll interval (2 s at
	// least), until the job ends. The default.
	PollOnTimeout TimeoutFallback = iota
	// ReconnectOnTimeout opens the stream again, resuming from the last event ID.
	ReconnectOnTimeout
)

// WithBaseURL sets the API's base URL (default DefaultBaseURL), such as a
// bookstracktest server's URL.
func WithBaseURL(url string) Option {
	return func(c *settings.Settings) { c.BaseURL = url }
}

// WithRoutes chooses the route set (default V3).
func WithRoutes(r Routes) Option {
	return func(c *settings.Settings) { c.V2 = r == V2 }
}

// WithHTTPClient sets the HTTP client of every call and stream (default: a
// new client on http.DefaultTransport). Its Timeout should be zero, since
// it would cut streams; calls are bounded by their contexts and by
// WithResponseHeaderTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *settings.Settings) { c.HTTPClient = hc }
}

// WithLogger sets the logger (default: none). Unknown stream events are
// logged at Debug.
func WithLogger(l *slog.Logger) Option {
	return func(c *settings.Settings) { c.Logger = l }
}

// WithClock sets the clock of every delay, timeout and expiry (default
// sse.SystemClock), for tests.
func WithClock(clk sse.Clock) Option {
	return func(c *settings.Settings) { c.Clock = clk }
}

// WithQueryToken sends the stream token as the query parameter param
// instead of an Authorization header (the default), for servers that
// accept it there (the live v3 server does not).
func WithQueryToken(param string) Option {
	return func(c *settings.Settings) { c.QueryToken = param }
}

// WithResultsTTL sets how long the server keeps results after a job
// completes (default 2 hours), from which Completion.ResultsExpireAt is
// computed. It is advice: Results always asks the server. It cannot be
// off: NewClient refuses a negative d.
func WithResultsTTL(d time.Duration) Option {
	return func(c *settings.Settings) { c.ResultsTTL = d }
}

// WithTimeoutFallback chooses what a watch does after a `timeout` event
// (default PollOnTimeout).
func WithTimeoutFallback(f TimeoutFallback) Option {
	return func(c *settings.Settings) { c.Reconnect = f == ReconnectOnTimeout }
}

// WithPollInterval sets the interval of status polling after a timeout
// event (default 2 seconds, the least the server allows: NewClient
// refuses a shorter or negative d). Polling is turned off by
// WithTimeoutFallback(ReconnectOnTimeout). With the V2 route set, which
// has no status route, a watch reconnects instead.
func WithPollInterval(d time.Duration) Option {
	return func(c *settings.Settings) { c.PollInterval = d }
}

// WithStallTimeout ends a watch with ErrStalled when no update is
// delivered for d (default 15 minutes): any delivered progress (a new
// status, message, count or fraction, from the stream or from polling)
// restarts it; heartbeats and repeats of the last update do not. A
// negative d turns it off.
func WithStallTimeout(d time.Duration) Option {
	return func(c *settings.Settings) { c.StallTimeout = d }
}

// WithResponseHeaderTimeout bounds how long Start, Status, Results and
// Cancel wait for the response headers (default 30 seconds): a server
// that accepts the connection and never answers ends the call with an
// error matching ErrTimeout. While a request body uploads (a CSV file,
// photos), the wait restarts each time the transport takes a part of it,
// so a large upload on a slow link is never cut while it moves. A
// negative d turns it off, leaving the calls bounded by their contexts
// only. Streams have their own idle timeout.
func WithResponseHeaderTimeout(d time.Duration) Option {
	return func(c *settings.Settings) { c.HeaderTimeout = d }
}

// WithCallRetries sets how many times Status, Results and Cancel are
// retried after a 429, a 5xx, a network error or a timeout (default 3),
// with exponential backoff from 500 ms, or the wait the server asked for
// (Retry-After), capped by WithMaxRetryDelay. A negative n turns retries
// off. Start is never retried: it is not idempotent.
func WithCallRetries(n int) Option {
	return func(c *settings.Settings) { c.CallRetries = n }
}

// WithMaxRetryDelay caps every wait between two calls (default 5 minutes):
// call retries, status polling after a Retry-After, and the
// RateLimitError.RetryAfter reported, whatever the server asked for. The
// cap cannot be off: NewClient refuses a negative d.
func WithMaxRetryDelay(d time.Duration) Option {
	return func(c *settings.Settings) { c.MaxRetryDelay = d }
}

// WithCrossOriginStreams follows a job's stream URL that is on another
// origin than the base URL, without the token, instead of refusing it
// with an *OriginError (the default). The token is only ever sent to the
// base URL's origin.
func WithCrossOriginStreams(follow bool) Option {
	return func(c *settings.Settings) { c.CrossOriginStreams = follow }
}

// WithStreamOptions passes options to the sse.Client of every stream,
// after the package's own: an idle timeout of 75 seconds (the server pings
// every 30), giving up after 10 attempts or 5 minutes without a healthy
// connection. Tests against a fake server typically add
// sse.WithNoDelay(); sse.WithObserver gives connection metrics
// (WithStats records them in an ssestats.Stats). NewClient refuses an sse
// option out of its range, with the sse error in the *InputError's
// Reason.
func WithStreamOptions(opts ...sse.Option) Option {
	opts = append([]sse.Option(nil), opts...)
	return func(c *settings.Settings) { c.StreamOptions = append(c.StreamOptions, opts...) }
}

// FetchInfo describes a finished results fetch: a call to Results of a
// job package.
type FetchInfo struct {
	Kind  Kind
	JobID string
	// StatusCode is the status of the response that failed the fetch (an
	// *APIError's), 0 on success or when no response came.
	StatusCode int
	// Duration is how long the call took, retries included, by the
	// client's clock.
	Duration time.Duration
	// Err is what Results returned.
	Err error
}

// WithFetchObserver calls f after each results fetch, on the goroutine
// that called Results, before Results returns; f must return quickly. It
// feeds metrics of one's own (the streams have sse.WithObserver, through
// WithStreamOptions); WithStats feeds sse/ssestats without it.
func WithFetchObserver(f func(FetchInfo)) Option {
	if f == nil {
		return func(c *settings.Settings) { c.OnFetch = nil }
	}
	return func(c *settings.Settings) {
		c.OnFetch = func(i settings.Fetch) {
			f(FetchInfo{Kind: Kind(i.Kind), JobID: i.JobID, StatusCode: i.StatusCode, Duration: i.Duration, Err: i.Err})
		}
	}
}

// WithStats records the figures of the client's jobs in s, under the
// stream name of the job type (string(Kind): "imports", "scans",
// "enrichment"): every stream of every watch through its sse.Observer,
// joined to any Observer given with WithStreamOptions (both are told of
// everything); every results fetch and its outcome; and the progress
// latency of every delivered update that came from the stream with an
// event ID and the server's time, measured by the client's clock
// (WithClock). Polled updates carry neither and are not measured. A nil
// s, the default, records nothing.
func WithStats(s *ssestats.Stats) Option {
	return func(c *settings.Settings) { c.Stats = s }
}

// Handlers receives what a watch sees, in the shape of the iOS plan's
// progress and completion handlers. Every field may be nil. The functions
// are called one at a time from the goroutine running Watch.
type Handlers struct {
	// Progress receives each progress update whose fraction is not below
	// one already delivered.
	Progress func(Progress)
	// Completed receives the completion, once, before Watch returns it.
	Completed func(Completion)
	// Error receives problems that do not end the watch: a malformed
	// event (*EventError), a dropped connection, a failed poll.
	Error func(error)
}
