package sse

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Defaults of a Client's configuration.
const (
	// DefaultInitialDelay is the first backoff step of the default policy.
	DefaultInitialDelay = time.Second
	// DefaultMaxBackOff caps the backoff of the default policy.
	DefaultMaxBackOff = 30 * time.Second
	// DefaultMaxDelay caps the delays a server can ask for, through its
	// retry field or a Retry-After header.
	DefaultMaxDelay = 10 * time.Minute
	// DefaultHealthyAfter is how long a connection must stay open before
	// the backoff and the give-up counters start over.
	DefaultHealthyAfter = 30 * time.Second
)

// Option configures a Client. Options copy what they are given: changing
// a header map or body slice after passing it has no effect on the Client.
type Option func(*config)

// RequestHook edits a request before it is sent, for example to set a
// fresh token. It is called before every attempt with refresh false, and
// once more with refresh true after a 401 response, after which the request
// is sent again at once; a second 401 ends Connect. An error from the hook
// ends Connect, wrapped.
type RequestHook func(req *http.Request, refresh bool) error

type config struct {
	httpClient   *http.Client
	header       http.Header
	method       string
	body         []byte
	hasBody      bool
	bearer       string
	queryParam   string
	queryToken   string
	hook         RequestHook
	lastEventID  string
	idleTimeout  time.Duration
	maxEventSize int
	newBackOff   func() backoff.BackOff
	constant     bool
	constDelay   time.Duration
	healthyAfter time.Duration
	maxDelay     time.Duration
	maxAttempts  int
	maxUnhealthy time.Duration
	observer     Observer
	logger       *slog.Logger
	clock        Clock
	transport    Transport
}

func defaultConfig() config {
	return config{
		httpClient:   &http.Client{},
		header:       http.Header{},
		method:       http.MethodGet,
		maxEventSize: DefaultMaxEventSize,
		newBackOff:   defaultBackOff,
		healthyAfter: DefaultHealthyAfter,
		maxDelay:     DefaultMaxDelay,
		logger:       slog.New(discardHandler{}),
		clock:        SystemClock,
	}
}

func defaultBackOff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = DefaultInitialDelay
	b.Multiplier = 2
	b.RandomizationFactor = 0.5
	b.MaxInterval = DefaultMaxBackOff
	b.MaxElapsedTime = 0
	b.Reset()
	return b
}

// WithHTTPClient sets the *http.Client that sends the requests (default: a
// new client on http.DefaultTransport). Its Timeout should be zero, since
// it would cut every stream after that long; use WithIdleTimeout to detect
// dead connections. The Client uses a copy that refuses redirects to a
// Location it cannot use, and stops after 10 redirects unless the given
// client has its own CheckRedirect.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.httpClient = c
		}
	}
}

// WithHeader adds a header sent with every request. Accept, Cache-Control
// and Last-Event-ID are set by the Client and cannot be overridden.
func WithHeader(key, value string) Option {
	return func(cfg *config) { cfg.header.Add(key, value) }
}

// WithMethod sets the request method (default GET), for servers that
// stream in answer to POST, REPORT and the like.
func WithMethod(method string) Option {
	return func(cfg *config) { cfg.method = method }
}

// WithBody sets a request body, re-sent in full on every attempt. Set its
// Content-Type with WithHeader.
func WithBody(body []byte) Option {
	b := append([]byte(nil), body...)
	return func(cfg *config) { cfg.body, cfg.hasBody = b, true }
}

// WithBearerToken sends "Authorization: Bearer <token>".
func WithBearerToken(token string) Option {
	return func(cfg *config) { cfg.bearer = token }
}

// WithQueryToken sends the token as the query parameter param instead of a
// header, for servers that accept it there. Error messages never show the
// query string.
func WithQueryToken(param, token string) Option {
	return func(cfg *config) { cfg.queryParam, cfg.queryToken = param, token }
}

// WithRequestHook sets a hook that edits each request before it is sent;
// see RequestHook.
func WithRequestHook(h RequestHook) Option {
	return func(cfg *config) { cfg.hook = h }
}

// WithLastEventID sets the last event ID of the first request, to resume a
// stream read before. By default the first request carries no
// Last-Event-ID.
func WithLastEventID(id string) Option {
	return func(cfg *config) { cfg.lastEventID = id }
}

// WithIdleTimeout drops and re-establishes a connection when no bytes at
// all arrive for d while the Client waits for them, heartbeats and comments
// included; the time waiting for response headers counts too. Zero, the
// default, disables it.
func WithIdleTimeout(d time.Duration) Option {
	return func(cfg *config) { cfg.idleTimeout = max(d, 0) }
}

// WithMaxEventSize sets the largest event block accepted, in bytes (default
// DefaultMaxEventSize). A larger event reaches Handler.HandleError as an
// *EventTooLargeError and is skipped.
func WithMaxEventSize(n int) Option {
	return func(cfg *config) {
		if n > 0 {
			cfg.maxEventSize = n
		}
	}
}

// WithBackOff sets the backoff policy. newBackOff is called once per call
// to Connect; its result's NextBackOff gives the backoff part of each delay
// (a negative result, backoff.Stop, ends Connect as a give-up) and Reset is
// called after a healthy connection. The default is exponential from
// DefaultInitialDelay, doubling, with ±50% jitter, up to DefaultMaxBackOff,
// with no cap on the elapsed time.
//
// The delay before a reconnection is the largest of the backoff, the
// server's retry field and the last response's Retry-After, the latter two
// capped by WithMaxDelay.
func WithBackOff(newBackOff func() backoff.BackOff) Option {
	return func(cfg *config) {
		if newBackOff != nil {
			cfg.newBackOff = newBackOff
			cfg.constant = false
		}
	}
}

// WithConstantDelay makes every reconnection wait exactly d, with no
// growth, no jitter, and no regard for the server's retry field or
// Retry-After. Meant for tests.
func WithConstantDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.constant, cfg.constDelay = true, max(d, 0) }
}

// WithHealthyAfter sets how long a connection must stay open to count as
// healthy (default DefaultHealthyAfter). Only a healthy connection resets
// the backoff and the give-up counters; a 200 that closes at once does not.
func WithHealthyAfter(d time.Duration) Option {
	return func(cfg *config) { cfg.healthyAfter = max(d, 0) }
}

// WithMaxDelay caps the delays the server can ask for through its retry
// field and Retry-After headers (default DefaultMaxDelay). A request above
// it reaches Handler.HandleError as a *DelayClampedError.
func WithMaxDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.maxDelay = max(d, 0) }
}

// WithGiveUp ends Connect with a *GiveUpError after attempts consecutive
// attempts, or after the time d, without a healthy connection. Zero
// disables either limit; by default the Client never gives up.
func WithGiveUp(attempts int, d time.Duration) Option {
	return func(cfg *config) { cfg.maxAttempts, cfg.maxUnhealthy = max(attempts, 0), max(d, 0) }
}

// WithObserver sets an Observer told about each attempt, opened
// connection, first event, close and scheduled reconnection.
func WithObserver(o Observer) Option {
	return func(cfg *config) { cfg.observer = o }
}

// WithLogger sets the logger for connection life events (default: none).
// Reconnections log at Info, failed attempts at Warn, events at Debug.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) {
		if l != nil {
			cfg.logger = l
		}
	}
}

// WithClock sets the Clock used for every delay and timeout (default
// SystemClock). Tests pass a fake such as ssetest.Clock.
func WithClock(c Clock) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.clock = c
		}
	}
}
