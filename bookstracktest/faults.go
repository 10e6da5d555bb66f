package bookstracktest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// RateLimit describes 429 responses for InjectRateLimit.
type RateLimit struct {
	// Requests is how many requests get 429; values below 1 mean 1.
	Requests int
	// RetryAfter is the delay the responses ask for. It is sent in whole
	// seconds, rounded up, in the Retry-After header (or in the body, see
	// InBody and Quirks.LegacyRateLimit); X-RateLimit-Reset is the
	// request's time plus RetryAfter. Zero means one second.
	RetryAfter time.Duration
	// Limit and Remaining are sent as given in X-RateLimit-Limit and
	// X-RateLimit-Remaining.
	Limit, Remaining int
	// InBody moves the delay from the Retry-After header to the problem
	// body's retryAfterMs.
	InBody bool
}

// fault is an injected failure waiting for requests.
type fault struct {
	remaining int
	rateLimit *RateLimit // nil for a plain status
	status    int
}

// InjectRateLimit makes the next rl.Requests requests, on any route
// (streams included, and unknown routes too), get 429 Too Many Requests.
// Injected faults queue up in call order: this one applies once those
// injected before it are used up.
func (s *Server) InjectRateLimit(rl RateLimit) {
	if rl.Requests < 1 {
		rl.Requests = 1
	}
	if rl.RetryAfter <= 0 {
		rl.RetryAfter = time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{remaining: rl.Requests, rateLimit: &rl})
}

// InjectStatus makes the next n requests, on any route, get status with a
// problem body (or the legacy envelope under Quirks.LegacyErrors) whose
// code matches the status: INTERNAL_ERROR for 500, SERVICE_UNAVAILABLE for
// 503 and so on; 408, 429 and 5xx say retryable. It panics unless status
// is in 400..599. Faults queue up in call order, as with InjectRateLimit.
// n < 1 injects nothing.
func (s *Server) InjectStatus(n int, status int) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("bookstracktest: InjectStatus with status %d, want 400..599", status))
	}
	if n < 1 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{remaining: n, status: status})
}

// takeFaultLocked uses one request's worth of the oldest injected fault.
func (s *Server) takeFaultLocked() (fault, bool) {
	if len(s.faults) == 0 {
		return fault{}, false
	}
	f := s.faults[0]
	s.faults[0].remaining--
	if s.faults[0].remaining == 0 {
		s.faults = s.faults[1:]
	}
	return f, true
}

func (c *call) writeFault(f fault) {
	if f.rateLimit != nil {
		c.rateLimited(*f.rateLimit)
		return
	}
	c.fail(problem{
		status:    f.status,
		code:      statusCode(f.status),
		detail:    fmt.Sprintf("injected %d %s", f.status, http.StatusText(f.status)),
		retryable: retryableStatus(f.status),
	})
}

func (c *call) rateLimited(rl RateLimit) {
	secs := int64((rl.RetryAfter + time.Second - 1) / time.Second)
	h := c.w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(rl.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rl.Remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(c.now.Add(rl.RetryAfter).UnixMilli(), 10))
	detail := fmt.Sprintf("Rate limit exceeded. Try again in %d seconds.", secs)
	if c.s.cfg.quirks.LegacyRateLimit {
		body := legacyRateLimitBody{
			Error: detail,
			Code:  "RATE_LIMIT_EXCEEDED",
			Details: legacyRateLimitDetails{
				RetryAfter: secs,
				Limit:      rl.Limit,
				Remaining:  rl.Remaining,
			},
		}
		if c.s.cfg.quirks.StatusMismatch {
			mismatch := 500
			body.Status = &mismatch
		}
		c.writeJSON(http.StatusTooManyRequests, "application/json", body)
		return
	}
	p := problem{status: http.StatusTooManyRequests, code: "RATE_LIMIT_EXCEEDED", detail: detail, retryable: true}
	if rl.InBody {
		p.retryAfterMs = rl.RetryAfter.Milliseconds()
	} else {
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	c.fail(p)
}

type legacyRateLimitBody struct {
	Error   string                 `json:"error"`
	Code    string                 `json:"code"`
	Status  *int                   `json:"status,omitempty"`
	Details legacyRateLimitDetails `json:"details"`
}

type legacyRateLimitDetails struct {
	RetryAfter int64 `json:"retryAfter"`
	Limit      int   `json:"limit"`
	Remaining  int   `json:"remaining"`
}
