package enrichment_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

func TestEndToEnd(t *testing.T) {
	cat := bookstracktest.Catalogue()
	isbns := []string{cat[0].ISBN13, cat[2].ISBN10, cat[5].ISBN13, "9781234567897"}
	for name, routes := range jobtest.RouteSets {
		t.Run(name, func(t *testing.T) {
			srv, opts := jobtest.Fake(t, routes, bookstracktest.WithEnrichmentBatch(2)) // several updates
			c, err := enrichment.NewClient(opts...)
			require.NoError(t, err)
			ctx := jobtest.Context(t)

			job, err := c.Start(ctx, isbns)
			require.NoError(t, err)
			assert.Equal(t, bookstrack.KindEnrichment, job.Kind)

			var rec jobtest.Recorder
			_, err = c.Watch(ctx, job, rec.Handlers())
			require.NoError(t, err)
			rec.CheckProgress(t)

			res, err := c.Results(ctx, job.ID)
			require.NoError(t, err)
			var titles []string
			for _, b := range res.Books {
				titles = append(titles, b.Title)
				assert.NotEmpty(t, b.Authors)
			}
			assert.ElementsMatch(t, []string{cat[0].Title, cat[2].Title, cat[5].Title}, titles)
			assert.Equal(t, []string{"9781234567897"}, res.NotFound)

			paths := jobtest.Paths(srv)
			assert.Equal(t, "POST /v3/books/enrich", paths[0], "the plan has no v2 start route for enrichment")
			if name == "v2" {
				assert.Contains(t, paths, "GET /api/v2/enrichments/"+job.ID+"/stream")
				assert.Contains(t, paths, "GET /api/v2/enrichments/"+job.ID+"/results")
			} else {
				assert.Contains(t, paths, "GET /v3/jobs/enrichment/"+job.ID+"/stream")
				assert.Contains(t, paths, "GET /v3/jobs/enrichment/"+job.ID+"/results")
			}
		})
	}
}

func TestResultsBeforeCompletionUnavailable(t *testing.T) {
	_, opts := jobtest.Frozen(t, bookstrack.V3)
	c, err := enrichment.NewClient(opts...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, []string{bookstracktest.Catalogue()[0].ISBN13})
	require.NoError(t, err)
	_, err = c.Results(ctx, job.ID)
	assert.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	var apiErr *bookstrack.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.NotEmpty(t, apiErr.RequestID)
}
