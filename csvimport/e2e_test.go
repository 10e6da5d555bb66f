package csvimport_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

// library is a small Goodreads export: two catalogue books (one written
// twice), one unknown book and a row without a title.
func library() string {
	cat := bookstracktest.Catalogue()
	return "Book Id,Title,Author,Additional Authors,ISBN,ISBN13,Publisher,Number of Pages,Year Published\n" +
		fmt.Sprintf("1,%s,%s,,\"=\"\"\"\"\",\"=\"\"%s\"\"\",,,\n", cat[0].Title, cat[0].Authors[0], cat[0].ISBN13) +
		fmt.Sprintf("2,%s,%s,,\"=\"\"%s\"\"\",\"=\"\"\"\"\",,,\n", cat[1].Title, cat[1].Authors[0], cat[1].ISBN10) +
		fmt.Sprintf("3,%s,%s,,,\"=\"\"%s\"\"\",,,\n", cat[0].Title, cat[0].Authors[0], cat[0].ISBN13) +
		"4,A Book Nobody Has,Some One,,,\"=\"\"9781234567897\"\"\",Small Press,120,2019\n" +
		"5,,Unknown,,,,,,\n"
}

func TestEndToEnd(t *testing.T) {
	for name, routes := range jobtest.RouteSets {
		t.Run(name, func(t *testing.T) {
			srv, opts := jobtest.Fake(t, routes)
			c, err := csvimport.NewClient(opts...)
			require.NoError(t, err)
			ctx := jobtest.Context(t)

			job, err := c.Start(ctx, strings.NewReader(library()))
			require.NoError(t, err)
			assert.Equal(t, bookstrack.KindImport, job.Kind)
			assert.Len(t, job.Token, 64)

			var rec jobtest.Recorder
			comp, err := c.Watch(ctx, job, rec.Handlers())
			require.NoError(t, err)
			rec.CheckProgress(t)
			assert.Equal(t, job.ID, comp.JobID)
			assert.Equal(t, comp.ObservedAt.Add(2*time.Hour), comp.ResultsExpireAt, "the default results TTL, in the caller's clock")

			res, err := c.Results(ctx, job.ID)
			require.NoError(t, err)
			assert.Equal(t, 3, res.BooksCreated)
			assert.Equal(t, 1, res.DuplicatesSkipped)
			require.Len(t, res.Errors, 1)
			assert.Equal(t, 6, res.Errors[0].Row, "rows are numbered as in a spreadsheet, the header being row 1")
			var titles []string
			for _, b := range res.Books {
				titles = append(titles, b.Title)
			}
			cat := bookstracktest.Catalogue()
			assert.ElementsMatch(t, []string{cat[0].Title, cat[1].Title, "A Book Nobody Has"}, titles)

			st, err := c.Status(ctx, job.ID)
			if name == "v2" {
				require.ErrorIs(t, err, bookstrack.ErrNoRoute, "the v2 set has no status route")
			} else {
				require.NoError(t, err)
				assert.Equal(t, bookstrack.StatusCompleted, st.Status)
			}

			paths := jobtest.Paths(srv)
			if name == "v2" {
				assert.Equal(t, "POST /api/v2/imports", paths[0])
				assert.Contains(t, paths, "GET /api/v2/imports/"+job.ID+"/stream")
				assert.Contains(t, paths, "GET /api/v2/imports/"+job.ID+"/results")
			} else {
				assert.Equal(t, "POST /v3/jobs/imports", paths[0])
				assert.Contains(t, paths, "GET /v3/jobs/imports/"+job.ID+"/stream")
				assert.Contains(t, paths, "GET /v3/jobs/imports/"+job.ID+"/results")
			}
		})
	}
}

func TestUpdatesIterator(t *testing.T) {
	_, opts := jobtest.Fake(t, bookstrack.V3)
	c, err := csvimport.NewClient(opts...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, strings.NewReader(library()))
	require.NoError(t, err)
	var last bookstrack.Progress
	n := 0
	for p, err := range c.Updates(ctx, job, bookstrack.Handlers{}) {
		require.NoError(t, err)
		assert.GreaterOrEqual(t, p.Fraction, last.Fraction)
		last = p
		n++
	}
	assert.GreaterOrEqual(t, n, 1)
	assert.Equal(t, bookstrack.StatusCompleted, last.Status)
	assert.Equal(t, 1.0, last.Fraction)
}

func TestUpdatesBreakStopsTheWatch(t *testing.T) {
	_, opts := jobtest.Frozen(t, bookstrack.V3) // the job never ends: only the break ends the loop
	c, err := csvimport.NewClient(opts...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, strings.NewReader(library()))
	require.NoError(t, err)
	n := 0
	for _, err := range c.Updates(ctx, job, bookstrack.Handlers{}) {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)
	assert.NoError(t, ctx.Err())
	// goleak (TestMain) checks that the stream's goroutines are gone.
}

func TestCancelEndsTheWatch(t *testing.T) {
	_, opts := jobtest.Frozen(t, bookstrack.V3)
	c, err := csvimport.NewClient(opts...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, strings.NewReader(library()))
	require.NoError(t, err)
	var rec jobtest.Recorder
	h := rec.Handlers()
	h.Progress = func(p bookstrack.Progress) {
		if len(rec.Progress) == 0 {
			require.NoError(t, c.Cancel(ctx, job.ID))
		}
		rec.Progress = append(rec.Progress, p)
	}
	_, err = c.Watch(ctx, job, h)
	assert.ErrorIs(t, err, bookstrack.ErrJobCanceled)
	var jf *bookstrack.JobFailedError
	require.ErrorAs(t, err, &jf)
	assert.Equal(t, bookstrack.StatusCanceled, jf.Status)
	assert.Empty(t, rec.Completions)
	_, err = c.Results(ctx, job.ID)
	assert.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
}
