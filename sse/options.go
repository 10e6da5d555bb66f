package sse

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// BackOff is a backoff policy: NextBackOff returns how long to wait before
// the next attempt, or a negative duration (backoff.Stop) to give up, and
// Reset starts over. Policies of
// github.com/cenkalti/backoff (v4 and v5) satisfy it as they are.
type BackOff interface {
	NextBackOff() time.Duration
	Reset()
}

// Defaults of a Client's configuration.
const (
	// DefaultMaxBackOff caps the backoff of the default policy.
	DefaultMaxBackOff = 30 * time.Second
	// DefaultHealthyAfter is how long a connection that delivers nothing
	// new must stay open before the backoff and the give-up counters
	// start over (a new event starts them over at once).
	DefaultHealthyAfter = 30 * time.Second

	// defaultInitialDelay is the first backoff step of the default policy.
	defaultInitialDelay = time.Second
	// defaultMaxDelay caps the delays a server can ask for, through its
	// retry field or a Retry-After header.
	defaultMaxDelay = 10 * time.Minute
	// defaultResponseHeaderTimeout bounds the wait for response headers;
	// an attempt that takes longer fails with ErrResponseHeaderTimeout.
	defaultResponseHeaderTimeout = 30 * time.Second
	// defaultErrorBodyTimeout bounds the time spent reading the body of a
	// response that does not open a stream, whatever the server does.
	defaultErrorBodyTimeout = 10 * time.Second
)

// Option configures a Client. Options copy what they are given: changing
// a header map or body slice after passing it has no effect on the Client.
// Every option follows the package's option rule (see the package
// documentation): zero keeps the default, a negative number turns the
// setting off where it can be off, and NewClient refuses a value out of
// range with an error matching ErrInvalidOption.
type Option func(*config)

// requestHook edits a request before it is sent (WithRequestHook).
type requestHook = func(req *http.Request, refresh bool) error

type config struct {
	httpClient       *http.Client
	header           http.Header
	method           string
	body             []byte
	hasBody          bool
	bearer           string
	queryParam       string
	queryToken       string
	hook             requestHook
	lastEventID      string
	idleTimeout      time.Duration
	maxEventSize     int
	newBackOff       func() BackOff
	initialDelay     time.Duration
	headerTimeout    time.Duration
	errorBodyTimeout time.Duration
	stopAtEnd        bool
	constant         bool
	constDelay       time.Duration
	healthyAfter     time.Duration
	maxDelay         time.Duration
	maxAttempts      int
	maxUnhealthy     time.Duration
	observer         Observer
	logger           *slog.Logger
	clock            Clock
	transport        Transport
	err              error // the first option out of range
}

// refuse records that option was given v, out of its range rng; NewClient
// returns the first such error.
func (cfg *config) refuse(option string, v any, rng string) {
	if cfg.err == nil {
		cfg.err = fmt.Errorf("%w: %s(%v) is out of range: %s", ErrInvalidOption, option, v, rng)
	}
}

// notOff applies the option rule to a duration that cannot be off: zero
// keeps *dst, a positive d replaces it, a negative one is refused.
func (cfg *config) notOff(option string, d time.Duration, dst *time.Duration) {
	switch {
	case d > 0:
		*dst = d
	case d < 0:
		cfg.refuse(option, d, fmt.Sprintf("0 for the default (%v), or more; it cannot be off", *dst))
	}
}

// applyOptions returns the default configuration with opts applied (nil
// ones are skipped), and the first option error.
func applyOptions(opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return cfg, cfg.err
}

func defaultConfig() config {
	return config{
		httpClient:       defaultHTTPClient,
		method:           http.MethodGet,
		maxEventSize:     DefaultMaxEventSize,
		initialDelay:     defaultInitialDelay,
		headerTimeout:    defaultResponseHeaderTimeout,
		errorBodyTimeout: defaultErrorBodyTimeout,
		healthyAfter:     DefaultHealthyAfter,
		maxDelay:         defaultMaxDelay,
		logger:           discardLogger,
		clock:            SystemClock,
	}
}

// defaultHTTPClient and discardLogger are the defaults every Client
// shares; nothing writes them.
var (
	defaultHTTPClient = &http.Client{}
	discardLogger     = slog.New(discardHandler{})
)

// backOff returns a fresh backoff for one call to Connect.
func (cfg *config) backOff() BackOff {
	if cfg.newBackOff != nil {
		if b := cfg.newBackOff(); b != nil {
			return b
		}
	}
	return defaultBackOff(cfg.initialDelay)
}

func defaultBackOff(initial time.Duration) BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = initial
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
// and Last-Event-ID are set by the Client and cannot be overridden: a
// Last-Event-ID given here is never sent (use WithLastEventID), and
// Referer is never sent. An empty key adds nothing.
func WithHeader(key, value string) Option {
	return func(cfg *config) {
		if key != "" {
			if cfg.header == nil {
				cfg.header = http.Header{}
			}
			cfg.header.Add(key, value)
		}
	}
}

// WithMethod sets the request method (default GET), for servers that
// stream in answer to POST, REPORT and the like.
func WithMethod(method string) Option {
	return func(cfg *config) {
		if method != "" {
			cfg.method = method
		}
	}
}

// WithBody sets a request body, re-sent in full on every attempt. Set its
// Content-Type with WithHeader. A nil body keeps the default: none.
func WithBody(body []byte) Option {
	if body == nil {
		return func(*config) {}
	}
	b := append([]byte{}, body...)
	return func(cfg *config) { cfg.body, cfg.hasBody = b, true }
}

// WithBearerToken sends "Authorization: Bearer <token>". The header is
// dropped on a redirect to another origin (scheme, host and port), and a
// redirect from https to http is refused (see ErrInsecureRedirect).
func WithBearerToken(token string) Option {
	return func(cfg *config) { cfg.bearer = token }
}

// WithQueryToken sends the token as the query parameter param instead of a
// header, for servers that accept it there. Error messages and logs never
// show the query string, and the parameter is removed from a redirect to
// another origin (scheme, host and port), as the bearer token is.
func WithQueryToken(param, token string) Option {
	return func(cfg *config) { cfg.queryParam, cfg.queryToken = param, token }
}

// WithRequestHook sets a hook h that edits each request before it is
// sent, for example to set a fresh token. h is called before every
// attempt with refresh false, and once more with refresh true after a 401
// response, after which the request is sent again at once; a second 401
// ends Connect. An error from h ends Connect, wrapped.
func WithRequestHook(h func(req *http.Request, refresh bool) error) Option {
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
// included; the time waiting for response headers counts too, and so does
// reading the body of an error response. By default, and for a negative
// d, there is none.
func WithIdleTimeout(d time.Duration) Option {
	return func(cfg *config) { cfg.idleTimeout = max(d, 0) }
}

// WithMaxEventSize sets the largest event accepted, in bytes of its data
// lines as received, which is also the longest line accepted (default
// DefaultMaxEventSize; see Decoder.SetMaxEventSize). A larger event
// reaches Handler.HandleError as an *EventTooLargeError and is skipped.
// The limit cannot be off: NewClient refuses a negative n.
func WithMaxEventSize(n int) Option {
	return func(cfg *config) {
		switch {
		case n > 0:
			cfg.maxEventSize = n
		case n < 0:
			cfg.refuse("WithMaxEventSize", n, fmt.Sprintf("0 for the default (%d), or more; it cannot be off", DefaultMaxEventSize))
		}
	}
}

// WithBackOff sets the backoff policy used while the server has sent no
// retry field. newBackOff is called once per call to Connect; its
// result's NextBackOff gives each delay (a negative value, such as
// backoff.Stop, ends Connect as a give-up) and Reset is called after
// progress (a connection that delivered a new event, or stayed open for
// the healthy period).
// The default is exponential from 1 second (see
// WithInitialDelay), doubling, with ±50% jitter, up to DefaultMaxBackOff,
// with no cap on the elapsed time. The package documentation has the
// whole delay rule.
func WithBackOff(newBackOff func() BackOff) Option {
	return func(cfg *config) {
		if newBackOff != nil {
			cfg.newBackOff = newBackOff
			cfg.constant = false
		}
	}
}

// WithInitialDelay sets the first step of the default backoff policy
// (default 1 second), keeping the rest of it. It has no effect
// together with WithBackOff. NewClient refuses a negative d.
func WithInitialDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.notOff("WithInitialDelay", d, &cfg.initialDelay) }
}

// WithResponseHeaderTimeout bounds the wait for response headers (default
// 30 seconds). An attempt that waits longer fails with
// ErrResponseHeaderTimeout, counts as a failed attempt and is retried. A
// negative d turns it off: the wait is bounded by the context and the
// idle timeout only.
func WithResponseHeaderTimeout(d time.Duration) Option {
	return func(cfg *config) {
		switch {
		case d > 0:
			cfg.headerTimeout = d
		case d < 0:
			cfg.headerTimeout = 0
		}
	}
}

// WithStopAtEnd makes Connect return nil at the first clean end of stream
// (the server closing the body after a complete response) instead of
// reconnecting. Failures are still retried as usual.
func WithStopAtEnd() Option {
	return func(cfg *config) { cfg.stopAtEnd = true }
}

// WithConstantDelay makes every reconnection wait exactly d, with no
// growth, no jitter, and no regard for the server's retry field or
// Retry-After. Zero keeps the default delay rule; NewClient refuses a
// negative d. WithNoDelay reconnects at once. Meant for tests.
func WithConstantDelay(d time.Duration) Option {
	return func(cfg *config) {
		switch {
		case d > 0:
			cfg.constant, cfg.constDelay = true, d
		case d < 0:
			cfg.refuse("WithConstantDelay", d, "0 for the default delay rule, or more; WithNoDelay for none")
		}
	}
}

// WithNoDelay makes every reconnection start at once, with no regard for
// the server's retry field or Retry-After: WithConstantDelay with no wait.
// Meant for tests against a local server.
func WithNoDelay() Option {
	return func(cfg *config) { cfg.constant, cfg.constDelay = true, 0 }
}

// WithHealthyAfter sets how long a connection must stay open to count as
// healthy (default DefaultHealthyAfter). A healthy connection, like one
// that delivered a new event, resets the backoff and the give-up
// counters; a 200 that closes at once with nothing new does not.
// NewClient refuses a negative d.
func WithHealthyAfter(d time.Duration) Option {
	return func(cfg *config) { cfg.notOff("WithHealthyAfter", d, &cfg.healthyAfter) }
}

// WithMaxDelay caps the delays the server can ask for through its retry
// field and Retry-After headers (default 10 minutes). A request above
// it reaches Handler.HandleError as a *DelayClampedError. The cap cannot
// be off: NewClient refuses a negative d.
func WithMaxDelay(d time.Duration) Option {
	return func(cfg *config) { cfg.notOff("WithMaxDelay", d, &cfg.maxDelay) }
}

// WithGiveUp ends Connect with a *GiveUpError after attempts consecutive
// attempts without progress, or after the time d without progress
// (counted from the end of the last attempt with progress). An attempt
// makes progress when its connection delivers a new event or stays open
// for the healthy period (see the package doc's Reconnection delay), so a
// stream that keeps delivering is never given up. By default the Client
// never gives up: zero keeps that default for either limit, and a negative
// value turns it off.
func WithGiveUp(attempts int, d time.Duration) Option {
	return func(cfg *config) { cfg.maxAttempts, cfg.maxUnhealthy = max(attempts, 0), max(d, 0) }
}

// WithObserver sets an Observer told about each attempt, opened
// connection, first event, close and scheduled reconnection.
func WithObserver(o Observer) Option {
	return func(cfg *config) { cfg.observer = o }
}

// WithAddedObserver adds o to the Observer that the options before it
// set (WithObserver, WithAddedObserver): each is told of every callback,
// the earlier first. A WithObserver after it replaces
// them all.
func WithAddedObserver(o Observer) Option {
	return func(cfg *config) { cfg.observer = joinObservers(cfg.observer, o) }
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
