package bookstrack

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/bookstrack/bookstrack-go/internal/config"
	"github.com/bookstrack/bookstrack-go/sse"
)

// DefaultBaseURL is the hosted BooksTrack API.
const DefaultBaseURL = config.DefaultBaseURL

// Option configures the Client of a job package (csvimport, scan,
// enrichment). Options copy what they are given.
type Option func(*config.Config)

// Routes chooses the set of routes a client speaks.
type Routes int

const (
	// V3 is the live API: /v3/jobs/{imports|scans|enrichment}/{id}/...,
	// started at /v3/jobs/imports, /v3/jobs/scans and /v3/books/enrich.
	V3 Routes = iota
	// V2 is the iOS migration plan's set: /api/v2/imports (start, stream,
	// results), /api/v2/enrichments/{id}/stream and /results,
	// /api/v2/scans/{id}/stream and /results. The plan named no other v2
	// routes, so enrichment and scan jobs start, and every job's status
	// and cancel go, through the v3 routes. Streams and results URLs are
	// built from the v2 templates, whatever URL the start call returned.
	V2
)

// TimeoutFallback is what a watch does after the server's `timeout` event
// (sent after 5 minutes without an update, just before it closes the
// stream).
type TimeoutFallback int

const (
	// Poll reads the status route, at most once per poll interval (2 s at
	// least), until the job ends. The default.
	Poll TimeoutFallback = iota
	// Reconnect opens the stream again, resuming from the last event ID.
	Reconnect
)

// WithBaseURL sets the API's base URL (default DefaultBaseURL), such as a
// bookstracktest server's URL.
func WithBaseURL(url string) Option {
	return func(c *config.Config) { c.BaseURL = url }
}

// WithRoutes chooses the route set (default V3).
func WithRoutes(r Routes) Option {
	return func(c *config.Config) { c.V2 = r == V2 }
}

// WithHTTPClient sets the HTTP client of every call and stream (default: a
// new client on http.DefaultTransport). Its Timeout should be zero, since
// it would cut streams; calls are bounded by their contexts.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config.Config) {
		if hc != nil {
			c.HTTPClient = hc
		}
	}
}

// WithLogger sets the logger (default: none). Unknown stream events are
// logged at Debug.
func WithLogger(l *slog.Logger) Option {
	return func(c *config.Config) {
		if l != nil {
			c.Logger = l
		}
	}
}

// WithClock sets the clock of every delay, timeout and expiry (default
// sse.SystemClock), for tests.
func WithClock(clk sse.Clock) Option {
	return func(c *config.Config) {
		if clk != nil {
			c.Clock = clk
		}
	}
}

// WithQueryToken sends the stream token as the query parameter param
// instead of an Authorization header, for servers that accept it there
// (the live v3 server does not).
func WithQueryToken(param string) Option {
	return func(c *config.Config) { c.QueryToken = param }
}

// WithResultsTTL sets how long the server keeps results after a job
// completes (default 2 hours), from which Completion.ResultsExpireAt is
// computed.
func WithResultsTTL(d time.Duration) Option {
	return func(c *config.Config) {
		if d > 0 {
			c.ResultsTTL = d
		}
	}
}

// WithTimeoutFallback chooses what a watch does after a `timeout` event
// (default Poll).
func WithTimeoutFallback(f TimeoutFallback) Option {
	return func(c *config.Config) { c.Reconnect = f == Reconnect }
}

// WithPollInterval sets the interval of status polling after a timeout
// event; it is never less than 2 seconds (the default).
func WithPollInterval(d time.Duration) Option {
	return func(c *config.Config) { c.PollInterval = max(d, config.MinPollInterval) }
}

// WithStallTimeout ends a watch with ErrStalled when the job shows no
// progress (no progress or terminal event, no change in polled status)
// for d (default 15 minutes; heartbeats do not count). Zero disables it.
func WithStallTimeout(d time.Duration) Option {
	return func(c *config.Config) { c.StallTimeout = max(d, 0) }
}

// WithApprovalThreshold sets the confidence from which the scan package
// counts a detected book as approved rather than needing review (default
// 0.8).
func WithApprovalThreshold(t float64) Option {
	return func(c *config.Config) { c.ApprovalThreshold = t }
}

// WithStreamOptions passes options to the sse.Client of every stream,
// after the package's own: an idle timeout of 75 seconds (the server pings
// every 30), giving up after 10 attempts or 5 minutes without a healthy
// connection. Tests against a fake server typically add
// sse.WithConstantDelay(0); sse.WithObserver gives connection metrics.
func WithStreamOptions(opts ...sse.Option) Option {
	opts = append([]sse.Option(nil), opts...)
	return func(c *config.Config) { c.StreamOptions = append(c.StreamOptions, opts...) }
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
