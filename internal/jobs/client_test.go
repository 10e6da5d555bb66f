package jobs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
)

// These paths end before any request: no server is needed.

func TestClientRefusesABadBaseURL(t *testing.T) {
	_, err := jobs.New(bookstrack.KindScan, []bookstrack.Option{bookstrack.WithBaseURL("ftp://user:pw@host/x?token=s3cret")})
	var ie *bookstrack.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "base URL", ie.Field)
	assert.NotContains(t, err.Error(), "s3cret")
	assert.NotContains(t, err.Error(), "pw")
}

func TestClientRefusesAJobOfAnotherKindOrABadID(t *testing.T) {
	c, err := jobs.New(bookstrack.KindScan, []bookstrack.Option{bookstrack.WithBaseURL("https://api.example")})
	require.NoError(t, err)
	ctx := context.Background()
	var ie *bookstrack.InputError

	_, err = c.Watch(ctx, bookstrack.Job{ID: jobID, Kind: bookstrack.KindImport}, bookstrack.Handlers{})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "job", ie.Field)

	_, err = c.Watch(ctx, bookstrack.Job{ID: "../../admin"}, bookstrack.Handlers{})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "job ID", ie.Field)

	for name, call := range map[string]func() error{
		"Status":  func() error { _, err := c.Status(ctx, "x"); return err },
		"Results": func() error { _, err := c.Results(ctx, "x"); return err },
		"Cancel":  func() error { return c.Cancel(ctx, "x") },
	} {
		require.ErrorAs(t, call(), &ie, name)
		assert.Equal(t, "job ID", ie.Field, name)
	}

	var got []error
	for p, err := range c.Updates(ctx, bookstrack.Job{ID: jobID, Kind: bookstrack.KindEnrichment}, bookstrack.Handlers{}) {
		assert.Zero(t, p)
		got = append(got, err)
	}
	require.Len(t, got, 1, "the iterator yields the one final error")
	assert.ErrorAs(t, got[0], &ie)
}

func TestClientRefusesAStreamOnAnotherOriginBeforeAnyRequest(t *testing.T) {
	c, err := jobs.New(bookstrack.KindScan, []bookstrack.Option{bookstrack.WithBaseURL("https://api.example")})
	require.NoError(t, err)
	_, err = c.Watch(context.Background(), bookstrack.Job{ID: jobID, Token: "s3cret",
		StreamURL: "https://elsewhere.example/stream?token=s3cret"}, bookstrack.Handlers{})
	var oe *bookstrack.OriginError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "https://elsewhere.example/stream", oe.URL)
	assert.Equal(t, "https://api.example", oe.Origin)
	assert.NotContains(t, err.Error(), "s3cret")
}
