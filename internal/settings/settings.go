// Package settings holds what the options of package bookstrack set: the
// Settings of a job client, which the job packages (csvimport, scan,
// enrichment) and the internal packages read. It is a leaf: it imports no
// package of the module but sse and ssestats, so that the root package
// and every package below it can import it.
//
// The options of package bookstrack (and scan.WithApprovalThreshold) are
// functions on *Settings that store what they are given as it is; New
// applies them and then the module's one option rule: a zero value keeps
// the default, a negative number turns the setting off where it can be
// off, and a value out of a setting's range is refused with an
// *OptionError naming the option and the range.
package settings

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// DefaultBaseURL is the hosted BooksTrack API: bookstrack.DefaultBaseURL,
// which TestSetValuesAreKeptAndTheLastOptionWins holds equal to it.
const DefaultBaseURL = "https://api.oooefam.net"

// Defaults of the settings.
const (
	DefaultResultsTTL        = 2 * time.Hour
	MinPollInterval          = 2 * time.Second
	DefaultStallTimeout      = 15 * time.Minute
	DefaultHeaderTimeout     = 30 * time.Second
	DefaultCallRetries       = 3
	DefaultMaxRetryDelay     = 5 * time.Minute
	DefaultApprovalThreshold = 0.8
)

// Settings is what a job client's options set, after New applied the
// option rule. Nothing writes to a Settings after New returns it.
type Settings struct {
	BaseURL    string       // never "": DefaultBaseURL by default
	V2         bool         // the iOS plan's v2 routes instead of v3
	HTTPClient *http.Client // never nil
	Logger     *slog.Logger // nil: no logging
	Clock      sse.Clock    // never nil
	QueryToken string       // query parameter carrying the stream token; "" means a Bearer header
	ResultsTTL time.Duration
	Reconnect  bool // on a timeout event, reconnect instead of polling
	// PollInterval is the status polling interval, MinPollInterval at
	// least.
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
	// (bookstrack.WithFetchObserver).
	OnFetch func(Fetch)
	// Stats, when set, records the figures of every watch and results
	// fetch under the job type's name (bookstrack.WithStats).
	Stats *ssestats.Stats
	// ApprovalThreshold is the confidence from which a detected book is
	// approved (scan.WithApprovalThreshold); -Inf means off.
	ApprovalThreshold float64
}

// Fetch describes a finished results fetch, as bookstrack.FetchInfo.
type Fetch struct {
	Kind       string
	JobID      string
	StatusCode int
	Duration   time.Duration
	Err        error
}

// OptionError reports an option given a value out of its range.
type OptionError struct {
	Option string // the option's name, such as "WithPollInterval"
	Value  any    // what it was given
	Range  string // what it accepts
	Err    error  // for WithStreamOptions: the sse option's error, instead of Value and Range
}

// Error names the option and says what is wrong.
func (e *OptionError) Error() string { return e.Option + ": " + e.Reason() }

// Reason says what is wrong with the option's value: the value and the
// range, or the error of the sse option it was given.
func (e *OptionError) Reason() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v is out of range: %s", e.Value, e.Range)
}

// New applies opts (nil ones are skipped) to zero Settings and then the
// option rule, returning an *OptionError for the first setting out of
// its range.
func New[O ~func(*Settings)](opts []O) (Settings, error) {
	var s Settings
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}
	if s.BaseURL == "" {
		s.BaseURL = DefaultBaseURL
	}
	if s.HTTPClient == nil {
		s.HTTPClient = &http.Client{}
	}
	if s.Clock == nil {
		s.Clock = sse.SystemClock
	}
	var err error
	if s.ResultsTTL, err = notOff("WithResultsTTL", s.ResultsTTL, DefaultResultsTTL); err != nil {
		return Settings{}, err
	}
	switch {
	case s.PollInterval == 0:
		s.PollInterval = MinPollInterval
	case s.PollInterval < MinPollInterval:
		return Settings{}, &OptionError{Option: "WithPollInterval", Value: s.PollInterval, Range: fmt.Sprintf("0 for the default (%v), or at least %v; polling is turned off by WithTimeoutFallback", MinPollInterval, MinPollInterval)}
	}
	s.StallTimeout = orOff(s.StallTimeout, DefaultStallTimeout)
	s.HeaderTimeout = orOff(s.HeaderTimeout, DefaultHeaderTimeout)
	s.CallRetries = orOff(s.CallRetries, DefaultCallRetries)
	if s.MaxRetryDelay, err = notOff("WithMaxRetryDelay", s.MaxRetryDelay, DefaultMaxRetryDelay); err != nil {
		return Settings{}, err
	}
	// The stream options are checked now, not at the first watch: sse.Read
	// applies them and yields their error first, without any I/O.
	for _, err := range sse.Read(strings.NewReader(""), s.StreamOptions...) {
		if err != nil {
			return Settings{}, &OptionError{Option: "WithStreamOptions", Err: err}
		}
	}
	switch t := s.ApprovalThreshold; {
	case t == 0:
		s.ApprovalThreshold = DefaultApprovalThreshold
	case t < 0:
		s.ApprovalThreshold = math.Inf(-1) // off: below every confidence
	case t > 1 || math.IsNaN(t):
		return Settings{}, &OptionError{Option: "WithApprovalThreshold", Value: t, Range: fmt.Sprintf("0 for the default (%v), a negative number for off, or up to 1", DefaultApprovalThreshold)}
	}
	return s, nil
}

// MustNew is New for tests, which pass valid options: it panics on an
// error.
func MustNew[O ~func(*Settings)](opts []O) Settings {
	s, err := New(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// orOff is the option rule of a setting that can be off: zero is def,
// negative is 0 (off).
func orOff[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// notOff is the option rule of a duration that cannot be off: zero is
// def, negative is out of range.
func notOff(option string, d, def time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return def, nil
	case d < 0:
		return 0, &OptionError{Option: option, Value: d, Range: fmt.Sprintf("0 for the default (%v), or more; it cannot be off", def)}
	}
	return d, nil
}
