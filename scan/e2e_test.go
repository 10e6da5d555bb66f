package scan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/scan"
)

func TestEndToEnd(t *testing.T) {
	photos := [][]byte{[]byte("shelf one"), []byte("shelf two"), []byte("shelf three")}
	var first *scan.Results
	for _, name := range []string{"v3", "v2"} {
		t.Run(name, func(t *testing.T) {
			srv, opts := jobtest.Fake(t, jobtest.RouteSets[name])
			c, err := scan.NewClient(opts...)
			require.NoError(t, err)
			ctx := jobtest.Context(t)

			job, err := c.Start(ctx, photos...)
			require.NoError(t, err)
			assert.Equal(t, bookstrack.KindScan, job.Kind)

			var rec jobtest.Recorder
			_, err = c.Watch(ctx, job, rec.Handlers())
			require.NoError(t, err)
			rec.CheckProgress(t)
			var stages []scan.Stage
			photosSeen := 0
			for _, p := range rec.Progress {
				if len(stages) == 0 || stages[len(stages)-1] != scan.StageOf(p) {
					stages = append(stages, scan.StageOf(p))
				}
				if i, n, ok := scan.PhotoOf(p); ok {
					photosSeen++
					assert.Equal(t, len(photos), n)
					assert.Equal(t, photosSeen, i)
				}
			}
			assert.Equal(t, []scan.Stage{scan.StageQueued, scan.StageDetecting, scan.StageEnriching, scan.StageDone}, stages)
			assert.Equal(t, len(photos), photosSeen)

			res, err := c.Results(ctx, job.ID)
			require.NoError(t, err)
			require.NotEmpty(t, res.Books)
			assert.Equal(t, len(res.Books), len(res.Approved)+len(res.NeedsReview))
			for _, b := range res.Approved {
				assert.GreaterOrEqual(t, b.Confidence, 0.8)
			}
			for _, b := range res.Books {
				assert.NotEmpty(t, b.Title)
				assert.True(t, b.BoundingBox.Width > 0 && b.BoundingBox.X+b.BoundingBox.Width <= 1)
			}
			if first == nil {
				first = res
			} else {
				assert.Equal(t, first.Books, res.Books, "the same photos give the same detections on both route sets")
			}

			paths := jobtest.Paths(srv)
			assert.Equal(t, "POST /v3/jobs/scans", paths[0], "the plan has no v2 start route for scans")
			if name == "v2" {
				assert.Contains(t, paths, "GET /api/v2/scans/"+job.ID+"/stream")
				assert.Contains(t, paths, "GET /api/v2/scans/"+job.ID+"/results")
			} else {
				assert.Contains(t, paths, "GET /v3/jobs/scans/"+job.ID+"/stream")
				assert.Contains(t, paths, "GET /v3/jobs/scans/"+job.ID+"/results")
			}
		})
	}
}

func TestApprovalThresholdOption(t *testing.T) {
	_, opts := jobtest.Fake(t, bookstrack.V3)
	c, err := scan.NewClient(append(opts, bookstrack.WithApprovalThreshold(0))...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, []byte("shelf one"))
	require.NoError(t, err)
	_, err = c.Watch(ctx, job, bookstrack.Handlers{})
	require.NoError(t, err)
	res, err := c.Results(ctx, job.ID)
	require.NoError(t, err)
	for _, b := range res.NeedsReview {
		assert.False(t, b.ConfidenceKnown, "at threshold 0 only unknown confidences need review")
	}
}
