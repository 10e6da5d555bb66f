package api

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/timing"
	"github.com/bookstrack/bookstrack-go/sse"
)

// retry makes an idempotent call (status, results, cancel), retrying it
// up to the client's retry count after a failure Retryable accepts. The
// last failure is returned as it is; a context that ends stops the
// retries with the context's error.
func (c *Client) retry(ctx context.Context, op bookstrack.Op, method, u string) (json.RawMessage, error) {
	for attempt := 0; ; attempt++ {
		data, err := c.do(ctx, op, method, u, "", nil)
		if err == nil || attempt >= c.retries || ctx.Err() != nil {
			return data, err
		}
		wait, ok := RetryDelay(err, attempt, c.maxDelay)
		if !ok {
			return nil, err
		}
		if serr := timing.Sleep[sse.Timer](ctx, c.clock, wait, nil); serr != nil {
			return nil, err
		}
	}
}

// RetryDelay decides whether a failed call may be retried and after how
// long: a 429 waits what the server asked for (already capped), a 5xx, a
// timeout or a network error waits 500 ms doubled per attempt, capped at
// limit. Other API errors (4xx) are final. It does no I/O.
func RetryDelay(err error, attempt int, limit time.Duration) (time.Duration, bool) {
	backoff := min(time.Duration(500*time.Millisecond)<<min(attempt, 20), limit)
	var rl *bookstrack.RateLimitError
	if errors.As(err, &rl) {
		if rl.RetryAfter > 0 {
			return min(rl.RetryAfter, limit), true
		}
		return backoff, true
	}
	var ae *bookstrack.APIError
	if errors.As(err, &ae) {
		return backoff, ae.StatusCode >= 500
	}
	var de *bookstrack.DecodeError
	if errors.As(err, &de) || errors.Is(err, bookstrack.ErrNoRoute) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return 0, false
	}
	return backoff, true // network error or header timeout
}
