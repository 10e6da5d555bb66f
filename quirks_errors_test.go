package bookstrack_test

// Quirks of auth, error bodies, rate limits and request ids.

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// missingJob is a well-formed job id the fake never issued.
const missingJob = "5d1c7a2e-8b3f-4a6d-9e0c-2f4b6a8d0c1e"

// "There is no refresh route: an expired token is final." and "A bad or
// expired token gets 401 with either a problem body (UNAUTHORIZED) or the
// older envelope (INVALID_TOKEN, TOKEN_EXPIRED)."
func TestQuirkExpiredTokenIsFinal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		legacy bool
		code   string
	}{
		{"problem details", false, "UNAUTHORIZED"},
		{"legacy envelope", true, "TOKEN_EXPIRED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{LegacyErrors: tc.legacy}))
			c := f.imports()
			job := f.startImport(c)
			require.True(t, f.srv.ExpireToken(job.ID))
			_, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
			require.ErrorIs(t, err, bookstrack.ErrUnauthorized)
			var apiErr *bookstrack.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Len(t, f.streamRequests(job.ID), 1, "an expired token was retried")
		})
	}
	t.Run("about two hours after the start", func(t *testing.T) {
		f := setup(t)
		c := f.imports()
		job := f.startImport(c)
		require.True(t, f.srv.PauseJob(job.ID))
		f.clk.Advance(2 * time.Hour)
		_, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
		require.ErrorIs(t, err, bookstrack.ErrUnauthorized)
		assert.Len(t, f.streamRequests(job.ID), 1)
	})
	t.Run("still valid after the documented hour", func(t *testing.T) {
		f := setup(t)
		c := f.imports()
		job := f.startImport(c)
		require.True(t, f.srv.PauseJob(job.ID))
		f.clk.Advance(2*time.Hour - time.Second)
		run := f.follow(c.Watch, job)
		require.True(t, f.srv.ResumeJob(job.ID))
		f.complete(run)
		assertCompletedOnce(t, run.rec.seen())
	})
	t.Run("while watching", func(t *testing.T) {
		f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{LegacyErrors: true}))
		c := f.imports()
		job := f.startImport(c)
		run := f.follow(c.Watch, job)
		require.True(t, f.srv.ExpireToken(job.ID))
		require.Equal(t, 1, f.srv.DropStreams(job.ID))
		_, err := f.result(run)
		require.ErrorIs(t, err, bookstrack.ErrUnauthorized)
		var apiErr *bookstrack.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "TOKEN_EXPIRED", apiErr.Code)
		assert.Len(t, f.streamRequests(job.ID), 2, "one reconnection, refused for good")
	})
}

// "A bad ... token gets 401 with either a problem body (UNAUTHORIZED) or
// the older envelope (INVALID_TOKEN ...)"
func TestQuirkBadTokenUnauthorized(t *testing.T) {
	for _, tc := range []struct {
		name   string
		legacy bool
		code   string
	}{
		{"problem details", false, "UNAUTHORIZED"},
		{"legacy envelope", true, "INVALID_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{LegacyErrors: tc.legacy}))
			c := f.imports()
			job, other := f.startImport(c), f.startImport(c)
			job.Token = other.Token // well-formed, but another job's
			_, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
			require.ErrorIs(t, err, bookstrack.ErrUnauthorized)
			var apiErr *bookstrack.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Len(t, f.streamRequests(job.ID), 1)
		})
	}
}

// "The plan asked whether a query parameter (?token=) could carry it
// instead; the v3 server does not accept that, but the client should
// offer it as an option for servers that do."
func TestQuirkQueryTokenRefusedByV3(t *testing.T) {
	f := setup(t)
	c := f.imports(bookstrack.WithQueryToken("token"))
	job := f.startImport(c)
	_, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
	require.ErrorIs(t, err, bookstrack.ErrUnauthorized)
	reqs := f.streamRequests(job.ID)
	require.Len(t, reqs, 1)
	assert.Equal(t, "token="+job.Token, reqs[0].RawQuery)
	assert.Empty(t, reqs[0].Header.Get("Authorization"))
	assert.NotContains(t, err.Error(), job.Token, "the token leaked into the error")
	var apiErr *bookstrack.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, apiErr.URL, "?")
}

// "Status, results and cancel need no auth."
func TestQuirkNoAuthOutsideStream(t *testing.T) {
	f := setup(t)
	c := f.enrichments()
	job := f.startEnrichment(c, catalogueISBN(0))
	f.complete(f.follow(c.Watch, job))
	_, err := c.Status(f.ctx, job.ID)
	require.NoError(t, err)
	_, err = c.Results(f.ctx, job.ID)
	require.NoError(t, err)
	other := f.startEnrichment(c, catalogueISBN(1))
	require.NoError(t, c.Cancel(f.ctx, other.ID))
	for _, r := range f.srv.Requests() {
		if !strings.HasSuffix(r.Path, "/stream") {
			assert.Empty(t, r.Header.Get("Authorization"), "%s %s", r.Method, r.Path)
		}
	}
}

// "Errors are RFC 9457 problem details: type, title, status, detail,
// instance, plus code, retryable ... Sent as application/json or
// application/problem+json; success:false may or may not be present."
func TestQuirkProblemDetailsErrors(t *testing.T) {
	f := setup(t)
	c := f.scans()
	// A route's own 404 carries success:false.
	_, err := c.Status(f.ctx, missingJob)
	require.ErrorIs(t, err, bookstrack.ErrJobNotFound)
	require.ErrorIs(t, err, bookstrack.ErrNotFound)
	var apiErr *bookstrack.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "NOT_FOUND", apiErr.Code)
	assert.Equal(t, "Not Found", apiErr.Title)
	assert.NotEmpty(t, apiErr.Type)
	assert.Equal(t, "/v3/jobs/scans/"+missingJob, apiErr.Instance)
	assert.Contains(t, apiErr.Detail, missingJob)
	assert.False(t, apiErr.Retryable)
	// An injected fault's body has no success member.
	f.srv.InjectStatus(1, http.StatusServiceUnavailable)
	_, err = c.Status(f.ctx, missingJob)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, "SERVICE_UNAVAILABLE", apiErr.Code)
	assert.True(t, apiErr.Retryable)
	assert.NotErrorIs(t, err, bookstrack.ErrNotFound)
}

// "Older shapes still appear: {success:false, error:{code, message,
// retryable, details}, metadata}"
func TestQuirkLegacyErrorEnvelope(t *testing.T) {
	f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{LegacyErrors: true}))
	c := f.enrichments()
	_, err := c.Status(f.ctx, missingJob)
	require.ErrorIs(t, err, bookstrack.ErrJobNotFound)
	var apiErr *bookstrack.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "NOT_FOUND", apiErr.Code)
	assert.Contains(t, apiErr.Detail, missingJob)
	assert.Equal(t, f.lastRequest().RequestID, apiErr.RequestID)

	f.srv.InjectStatus(1, http.StatusInternalServerError)
	_, err = c.Results(f.ctx, missingJob)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
	assert.Equal(t, "INTERNAL_ERROR", apiErr.Code)
	assert.True(t, apiErr.Retryable)
	assert.NotErrorIs(t, err, bookstrack.ErrResultsUnavailable)
}

// "The body's status can disagree with the HTTP status: trust the HTTP
// status line."
func TestQuirkBodyStatusDisagrees(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		name := map[bool]string{false: "problem details", true: "legacy envelope"}[legacy]
		t.Run(name, func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{StatusMismatch: true, LegacyErrors: legacy, LegacyRateLimit: legacy}))
			c := f.imports()
			_, err := c.Status(f.ctx, missingJob) // the body says 500
			var apiErr *bookstrack.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
			assert.ErrorIs(t, err, bookstrack.ErrJobNotFound)

			f.srv.InjectStatus(1, http.StatusBadGateway) // the body says 400
			_, err = c.Status(f.ctx, missingJob)
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
			assert.NotErrorIs(t, err, bookstrack.ErrInvalidRequest)

			f.srv.InjectRateLimit(bookstracktest.RateLimit{RetryAfter: time.Second})
			_, err = c.Status(f.ctx, missingJob) // the body says 500
			assert.ErrorAs(t, err, new(*bookstrack.RateLimitError))
		})
	}
}

// "429 may carry Retry-After (seconds), X-RateLimit-Limit, -Remaining,
// -Reset (epoch milliseconds). Prefer Retry-After, then retryAfterMs, then
// details.retryAfter." and "a rate-limit body {error, code:
// RATE_LIMIT_EXCEEDED, details:{retryAfter:seconds,...}}"
func TestQuirkRateLimitRetryAfterSources(t *testing.T) {
	for _, tc := range []struct {
		name   string
		quirks bookstracktest.Quirks
		inBody bool
		wait   time.Duration // what the fake sends
		want   time.Duration
	}{
		{"Retry-After header", bookstracktest.Quirks{}, false, 3 * time.Second, 3 * time.Second},
		{"retryAfterMs", bookstracktest.Quirks{}, true, 1500 * time.Millisecond, 1500 * time.Millisecond},
		{"details.retryAfter", bookstracktest.Quirks{LegacyRateLimit: true}, false, 2 * time.Second, 2 * time.Second},
		{"legacy envelope details", bookstracktest.Quirks{LegacyErrors: true}, true, 1500 * time.Millisecond, 1500 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(tc.quirks))
			c := f.imports()
			f.srv.InjectRateLimit(bookstracktest.RateLimit{RetryAfter: tc.wait, Limit: 60, Remaining: 0, InBody: tc.inBody})
			_, err := c.Status(f.ctx, missingJob)
			require.ErrorAs(t, err, new(*bookstrack.RateLimitError))
			var rl *bookstrack.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, tc.want, rl.RetryAfter)
			assert.Equal(t, 60, rl.Limit)
			assert.Equal(t, 0, rl.Remaining)
			assert.True(t, rl.Reset.Equal(t0.Add(tc.wait)), "reset %v", rl.Reset)
			var apiErr *bookstrack.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusTooManyRequests, apiErr.StatusCode)
			assert.Equal(t, "RATE_LIMIT_EXCEEDED", apiErr.Code)
		})
	}
}

// Rate limits while polling after a timeout event: "at most one request
// every 2 s", and no sooner than the 429 asked.
func TestQuirkRateLimitHonouredWhilePolling(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	require.True(t, f.srv.PauseJob(job.ID))
	f.waitFor(run, func(s seen) bool { return len(s.progress) == 1 })
	f.heartbeats(9, "event: ping\n")
	f.srv.InjectRateLimit(bookstracktest.RateLimit{RetryAfter: 5 * time.Second}) // for the first poll
	f.clk.Advance(ping)                                                          // 5 minutes: the timeout event
	require.NoError(t, f.tap.waitResponses(f.ctx, http.MethodGet, "/"+job.ID, 1))
	require.True(t, f.srv.ResumeJob(job.ID))
	f.driveWhilePending(run, 500*time.Millisecond, 2)
	_, err := f.result(run)
	require.NoError(t, err)
	assertCompletedOnce(t, run.rec.seen())
	require.NotEmpty(t, errorsMatching[*bookstrack.RateLimitError](run.rec.seen().errs), "the 429 was not reported")
	polls := f.statusRequests(job.ID)
	require.GreaterOrEqual(t, len(polls), 2)
	assert.GreaterOrEqual(t, polls[1].Time.Sub(polls[0].Time), 5*time.Second, "polled again before Retry-After")
}

// "Every response may carry X-Request-ID: keep it on errors, users quote
// it to support."
func TestQuirkRequestIDKept(t *testing.T) {
	f := setup(t)
	c := f.imports()
	check := func(what string, err error) {
		t.Helper()
		var apiErr *bookstrack.APIError
		require.ErrorAs(t, err, &apiErr, what)
		id := f.lastRequest().RequestID
		require.NotEmpty(t, id)
		assert.Equal(t, id, apiErr.RequestID, what)
		assert.Contains(t, err.Error(), id, what)
	}
	_, err := c.Results(f.ctx, missingJob)
	check("call", err)

	f.srv.InjectRateLimit(bookstracktest.RateLimit{})
	_, err = c.Status(f.ctx, missingJob)
	check("rate limit", err)

	job := f.startImport(c)
	require.True(t, f.srv.ExpireToken(job.ID))
	_, err = c.Watch(f.ctx, job, bookstrack.Handlers{})
	check("stream", err)
}

// "Job ids are UUIDs; a malformed id gets 400." The client refuses one
// before any request.
func TestQuirkMalformedJobID(t *testing.T) {
	f := setup(t)
	c := f.scans()
	calls := map[string]func(id string) error{
		"Status":  func(id string) error { _, err := c.Status(f.ctx, id); return err },
		"Results": func(id string) error { _, err := c.Results(f.ctx, id); return err },
		"Cancel":  func(id string) error { return c.Cancel(f.ctx, id) },
		"Watch": func(id string) error {
			_, err := c.Watch(f.ctx, bookstrack.Job{ID: id, Token: strings.Repeat("a", 64)}, bookstrack.Handlers{})
			return err
		},
	}
	for name, call := range calls {
		for _, id := range []string{"", "42", "not-a-uuid", missingJob + "x", "../../v3/books/enrich", missingJob[:35] + "g"} {
			err := call(id)
			assert.ErrorAs(t, err, new(*bookstrack.InputError), "%s(%q)", name, id)
			var in *bookstrack.InputError
			assert.True(t, errors.As(err, &in), "%s(%q): %v", name, id, err)
		}
	}
	assert.Empty(t, f.srv.Requests())
}
