package sse

import (
	"time"

	"github.com/cenkalti/backoff/v4"
)

// retryPolicy decides whether the Client tries again and how long it
// waits first. It does no I/O and takes the time as an input.
type retryPolicy struct {
	backoff      backoff.BackOff
	constant     bool
	constDelay   time.Duration
	healthyAfter time.Duration
	maxDelay     time.Duration
	maxAttempts  int
	maxUnhealthy time.Duration

	failures int       // attempts in a row without a healthy connection
	since    time.Time // when the last healthy connection ended, or the start
}

func newRetryPolicy(cfg *config, now time.Time) *retryPolicy {
	return &retryPolicy{
		backoff:      cfg.newBackOff(),
		constant:     cfg.constant,
		constDelay:   cfg.constDelay,
		healthyAfter: cfg.healthyAfter,
		maxDelay:     cfg.maxDelay,
		maxAttempts:  cfg.maxAttempts,
		maxUnhealthy: cfg.maxUnhealthy,
		since:        now,
	}
}

// retryRequest is what the policy needs to know about an ended attempt.
type retryRequest struct {
	now         time.Time
	opened      bool
	openFor     time.Duration
	serverRetry time.Duration // the stream's retry field, already capped
	retryAfter  time.Duration // the failed response's Retry-After, 0 if none
	cause       error
}

// next returns the delay before the next attempt. It returns a
// *GiveUpError when the give-up policy or the backoff says to stop, and a
// *DelayClampedError (with the delay still valid) when Retry-After was
// capped.
func (p *retryPolicy) next(r retryRequest) (time.Duration, *DelayClampedError, error) {
	if r.opened && r.openFor >= p.healthyAfter {
		p.failures = 0
		p.since = r.now
		p.backoff.Reset()
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
	d := p.backoff.NextBackOff()
	if d == backoff.Stop {
		return 0, nil, giveUp()
	}
	d = max(d, r.serverRetry)
	var clamped *DelayClampedError
	if ra := r.retryAfter; ra > p.maxDelay {
		clamped = &DelayClampedError{Source: "Retry-After", Requested: ra, Used: p.maxDelay}
		d = max(d, p.maxDelay)
	} else {
		d = max(d, ra)
	}
	return d, clamped, nil
}
