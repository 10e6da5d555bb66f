package bookstrack_test

// Issue 6 item 6, end to end with default options: errors say what
// happened. ErrJobNotFound only where a 404 means it, a give-up prints
// its last failure once, every Retry-After and poll wait is capped, and
// context errors follow one policy.

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
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// unknownJobID is a well-formed job ID the fake never gave out.
const unknownJobID = "0b7c3d9e-1f2a-4b5c-8d6e-7f8091a2b3c4"

func TestA404MatchesErrJobNotFoundOnlyOnTheRoutesWhereItMeansThat(t *testing.T) {
	f := setup(t)
	c, err := enrichment.NewClient(f.defaults(ssetest.NewClock(t0))...)
	require.NoError(t, err)

	_, err = c.Results(f.ctx, unknownJobID)
	require.ErrorIs(t, err, bookstrack.ErrNotFound)
	assert.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	assert.NotErrorIs(t, err, bookstrack.ErrJobNotFound, "a results 404 may mean not ready or expired")
	job := f.startEnrichment(c, catalogueISBN(0)) // running: no results yet
	_, err = c.Results(f.ctx, job.ID)
	require.ErrorIs(t, err, bookstrack.ErrNotFound)
	assert.NotErrorIs(t, err, bookstrack.ErrJobNotFound, "the job exists: its results are not ready")

	_, err = c.Status(f.ctx, unknownJobID)
	assert.ErrorIs(t, err, bookstrack.ErrJobNotFound)
	err = c.Cancel(f.ctx, unknownJobID)
	assert.ErrorIs(t, err, bookstrack.ErrJobNotFound)
}

// backoff matches the delays of a stream's reconnections: every timer
// but the stream's response-header (30 s), error-body (10 s) and idle
// (75 s) timeouts and the watch's stall timeout (15 min).
func backoff(d time.Duration) bool {
	return d != 30*time.Second && d != 10*time.Second && d != 75*time.Second && d != 15*time.Minute
}

func TestAWatchThatGivesUpOnAnAPIErrorPrintsThatFailureOnce(t *testing.T) {
	const detail = "the stream service is overloaded"
	api := ssetest.NewServer(t, jsonScript(http.StatusServiceUnavailable,
		`{"type":"about:blank","title":"Service Unavailable","status":503,"code":"SERVICE_UNAVAILABLE","detail":"`+detail+`"}`,
		"Content-Type", "application/problem+json", "X-Request-ID", "req-7f3a"))
	clientClock := newSpyClock(t0)
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(clientClock))
	require.NoError(t, err)
	ctx := guard(t)
	job := bookstrack.Job{ID: scriptedJobID, Kind: bookstrack.KindImport, Token: scriptedToken,
		StreamURL: api.URL + "/v3/jobs/imports/" + scriptedJobID + "/stream"}

	done := make(chan struct{})
	var watchErr error
	go func() {
		defer close(done)
		_, watchErr = c.Watch(ctx, job, bookstrack.Handlers{})
	}()
	_, err = clientClock.advanceEach(ctx, backoff, done)
	require.NoError(t, err)
	<-done

	var gu *sse.GiveUpError
	require.True(t, errors.As(watchErr, &gu), "got %v", watchErr)
	var apiErr *bookstrack.APIError
	require.True(t, errors.As(watchErr, &apiErr), "got %v", watchErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, "req-7f3a", apiErr.RequestID)
	msg := watchErr.Error()
	assert.Equal(t, 1, strings.Count(msg, detail), "the failure is printed once: %s", msg)
	assert.Equal(t, 1, strings.Count(msg, "503"), "the status is printed once: %s", msg)
	assert.NotContains(t, msg, scriptedToken)
}

func TestAHugeRetryAfterIsCappedByTheMaximumRetryDelay(t *testing.T) {
	const maxDelay = 5 * time.Minute // the default
	for name, retryAfter := range map[string]string{
		"an HTTP date in 2099":    "Wed, 21 Oct 2099 07:28:00 GMT",
		"99999999999 seconds":     "99999999999",
		"a date an hour from now": t0.Add(time.Hour).Format(http.TimeFormat),
	} {
		t.Run(name, func(t *testing.T) {
			api := ssetest.NewServer(t, jsonScript(http.StatusTooManyRequests,
				`{"title":"Too Many Requests","status":429,"code":"RATE_LIMITED"}`, "Retry-After", retryAfter))
			clientClock := newSpyClock(t0)
			c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(clientClock))
			require.NoError(t, err)
			ctx := guard(t)
			done := make(chan struct{})
			var statusErr error
			go func() {
				defer close(done)
				_, statusErr = c.Status(ctx, scriptedJobID)
			}()
			waited, err := clientClock.advanceEach(ctx, func(d time.Duration) bool { return d != 30*time.Second }, done)
			require.NoError(t, err)
			<-done

			var rl *bookstrack.RateLimitError
			require.True(t, errors.As(statusErr, &rl), "got %v", statusErr)
			assert.Equal(t, maxDelay, rl.RetryAfter, "the wait reported")
			assert.Equal(t, []time.Duration{maxDelay, maxDelay, maxDelay}, waited, "the waits between the default 3 retries")
			assert.Len(t, api.Requests(), 4)
		})
	}
}

// Call retries are off here, so that the poll's own wait shows; with
// them on, the call's waits are capped alike (see the test above).
func TestAPollAfterARateLimitWaitsNoLongerThanTheMaximumRetryDelay(t *testing.T) {
	const maxDelay = 5 * time.Minute // the default
	limited := jsonScript(http.StatusTooManyRequests, `{"title":"Too Many Requests","status":429,"code":"RATE_LIMITED"}`,
		"Retry-After", "Wed, 21 Oct 2099 07:28:00 GMT")
	scripts := timeoutScripts(limited, statusScript(`"status":"completed"`, `"progress":1`, `"completedAt":"2026-01-02T03:00:00Z"`))
	api := ssetest.NewServer(t, scripts...)
	clientClock := newSpyClock(t0)
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(clientClock), bookstrack.WithCallRetries(-1))
	require.NoError(t, err)
	ctx := guard(t)
	job, err := c.Start(ctx, strings.NewReader(libraryCSV))
	require.NoError(t, err)

	done := make(chan struct{})
	var watchErr error
	var problems []error
	go func() {
		defer close(done)
		_, watchErr = c.Watch(ctx, job, bookstrack.Handlers{Error: func(err error) { problems = append(problems, err) }})
	}()
	// The poll's wait is the one timer that is not a timeout of the
	// calls (30 s), of the stream (75 s) or the stall timer (15 min).
	pollWait := func(d time.Duration) bool { return d != 30*time.Second && d != 75*time.Second && d != 15*time.Minute }
	d, stopped, err := clientClock.waitArmedOr(ctx, 1, pollWait, done)
	require.NoError(t, err)
	require.False(t, stopped, "the watch ended without waiting: %v", watchErr)
	require.LessOrEqual(t, d, maxDelay, "the poll waits what the server asked for, uncapped")
	assert.Equal(t, maxDelay, d)
	clientClock.Advance(d)
	<-done
	require.NoError(t, watchErr)
	assert.Len(t, api.Requests(), len(scripts), "polled again after the capped wait")
	var rl *bookstrack.RateLimitError
	require.Len(t, problems, 2, "the timeout event and the rate limit: %v", problems)
	require.True(t, errors.As(problems[1], &rl), "got %v", problems[1])
	assert.Equal(t, maxDelay, rl.RetryAfter)
}

func TestContextErrorsFollowOnePolicyAcrossWatchAndTheCalls(t *testing.T) {
	f := setup(t)
	c, err := enrichment.NewClient(f.defaults(ssetest.NewClock(t0))...)
	require.NoError(t, err)
	job := f.startEnrichment(c, catalogueISBN(0))

	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		ctx, cancel := context.WithCancel(context.Background())
		if cause == context.DeadlineExceeded {
			ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}
		cancel()
		_, errWatch := c.Watch(ctx, job, bookstrack.Handlers{})
		_, errStatus := c.Status(ctx, job.ID)
		_, errResults := c.Results(ctx, job.ID)
		errCancel := c.Cancel(ctx, job.ID)
		_, errStart := c.Start(ctx, []string{catalogueISBN(1)})
		for name, err := range map[string]error{"Watch": errWatch, "Status": errStatus, "Results": errResults, "Cancel": errCancel, "Start": errStart} {
			require.Error(t, err, name)
			assert.ErrorIs(t, err, cause, "%s: %v", name, err)
			assert.True(t, strings.HasPrefix(err.Error(), "bookstrack: "), "%s: %q does not say where it comes from", name, err)
			var apiErr *bookstrack.APIError
			assert.False(t, errors.As(err, &apiErr), "%s: a context error is not an API error", name)
		}
	}
}
