package bookstrack_test

// Issue 6 item 1, end to end with default options: the server decides
// whether results exist; the client's expiry is advice, in its own clock.

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/enrichment"
)

func TestResultsAreFetchedAndTheirExpiryIsInTheClientsClockWhenTheClocksDifferByThreeHours(t *testing.T) {
	for _, skew := range []time.Duration{3 * time.Hour, -3 * time.Hour} {
		t.Run(fmt.Sprintf("client clock %+v off the server's", skew), func(t *testing.T) {
			f := setup(t)
			clientClock := offsetClock{Clock: f.clk, offset: skew}
			c, err := enrichment.NewClient(f.defaults(clientClock)...)
			require.NoError(t, err)
			job := f.startEnrichment(c, catalogueISBN(0))
			run := f.follow(c.Watch, job)
			comp := f.complete(run)

			// The client saw the completed event at once: when the server
			// sent it (its timestamp, comp.Time), in the client's clock.
			observed := comp.Time.Add(skew)
			assert.Equal(t, observed, comp.ObservedAt, "observed in the client's clock")
			assert.Equal(t, observed.Add(resultsTTL), comp.ResultsExpireAt,
				"the expiry is the client's clock plus the TTL, not the server's completion time plus the TTL")
			assert.WithinDuration(t, f.clk.Now(), comp.Time, time.Second, "Completion.Time is by the server's clock")

			// An hour later the server still keeps the results, and the
			// client must ask for them whatever its clock says.
			f.clk.Advance(time.Hour)
			assert.False(t, comp.ResultsExpired(clientClock.Now()))
			assert.False(t, comp.ResultsExpired(clientClock.Now()))
			res, err := c.Results(f.ctx, job.ID)
			require.NoError(t, err, "results of a job the server completed an hour ago")
			require.Len(t, res.Books, 1)
			assert.Len(t, f.requests(http.MethodGet, job.ID+"/results"), 1, "the results request was made")

			// Past the TTL the client expects them gone, still asks, and
			// the server's 404 is reported as an expiry.
			f.clk.Advance(time.Hour + time.Millisecond)
			assert.True(t, comp.ResultsExpired(clientClock.Now()))
			_, err = c.Results(f.ctx, job.ID)
			require.ErrorIs(t, err, bookstrack.ErrResultsExpired)
			assert.Len(t, f.requests(http.MethodGet, job.ID+"/results"), 2, "the client asked the server")
		})
	}
}

// resultsTTL is both the fake's and the client's default results TTL.
const resultsTTL = bookstracktest.DefaultResultsTTL

func TestALateWatchSubtractsTheCompletionsAgeByTheServersClockFromTheExpiry(t *testing.T) {
	f := setup(t)
	clientClock := offsetClock{Clock: f.clk, offset: 3 * time.Hour}
	c, err := enrichment.NewClient(f.defaults(clientClock)...)
	require.NoError(t, err)
	job := f.startEnrichment(c, catalogueISBN(0))
	info := f.finishJob(job.ID)
	f.clk.Advance(30 * time.Minute) // nobody watches; the final event is sent to nobody

	run := f.goWatch(c.Watch, job) // gets the final event, completedAt 30 min old, at once
	comp, err := f.result(run)
	require.NoError(t, err)
	age := f.clk.Now().Sub(info.CompletedAt)
	assert.Equal(t, 30*time.Minute, age.Round(time.Second))
	assert.Equal(t, clientClock.Now(), comp.ObservedAt)
	assert.Equal(t, clientClock.Now().Add(resultsTTL-age), comp.ResultsExpireAt,
		"expiry = observed + TTL - age of the completion, both read on the server's clock")
	assert.Equal(t, info.CompletedAt, comp.Time, "Completion.Time is the server's completedAt")

	res, err := c.Results(f.ctx, job.ID)
	require.NoError(t, err)
	assert.Len(t, res.Books, 1)
}

func TestAResults404AfterTheTTLIsErrResultsExpiredCarryingTheServersStatusCodeTitleAndRequestID(t *testing.T) {
	f := setup(t)
	c, err := enrichment.NewClient(f.defaults(f.clk)...)
	require.NoError(t, err)
	job := f.startEnrichment(c, catalogueISBN(0))
	run := f.follow(c.Watch, job)
	comp := f.complete(run)

	f.clk.Advance(resultsTTL + time.Second)
	require.True(t, comp.ResultsExpired(f.clk.Now()))
	_, err = c.Results(f.ctx, job.ID)
	require.ErrorIs(t, err, bookstrack.ErrResultsExpired)
	require.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	reqs := f.requests(http.MethodGet, job.ID+"/results")
	require.Len(t, reqs, 1, "Results asked the server")

	var apiErr *bookstrack.APIError
	require.True(t, errors.As(err, &apiErr), "the server's answer is in the error: %v", err)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "NOT_FOUND", apiErr.Code)
	assert.NotEmpty(t, apiErr.Title)
	assert.Equal(t, reqs[0].RequestID, apiErr.RequestID, "the response's X-Request-ID")
	assert.NotEmpty(t, apiErr.RequestID)
	assert.Equal(t, bookstrack.OpResults, apiErr.Op)
}

func TestAResults404ForAJobTheClientNeverSawCompleteIsErrResultsUnavailableNotExpired(t *testing.T) {
	f := setup(t)
	c, err := enrichment.NewClient(f.defaults(f.clk)...)
	require.NoError(t, err)
	job := f.startEnrichment(c, catalogueISBN(0)) // still queued: no results yet

	_, err = c.Results(f.ctx, job.ID)
	require.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	assert.NotErrorIs(t, err, bookstrack.ErrResultsExpired, "the client never saw it complete")
	var apiErr *bookstrack.APIError
	require.True(t, errors.As(err, &apiErr), "the server's answer is in the error: %v", err)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, f.lastRequest().RequestID, apiErr.RequestID)
}
