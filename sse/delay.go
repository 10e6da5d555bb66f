package sse

import "time"

// retryFloor is the shortest wait a server's retry field can ask for: a
// retry below it (0 included) is waited as retryFloor, and it is where
// the delay starts growing when connections keep failing. With it, a
// server that sends "retry: 0", one event and closes, again and again,
// is reconnected at most ten times a second, never in a hot loop.
const retryFloor = 100 * time.Millisecond

// retryPolicy decides whether the Client tries again and how long it
// waits first. It does no I/O and takes the time as an input.
type retryPolicy struct {
	cfg          *config
	backoff      BackOff // made at its first use: a stream that never fails holds none
	constant     bool
	constDelay   time.Duration
	healthyAfter time.Duration
	maxDelay     time.Duration
	maxBackOff   time.Duration
	maxAttempts  int
	maxUnhealthy time.Duration

	failures int       // attempts in a row without progress
	since    time.Time // when the last attempt with progress ended, or the start
}

func newRetryPolicy(cfg *config, now time.Time) *retryPolicy {
	return &retryPolicy{
		cfg:          cfg,
		constant:     cfg.constant,
		constDelay:   cfg.constDelay,
		healthyAfter: cfg.healthyAfter,
		maxDelay:     cfg.maxDelay,
		maxBackOff:   DefaultMaxBackOff,
		maxAttempts:  cfg.maxAttempts,
		maxUnhealthy: cfg.maxUnhealthy,
		since:        now,
	}
}

// backOff returns the policy's BackOff, made by the configuration at the
// first call.
func (p *retryPolicy) backOff() BackOff {
	if p.backoff == nil {
		p.backoff = p.cfg.backOff()
	}
	return p.backoff
}

// retryRequest is what the policy needs to know about an ended attempt.
type retryRequest struct {
	now         time.Time
	opened      bool
	openFor     time.Duration
	progress    bool          // the connection dispatched a new event (see next)
	serverRetry time.Duration // the stream's retry field, already capped
	hasRetry    bool          // the stream sent a retry field (0 is a value)
	retryAfter  time.Duration // the failed response's Retry-After, 0 if none
	cause       error
}

// next returns the delay before the next attempt. It returns a
// *GiveUpError when the give-up policy or the backoff says to stop, or
// when the delay would outlast the give-up policy's remaining time, and a
// *DelayClampedError (with the delay still valid) when Retry-After was
// capped.
//
// An attempt made progress when its connection dispatched at least one
// new event (one whose id differs from the Last-Event-ID the connection
// was opened with, or any event on a stream without ids), or stayed open
// for the healthy period (WithHealthyAfter). Progress resets the policy:
// the count of failures, the BackOff, and the give-up policy's attempts
// and time budget, which then count from the end of that attempt.
//
// With n the number of attempts in a row without progress (0 after one
// with progress) and r' = max(r, retryFloor), the delay is:
//
//	server sent retry r   n <= 1: r' exactly   n >= 2: r' doubled n-1 times, at most max(r', DefaultMaxBackOff)
//	no retry field        the BackOff's NextBackOff (Reset after progress, so its first step)
//
// and then the larger of that and Retry-After.
func (p *retryPolicy) next(r retryRequest) (time.Duration, *DelayClampedError, error) {
	if r.opened && (r.progress || r.openFor >= p.healthyAfter) {
		p.failures = 0
		p.since = r.now
		if p.backoff != nil {
			p.backoff.Reset()
		}
	} else {
		p.failures++
	}
	giveUp := func() error {
		return &GiveUpError{Attempts: p.failures, Elapsed: r.now.Sub(p.since), Err: r.cause}
	}
	if (p.maxAttempts > 0 && p.failures >= p.maxAttempts) ||
		(p.maxUnhealthy > 0 && r.now.Sub(p.since) >= p.maxUnhealthy) {
		return 0, nil, giveUp()
	}
	if p.constant {
		return p.constDelay, nil, nil
	}
	var d time.Duration
	if r.hasRetry {
		d = p.fromRetry(r.serverRetry)
	} else if d = p.backOff().NextBackOff(); d < 0 {
		return 0, nil, giveUp()
	}
	var clamped *DelayClampedError
	if ra := r.retryAfter; ra > p.maxDelay {
		clamped = &DelayClampedError{Source: "Retry-After", Requested: ra, Used: p.maxDelay}
		d = max(d, p.maxDelay)
	} else {
		d = max(d, ra)
	}
	if p.maxUnhealthy > 0 && r.now.Add(d).Sub(p.since) > p.maxUnhealthy {
		// Waiting would outlast the budget; retrying sooner than asked
		// would override the server, so stop now.
		return 0, nil, giveUp()
	}
	return d, clamped, nil
}

// fromRetry is the delay derived from the server's retry field r.
func (p *retryPolicy) fromRetry(r time.Duration) time.Duration {
	d := max(r, retryFloor)
	if p.failures <= 1 {
		return d
	}
	limit := max(d, p.maxBackOff)
	for i := 1; i < p.failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}
