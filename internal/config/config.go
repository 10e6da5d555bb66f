// Package config holds the settings behind bookstrack.Option and
// bookstrack.WatchOption, so the internal packages can read what the
// public options set.
package config

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// Config is a job client's configuration. The zero value is not usable:
// start from Default.
type Config struct {
	BaseURL           string
	V2                bool // the iOS plan's v2 routes instead of v3
	HTTPClient        *http.Client
	Logger            *slog.Logger
	Clock             sse.Clock
	QueryToken        string // query parameter carrying the stream token; "" means a Bearer header
	ResultsTTL        time.Duration
	Reconnect         bool // on a timeout event, reconnect instead of polling
	PollInterval      time.Duration
	StallTimeout      time.Duration
	ApprovalThreshold float64
	StreamOptions     []sse.Option
	// HeaderTimeout bounds the wait for a call's response headers.
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
	// OnFetch, when set, is told about each results fetch
	// (bookstrack.WithFetchObserver).
	OnFetch func(kind, jobID string, took time.Duration, err error)
}

// Defaults of Config.
const (
	DefaultBaseURL           = "https://api.oooefam.net"
	DefaultResultsTTL        = 2 * time.Hour
	MinPollInterval          = 2 * time.Second
	DefaultStallTimeout      = 15 * time.Minute
	DefaultApprovalThreshold = 0.8
	DefaultIdleTimeout       = 75 * time.Second
	DefaultHeaderTimeout     = 30 * time.Second
	DefaultCallRetries       = 3
	DefaultMaxRetryDelay     = 5 * time.Minute
	// RetryBaseDelay is the first backoff delay between call attempts.
	RetryBaseDelay = 500 * time.Millisecond
)

// Default returns a Config with every default set.
func Default() Config {
	return Config{
		BaseURL:           DefaultBaseURL,
		HTTPClient:        &http.Client{},
		Logger:            slog.New(discard{}),
		Clock:             sse.SystemClock,
		ResultsTTL:        DefaultResultsTTL,
		PollInterval:      MinPollInterval,
		StallTimeout:      DefaultStallTimeout,
		ApprovalThreshold: DefaultApprovalThreshold,
		HeaderTimeout:     DefaultHeaderTimeout,
		CallRetries:       DefaultCallRetries,
		MaxRetryDelay:     DefaultMaxRetryDelay,
	}
}

type discard struct{}

func (discard) Enabled(context.Context, slog.Level) bool  { return false }
func (discard) Handle(context.Context, slog.Record) error { return nil }
func (d discard) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discard) WithGroup(string) slog.Handler           { return d }
