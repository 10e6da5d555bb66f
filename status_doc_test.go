package bookstrack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
)

// What the Status docs of the job packages say: a running job gives its
// Progress and no error; a failed or canceled one gives its Progress
// together with a *JobFailedError carrying the server's code and message.
func TestStatusOfAFailedOrCanceledJobGivesItsProgressAndTheFailure(t *testing.T) {
	t.Run("failed", func(t *testing.T) {
		f := setup(t)
		c := f.enrichments()
		job := f.startEnrichment(c, catalogueISBN(0), catalogueISBN(1))
		p, err := c.Status(f.ctx, job.ID)
		require.NoError(t, err, "a running job")
		assert.Equal(t, bookstrack.StatusQueued, p.Status)

		require.True(t, f.srv.FailJob(job.ID, "PROVIDER_DOWN", "The provider is down", true))
		p, err = c.Status(f.ctx, job.ID)
		var jf *bookstrack.JobFailedError
		require.ErrorAs(t, err, &jf)
		assert.Equal(t, job.ID, p.JobID, "the Progress comes with the error")
		assert.Equal(t, bookstrack.StatusFailed, p.Status)
		assert.Equal(t, bookstrack.StatusFailed, jf.Status)
		assert.Equal(t, "PROVIDER_DOWN", jf.Code)
		assert.Equal(t, "The provider is down", jf.Message)
		assert.True(t, jf.Retryable)
	})
	t.Run("canceled", func(t *testing.T) {
		f := setup(t)
		c := f.enrichments()
		job := f.startEnrichment(c, catalogueISBN(0))
		require.NoError(t, c.Cancel(f.ctx, job.ID))
		p, err := c.Status(f.ctx, job.ID)
		var jf *bookstrack.JobFailedError
		require.ErrorAs(t, err, &jf)
		assert.Equal(t, bookstrack.StatusCanceled, p.Status)
		assert.Equal(t, bookstrack.StatusCanceled, jf.Status)
		assert.Equal(t, "CANCELED", jf.Code)
	})
}
