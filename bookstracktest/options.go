package bookstracktest

import (
	"fmt"
	"net"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// Defaults of the options, those of the real server where it has one.
const (
	DefaultStepInterval    = 100 * time.Millisecond
	DefaultPingInterval    = 30 * time.Second
	DefaultStreamTimeout   = 5 * time.Minute
	DefaultFinalDelay      = 2 * time.Second
	DefaultResultsTTL      = 2 * time.Hour
	DefaultJobTTL          = 24 * time.Hour
	DefaultTokenTTL        = 2 * time.Hour
	DefaultEnrichmentBatch = 50
)

// config is the Server's private copy of its options; New fills it from
// the defaults and the options, and nothing writes to it afterwards.
type config struct {
	clock           sse.Clock
	stepInterval    time.Duration
	pingInterval    time.Duration
	streamTimeout   time.Duration
	finalDelay      time.Duration
	resultsTTL      time.Duration
	jobTTL          time.Duration
	tokenTTL        time.Duration
	enrichmentBatch int
	quirks          Quirks
	wrapListener    func(net.Listener) net.Listener
	stepped         bool
	err             error // the first option out of range: New panics with it
}

func defaultConfig() config {
	return config{
		clock:           sse.SystemClock,
		stepInterval:    DefaultStepInterval,
		pingInterval:    DefaultPingInterval,
		streamTimeout:   DefaultStreamTimeout,
		finalDelay:      DefaultFinalDelay,
		resultsTTL:      DefaultResultsTTL,
		jobTTL:          DefaultJobTTL,
		tokenTTL:        DefaultTokenTTL,
		enrichmentBatch: DefaultEnrichmentBatch,
	}
}

// Option configures a Server made by New or NewServer. Options are applied
// in order, so a later one wins.
type Option func(*config)

// WithClock makes the Server take all its time from c: timestamps, event
// ids, TTLs, job steps, pings and stream timeouts. With a fake clock such
// as ssetest.Clock, advancing the clock drives the jobs. A nil c restores
// the default, sse.SystemClock.
func WithClock(c sse.Clock) Option {
	return func(cfg *config) {
		if c == nil {
			c = sse.SystemClock
		}
		cfg.clock = c
	}
}

// WithSteppedClock runs the Server on a fake clock of its own (starting
// at 2026-11-26 12:00 UTC) that the Server advances by one step interval whenever
// at least three timers wait on it: with one job, its next step and an
// open stream's heartbeat and timeout. A job so moves only while a stream
// of it is open, every update of a job watched from its start reaches the
// stream, and a watch receives the same events on every run, without a
// sleep: for examples and golden tests that have no clock to drive. It
// replaces WithClock; clients must not be given the Server's clock (their
// own durations are real). Close stops the stepping.
func WithSteppedClock() Option {
	return func(cfg *config) { cfg.stepped = true }
}

// steppedStart is the time at which the clock of WithSteppedClock starts.
var steppedStart = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// WithStepInterval sets the time between two updates of a simulated job
// (default DefaultStepInterval, 100ms). 0 keeps the default; it cannot
// be off: New panics on a negative d.
func WithStepInterval(d time.Duration) Option {
	return func(c *config) { c.notOff("WithStepInterval", d, &c.stepInterval) }
}

// WithPingInterval sets the time between two heartbeats on a stream
// (default DefaultPingInterval, 30s). 0 keeps the default; a negative d
// turns heartbeats off.
func WithPingInterval(d time.Duration) Option {
	return durationOption(d, func(c *config) *time.Duration { return &c.pingInterval })
}

// WithStreamTimeout sets how long a stream may go without an update
// before it gets a `timeout` event and is closed (default
// DefaultStreamTimeout, 5m). Heartbeats are not updates. 0 keeps the
// default; a negative d turns the timeout off: streams stay open.
func WithStreamTimeout(d time.Duration) Option {
	return durationOption(d, func(c *config) *time.Duration { return &c.streamTimeout })
}

// WithFinalDelay sets the time between a job's queued terminal event and
// its `-final` one (default DefaultFinalDelay, 2s). 0 keeps the default;
// a negative d turns the delay off: the `-final` event follows at once.
func WithFinalDelay(d time.Duration) Option {
	return durationOption(d, func(c *config) *time.Duration { return &c.finalDelay })
}

// WithResultsTTL sets how long results stay available after a job
// completes (default DefaultResultsTTL, 2h). 0 keeps the default; a
// negative d turns expiry off: results stay as long as the job.
func WithResultsTTL(d time.Duration) Option {
	return durationOption(d, func(c *config) *time.Duration { return &c.resultsTTL })
}

// WithJobTTL sets how long a job's state lives after the job starts
// (default DefaultJobTTL, 24h); after it the job is unknown to every
// route. 0 keeps the default; a negative d turns expiry off: jobs live as
// long as the Server.
func WithJobTTL(d time.Duration) Option {
	return durationOption(d, func(c *config) *time.Duration { return &c.jobTTL })
}

// WithTokenTTL sets how long a stream token stays valid after the start
// call issued it (default DefaultTokenTTL, 2h). 0 keeps the default; a
// negative d turns expiry off: tokens stay valid (JobInfo.TokenExpiresAt
// is then the zero time).
func WithTokenTTL(d time.Duration) Option {
	return durationOption(d, func(c *config) *time.Duration { return &c.tokenTTL })
}

// WithQuirks selects older server behaviours; see Quirks. New panics on a
// Quirks value it does not understand (an unknown ResultsField or
// EnrichmentResults).
func WithQuirks(q Quirks) Option {
	return func(c *config) { c.quirks = q }
}

// WithEnrichmentBatch makes enrichment jobs report progress every n books
// (default DefaultEnrichmentBatch, 50, as the real server). 0 keeps the
// default; it cannot be off: New panics on a negative n.
func WithEnrichmentBatch(n int) Option {
	return func(c *config) {
		switch {
		case n > 0:
			c.enrichmentBatch = n
		case n < 0:
			c.refuse(fmt.Sprintf("WithEnrichmentBatch(%d)", n), fmt.Sprintf("0 for the default (%d), or more; it cannot be off", DefaultEnrichmentBatch))
		}
	}
}

// WithListener wraps the Server's loopback listener, for example in a
// network conditioner that adds latency or cuts connections. The URL is
// taken from the wrapped listener's Addr. A nil wrap is ignored.
func WithListener(wrap func(net.Listener) net.Listener) Option {
	return func(c *config) { c.wrapListener = wrap }
}

// durationOption sets the field to d, a negative d meaning off; 0 keeps
// the default.
func durationOption(d time.Duration, field func(*config) *time.Duration) Option {
	return func(c *config) {
		if d != 0 {
			*field(c) = d
		}
	}
}

// notOff applies the rule to a duration that cannot be off: 0 keeps *dst,
// a positive d replaces it, a negative one is refused.
func (c *config) notOff(option string, d time.Duration, dst *time.Duration) {
	switch {
	case d > 0:
		*dst = d
	case d < 0:
		c.refuse(fmt.Sprintf("%s(%v)", option, d), fmt.Sprintf("0 for the default (%v), or more; it cannot be off", *dst))
	}
}

// refuse records the first option out of range; New panics with it.
func (c *config) refuse(call, rng string) {
	if c.err == nil {
		c.err = fmt.Errorf("bookstracktest: %s is out of range: %s", call, rng)
	}
}

// off reports whether a duration setting is off (negative).
func off(d time.Duration) bool { return d < 0 }
