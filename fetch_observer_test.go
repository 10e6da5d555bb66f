package bookstrack_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
)

// WithFetchObserver: each results fetch is reported with its outcome.

func TestFetchObserverIsToldOfEachResultsFetchAndItsOutcome(t *testing.T) {
	f := setup(t)
	var seen []bookstrack.FetchInfo
	c := f.enrichments(bookstrack.WithFetchObserver(func(i bookstrack.FetchInfo) { seen = append(seen, i) }))
	job := f.startEnrichment(c, catalogueISBN(0))
	f.complete(f.follow(c.Watch, job))

	_, err := c.Results(f.ctx, job.ID)
	require.NoError(t, err)
	_, missErr := c.Results(f.ctx, missingJob)
	require.ErrorIs(t, missErr, bookstrack.ErrResultsUnavailable)

	require.Len(t, seen, 2, "one report per fetch, none for the watch")
	assert.Equal(t, bookstrack.FetchInfo{Kind: bookstrack.KindEnrichment, JobID: job.ID}, seen[0])
	assert.Equal(t, bookstrack.KindEnrichment, seen[1].Kind)
	assert.Equal(t, missingJob, seen[1].JobID)
	assert.Equal(t, http.StatusNotFound, seen[1].StatusCode)
	assert.Equal(t, missErr, seen[1].Err, "the error Results returned")
}

func TestFetchObserverIsNotToldOfAnInvalidJobID(t *testing.T) {
	f := setup(t)
	called := false
	c := f.imports(bookstrack.WithFetchObserver(func(bookstrack.FetchInfo) { called = true }), bookstrack.WithFetchObserver(nil))
	_, err := c.Results(f.ctx, "../etc")
	require.ErrorAs(t, err, new(*bookstrack.InputError))
	assert.False(t, called, "no request, no fetch")
}
