package bookstrack

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// DefaultBaseURL is the hosted BooksTrack API.
const DefaultBaseURL = "https://api.oooefam.net"

// Defaults of the options.
const (
	defaultResultsTTL    = 2 * time.Hour
	minPollInterval      = 2 * time.Second
	defaultStallTimeout  = 15 * time.Minute
	defaultHeaderTimeout = 30 * time.Second
	defaultCallRetries   = 3
	defaultMaxRetryDelay = 5 * time.Minute
)

// Option configures the Client of a job package (csvimport, scan,
// enrichment). Options copy what they are given and follow the package's
// one zero-value rule (see the package doc); the last of two options
// setting the same thing wins.
type Option func(*Config)

// Config is what a job client's Options set, as the job packages read it
// (NewConfig). Callers configure a client with Options; the fields are
// exported for the job packages, and each says what the zero-value rule
// made of its option.
type Config struct {
	BaseURL    string       // never "": DefaultBaseURL by default
	V2         bool         // the iOS plan's v2 routes instead of v3
	HTTPClient *http.Client // never nil
	Logger     *slog.Logger // nil: no logging
	Clock      sse.Clock    // never nil
	QueryToken string       // query parameter carrying the stream token; "" means a Bearer header
	ResultsTTL time.Duration
	Reconnect  bool // on a timeout event, reconnect instead of polling
	// PollInterval is the status polling interval, 2 seconds at least.
	PollInterval time.Duration
	// StallTimeout ends a watch without updates; 0 means off.
	StallTimeout time.Duration
	// HeaderTimeout bounds the wait for a call's response headers; 0
	// means none.
	HeaderTimeout time.Duration
	// CallRetries is how many times Status, Results and Cancel are
	// retried after a 429, a 5xx or a network error; 0 means none.
	CallRetries int
	// MaxRetryDelay caps every wait the server asks for (Retry-After)
	// and every backoff delay between calls and polls.
	MaxRetryDelay time.Duration
	// CrossOriginStreams follows a stream URL on another origin without
	// the token instead of refusing it.
	CrossOriginStreams bool
	StreamOptions      []sse.Option
	// OnFetch, when set, is told about each results fetch
	// (WithFetchObserver); the job packages fill every field.
	OnFetch func(FetchInfo)
	// Stats, when set, records the figures of every watch and results
	// fetch under the job type's name (WithStats); nil means none.
	Stats *ssestats.Stats
	// Extra holds the settings of options that one job package alone
	// reads (scan.WithApprovalThreshold), keyed by a type of that
	// package, as context values are.
	Extra map[any]any
}

// NewConfig applies opts (nil ones are skipped) and then the zero-value
// rule: what an option left zero takes its default, what it set negative
// is off where the setting can be off, and its default otherwise.
func NewConfig(opts []Option) Config {
	var c Config
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Clock == nil {
		c.Clock = sse.SystemClock
	}
	if c.ResultsTTL <= 0 {
		c.ResultsTTL = defaultResultsTTL
	}
	c.PollInterval = max(c.PollInterval, minPollInterval)
	c.StallTimeout = orOff(c.StallTimeout, defaultStallTimeout)
	c.HeaderTimeout = orOff(c.HeaderTimeout, defaultHeaderTimeout)
	c.CallRetries = orOff(c.CallRetries, defaultCallRetries)
	if c.MaxRetryDelay <= 0 {
		c.MaxRetryDelay = defaultMaxRetryDelay
	}
	return c
}

// orOff is the zero-value rule of a setting that can be off: zero is
// def, negative is 0 (off).
func orOff[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

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
	return func(c *Config) { c.BaseURL = url }
}

// WithRoutes chooses the route set (default V3).
func WithRoutes(r Routes) Option {
	return func(c *Config) { c.V2 = r == V2 }
}

// WithHTTPClient sets the HTTP client of every call and stream (default: a
// new client on http.DefaultTransport). Its Timeout should be zero, since
// it would cut streams; calls are bounded by their contexts and by
// WithResponseHeaderTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Config) { c.HTTPClient = hc }
}

// WithLogger sets the logger (default: none). Unknown stream events are
// logged at Debug.
func WithLogger(l *slog.Logger) Option {
	return func(c *Config) { c.Logger = l }
}

// WithClock sets the clock of every delay, timeout and expiry (default
// sse.SystemClock), for tests.
func WithClock(clk sse.Clock) Option {
	return func(c *Config) { c.Clock = clk }
}

// WithQueryToken sends the stream token as the query parameter param
// instead of an Authorization header (the default), for servers that
// accept it there (the live v3 server does not).
func WithQueryToken(param string) Option {
	return func(c *Config) { c.QueryToken = param }
}

// WithResultsTTL sets how long the server keeps results after a job
// completes (default 2 hours), from which Completion.ResultsExpireAt is
// computed. It is advice: Results always asks the server. It cannot be
// off: a negative d keeps the default.
func WithResultsTTL(d time.Duration) Option {
	return func(c *Config) { c.ResultsTTL = d }
}

// WithTimeoutFallback chooses what a watch does after a `timeout` event
// (default PollOnTimeout).
func WithTimeoutFallback(f TimeoutFallback) Option {
	return func(c *Config) { c.Reconnect = f == ReconnectOnTimeout }
}

// WithPollInterval sets the interval of status polling after a timeout
// event; it is never less than 2 seconds (the default), and polling is
// turned off by WithTimeoutFallback(ReconnectOnTimeout), not by a negative d. With
// the V2 route set, which has no status route, a watch reconnects
// instead.
func WithPollInterval(d time.Duration) Option {
	return func(c *Config) { c.PollInterval = d }
}

// WithStallTimeout ends a watch with ErrStalled when no update is
// delivered for d (default 15 minutes): any delivered progress (a new
// status, message, count or fraction, from the stream or from polling)
// restarts it; heartbeats and repeats of the last update do not. A
// negative d turns it off.
func WithStallTimeout(d time.Duration) Option {
	return func(c *Config) { c.StallTimeout = d }
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
	return func(c *Config) { c.HeaderTimeout = d }
}

// WithCallRetries sets how many times Status, Results and Cancel are
// retried after a 429, a 5xx, a network error or a timeout (default 3),
// with exponential backoff from 500 ms, or the wait the server asked for
// (Retry-After), capped by WithMaxRetryDelay. A negative n turns retries
// off. Start is never retried: it is not idempotent.
func WithCallRetries(n int) Option {
	return func(c *Config) { c.CallRetries = n }
}

// WithMaxRetryDelay caps every wait between two calls (default 5 minutes):
// call retries, status polling after a Retry-After, and the
// RateLimitError.RetryAfter reported, whatever the server asked for. The
// cap cannot be off: a negative d keeps the default.
func WithMaxRetryDelay(d time.Duration) Option {
	return func(c *Config) { c.MaxRetryDelay = d }
}

// WithCrossOriginStreams follows a job's stream URL that is on another
// origin than the base URL, without the token, instead of refusing it
// with an *OriginError (the default). The token is only ever sent to the
// base URL's origin.
func WithCrossOriginStreams(follow bool) Option {
	return func(c *Config) { c.CrossOriginStreams = follow }
}

// WithStreamOptions passes options to the sse.Client of every stream,
// after the package's own: an idle timeout of 75 seconds (the server pings
// every 30), giving up after 10 attempts or 5 minutes without a healthy
// connection. Tests against a fake server typically add
// sse.WithConstantDelay(0); sse.WithObserver gives connection metrics
// (WithStats records them in an ssestats.Stats).
func WithStreamOptions(opts ...sse.Option) Option {
	opts = append([]sse.Option(nil), opts...)
	return func(c *Config) { c.StreamOptions = append(c.StreamOptions, opts...) }
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
	return func(c *Config) { c.OnFetch = f }
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
	return func(c *Config) { c.Stats = s }
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
