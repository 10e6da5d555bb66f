package ssestats_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// The stats of a job package's watches and results fetches, against the
// fake BooksTrack API, wired as the package doc shows.

func TestAResults404CountsAsAFailedFetch(t *testing.T) {
	_, opts := jobtest.Fake(t, bookstrack.V3)
	st := ssestats.New()
	c, err := csvimport.NewClient(append(opts,
		bookstrack.WithStreamOptions(sse.WithObserver(st.Observer(string(bookstrack.KindImport)))),
		bookstrack.WithFetchObserver(func(f bookstrack.FetchInfo) {
			st.Stream(string(f.Kind)).Fetch(f.StatusCode, f.Duration, f.Err)
		}),
	)...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, strings.NewReader("Title,Author,ISBN13\nFrankenstein,Mary Shelley,9780141439624\n"))
	require.NoError(t, err)
	var delivered int
	_, err = c.Watch(ctx, job, bookstrack.Handlers{Progress: func(p bookstrack.Progress) {
		delivered++
		st.Stream(string(bookstrack.KindImport)).Progress(p.Time)
	}})
	require.NoError(t, err)
	_, err = c.Results(ctx, job.ID)
	require.NoError(t, err)
	_, err = c.Results(ctx, jobtest.JobID) // unknown to the fake: 404
	require.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)

	snap := st.Snapshot()
	assert.Equal(t, []string{"imports"}, snap.Names(), "the stream and the fetches share the job type's name")
	f := snap.Streams["imports"]
	assert.Equal(t, ssestats.Rate{Succeeded: 1, Failed: 1}, f.Fetches)
	assert.Equal(t, ssestats.Errors{NotFound: 1}, f.Errors)
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, f.Connections)
	assert.Equal(t, int64(1), f.ConnectTime.Count)
	assert.Equal(t, int64(1), f.FirstMessage.Count)
	assert.Equal(t, int64(delivered), f.ProgressLatency.Count)
	assert.Zero(t, f.Drops, "the watch closes its stream itself after the completion")
	assert.Equal(t, f, snap.All, "one stream: the aggregate is that stream")
}
