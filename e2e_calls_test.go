package bookstrack_test

// Issue 6 item 7, end to end with default options: Start, Status,
// Results and Cancel do not hang on a server that never answers, and
// Status, Results and Cancel recover from 429, 5xx and network errors
// with bounded retries; Start is never retried.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// headerTimeout is the calls' default response-header timeout.
const headerTimeout = 30 * time.Second

// notHeaderTimeout matches the waits of a call other than its
// response-header timeout: the waits between retries.
func notHeaderTimeout(d time.Duration) bool { return d != headerTimeout }

// runCall runs call in a goroutine, advancing clk by each timer that
// match as it is armed, and returns the call's error and those delays.
func runCall(t *testing.T, ctx context.Context, clk *spyClock, match func(time.Duration) bool, call func(context.Context) error) ([]time.Duration, error) {
	t.Helper()
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		err = call(ctx)
	}()
	waited, werr := clk.advanceEach(ctx, match, done)
	require.NoError(t, werr)
	<-done
	return waited, err
}

func TestCallsToAServerThatNeverAnswersEndWithErrTimeoutAfterTheDefaultBounds(t *testing.T) {
	calls := map[string]struct {
		call   func(context.Context, *csvimport.Client) error
		delays []time.Duration // every timer armed, in order
	}{
		"Start is not retried": {func(ctx context.Context, c *csvimport.Client) error {
			_, err := c.Start(ctx, strings.NewReader(libraryCSV))
			return err
		}, []time.Duration{headerTimeout}},
		"Status is retried 3 times": {func(ctx context.Context, c *csvimport.Client) error {
			_, err := c.Status(ctx, scriptedJobID)
			return err
		}, retriedTimeouts},
		"Results is retried 3 times": {func(ctx context.Context, c *csvimport.Client) error {
			_, err := c.Results(ctx, scriptedJobID)
			return err
		}, retriedTimeouts},
		"Cancel is retried 3 times": {func(ctx context.Context, c *csvimport.Client) error {
			return c.Cancel(ctx, scriptedJobID)
		}, retriedTimeouts},
	}
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			hung := newSilentServer(t)
			clientClock := newSpyClock(t0)
			c, err := csvimport.NewClient(bookstrack.WithBaseURL(hung.URL), bookstrack.WithClock(clientClock))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a bound for the bug, far above the fake clock's
			defer cancel()
			all := func(time.Duration) bool { return true } // one timer at a time: a header timeout, then a retry's wait
			waited, err := runCall(t, ctx, clientClock, all, func(ctx context.Context) error { return tc.call(ctx, c) })
			require.ErrorIs(t, err, bookstrack.ErrTimeout, "got %v", err)
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end it")
			assert.Equal(t, tc.delays, waited)
		})
	}
}

// retriedTimeouts are the timers of a call retried 3 times after header
// timeouts: each attempt's timeout, and the backoff from 500 ms.
var retriedTimeouts = []time.Duration{
	headerTimeout, 500 * time.Millisecond,
	headerTimeout, time.Second,
	headerTimeout, 2 * time.Second,
	headerTimeout,
}

func TestStatusResultsAndCancelRecoverFrom5xxAnd429WithBackoffAndRetryAfter(t *testing.T) {
	t.Run("Status after two 503", func(t *testing.T) {
		f := setup(t)
		clientClock := newSpyClock(t0)
		c, err := enrichment.NewClient(f.defaults(clientClock)...)
		require.NoError(t, err)
		job := f.startEnrichment(c, catalogueISBN(0))
		f.srv.InjectStatus(2, http.StatusServiceUnavailable)
		var p bookstrack.Progress
		waited, err := runCall(t, f.ctx, clientClock, notHeaderTimeout, func(ctx context.Context) (err error) {
			p, err = c.Status(ctx, job.ID)
			return err
		})
		require.NoError(t, err)
		assert.Equal(t, job.ID, p.JobID)
		assert.Equal(t, []time.Duration{500 * time.Millisecond, time.Second}, waited, "exponential backoff from 500 ms")
		assert.Len(t, f.statusRequests(job.ID), 3)
	})
	t.Run("Results after a 429 with Retry-After", func(t *testing.T) {
		f := setup(t)
		clientClock := newSpyClock(t0)
		c, err := enrichment.NewClient(f.defaults(clientClock)...)
		require.NoError(t, err)
		job := f.startEnrichment(c, catalogueISBN(0))
		f.finishJob(job.ID)
		f.srv.InjectRateLimit(bookstracktest.RateLimit{Requests: 1, RetryAfter: 7 * time.Second})
		var res *enrichment.Results
		waited, err := runCall(t, f.ctx, clientClock, notHeaderTimeout, func(ctx context.Context) (err error) {
			res, err = c.Results(ctx, job.ID)
			return err
		})
		require.NoError(t, err)
		assert.Len(t, res.Books, 1)
		assert.Equal(t, []time.Duration{7 * time.Second}, waited, "the wait the server asked for")
		assert.Len(t, f.requests(http.MethodGet, job.ID+"/results"), 2)
	})
	t.Run("Cancel after a 500", func(t *testing.T) {
		f := setup(t)
		clientClock := newSpyClock(t0)
		c, err := enrichment.NewClient(f.defaults(clientClock)...)
		require.NoError(t, err)
		job := f.startEnrichment(c, catalogueISBN(0))
		f.srv.InjectStatus(1, http.StatusInternalServerError)
		waited, err := runCall(t, f.ctx, clientClock, notHeaderTimeout, func(ctx context.Context) error { return c.Cancel(ctx, job.ID) })
		require.NoError(t, err)
		assert.Equal(t, []time.Duration{500 * time.Millisecond}, waited)
		info, ok := f.srv.Job(job.ID)
		require.True(t, ok)
		assert.Equal(t, bookstrack.StatusCanceled, info.Status)
	})
	t.Run("Status after the connection is cut mid-answer", func(t *testing.T) {
		api := ssetest.NewServer(t,
			ssetest.Script{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}, "Content-Length": {"200"}},
				Steps: []ssetest.Step{ssetest.Raw(`{"success":true,"data":{"jobId":`), ssetest.Drop()}},
			statusScript(`"status":"processing"`, `"progress":0.25`))
		clientClock := newSpyClock(t0)
		c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(clientClock))
		require.NoError(t, err)
		var p bookstrack.Progress
		waited, err := runCall(t, guard(t), clientClock, notHeaderTimeout, func(ctx context.Context) (err error) {
			p, err = c.Status(ctx, scriptedJobID)
			return err
		})
		require.NoError(t, err)
		assert.Equal(t, 0.25, p.Fraction)
		assert.Equal(t, []time.Duration{500 * time.Millisecond}, waited)
		assert.Len(t, api.Requests(), 2)
	})
}

func TestCallRetriesAreBoundedAndEndWithTheLastFailure(t *testing.T) {
	f := setup(t)
	clientClock := newSpyClock(t0)
	c, err := enrichment.NewClient(f.defaults(clientClock)...)
	require.NoError(t, err)
	job := f.startEnrichment(c, catalogueISBN(0))
	f.srv.InjectStatus(10, http.StatusServiceUnavailable)
	waited, err := runCall(t, f.ctx, clientClock, notHeaderTimeout, func(ctx context.Context) error {
		_, err := c.Status(ctx, job.ID)
		return err
	})
	var apiErr *bookstrack.APIError
	require.True(t, errors.As(err, &apiErr), "got %v", err)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, bookstrack.OpStatus, apiErr.Op)
	assert.Equal(t, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}, waited)
	assert.Len(t, f.statusRequests(job.ID), 4, "the first try and the default 3 retries")
}

func TestA4xxIsNotRetried(t *testing.T) {
	f := setup(t)
	clientClock := newSpyClock(t0)
	c, err := enrichment.NewClient(f.defaults(clientClock)...)
	require.NoError(t, err)
	waited, err := runCall(t, f.ctx, clientClock, notHeaderTimeout, func(ctx context.Context) error {
		_, err := c.Status(ctx, unknownJobID)
		return err
	})
	require.ErrorIs(t, err, bookstrack.ErrJobNotFound)
	assert.Empty(t, waited)
	assert.Len(t, f.statusRequests(unknownJobID), 1)
}

func TestStartIsNeverRetried(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := setup(t)
			clientClock := newSpyClock(t0)
			c, err := enrichment.NewClient(f.defaults(clientClock)...)
			require.NoError(t, err)
			f.srv.InjectStatus(1, status)
			waited, err := runCall(t, f.ctx, clientClock, notHeaderTimeout, func(ctx context.Context) error {
				_, err := c.Start(ctx, []string{catalogueISBN(0)})
				return err
			})
			var apiErr *bookstrack.APIError
			require.True(t, errors.As(err, &apiErr), "got %v", err)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Empty(t, waited)
			assert.Len(t, f.requests(http.MethodPost, "/v3/books/enrich"), 1, "a start is not idempotent")
		})
	}
}

func TestTheCallBoundsAreConfigurableAndRetriesCanBeTurnedOff(t *testing.T) {
	t.Run("a shorter response-header timeout", func(t *testing.T) {
		hung := newSilentServer(t)
		clientClock := newSpyClock(t0)
		c, err := csvimport.NewClient(bookstrack.WithBaseURL(hung.URL), bookstrack.WithClock(clientClock),
			bookstrack.WithResponseHeaderTimeout(5*time.Second), bookstrack.WithCallRetries(1))
		require.NoError(t, err)
		all := func(time.Duration) bool { return true }
		waited, err := runCall(t, guard(t), clientClock, all, func(ctx context.Context) error {
			_, err := c.Status(ctx, scriptedJobID)
			return err
		})
		require.ErrorIs(t, err, bookstrack.ErrTimeout)
		assert.Equal(t, []time.Duration{5 * time.Second, 500 * time.Millisecond, 5 * time.Second}, waited, "one retry")
	})
	t.Run("retries off", func(t *testing.T) {
		f := setup(t)
		clientClock := newSpyClock(t0)
		c, err := enrichment.NewClient(f.defaults(clientClock, bookstrack.WithCallRetries(-1))...)
		require.NoError(t, err)
		job := f.startEnrichment(c, catalogueISBN(0))
		f.srv.InjectStatus(1, http.StatusServiceUnavailable)
		waited, err := runCall(t, f.ctx, clientClock, notHeaderTimeout, func(ctx context.Context) error {
			_, err := c.Status(ctx, job.ID)
			return err
		})
		var apiErr *bookstrack.APIError
		require.True(t, errors.As(err, &apiErr), "got %v", err)
		assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
		assert.Empty(t, waited)
		assert.Len(t, f.statusRequests(job.ID), 1)
	})
}
