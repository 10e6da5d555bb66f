package scan_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
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
			// What the stream shows depends on how far the job got before
			// it connected; the order of stages and photos never changes.
			assertLadder(t, rec.Progress, len(photos), false)

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
	c, err := scan.NewClient(append(opts, scan.WithApprovalThreshold(-1))...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, []byte("shelf one"))
	require.NoError(t, err)
	_, err = c.Watch(ctx, job, bookstrack.Handlers{})
	require.NoError(t, err)
	res, err := c.Results(ctx, job.ID)
	require.NoError(t, err)
	for _, b := range res.NeedsReview {
		assert.False(t, b.ConfidenceKnown, "below every confidence only unknown confidences need review")
	}
}

// assertLadder checks the stages come in order (all of them when full),
// and that the photos are counted up to n.
func assertLadder(t *testing.T, progress []bookstrack.Progress, n int, full bool) {
	t.Helper()
	order := []scan.Stage{scan.StageQueued, scan.StageDetecting, scan.StageEnriching, scan.StageDone}
	rank := map[scan.Stage]int{}
	for i, s := range order {
		rank[s] = i
	}
	var stages []scan.Stage
	lastPhoto := 0
	for _, p := range progress {
		st := scan.StageOf(p)
		if len(stages) == 0 || stages[len(stages)-1] != st {
			if len(stages) > 0 {
				assert.Greater(t, rank[st], rank[stages[len(stages)-1]], "stage %s after %s", st, stages[len(stages)-1])
			}
			stages = append(stages, st)
		}
		if i, total, ok := scan.PhotoOf(p); ok {
			assert.Equal(t, n, total)
			assert.Greater(t, i, lastPhoto)
			lastPhoto = i
		}
	}
	assert.Equal(t, scan.StageDone, stages[len(stages)-1])
	if full {
		assert.Equal(t, order, stages)
		assert.Equal(t, n, lastPhoto)
	}
}

// TestProgressLadder follows a scan from its first step: the fake's clock
// only moves once the stream is open, so every update is seen live.
func TestProgressLadder(t *testing.T) {
	clk := ssetest.NewClock(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	srv, opts := jobtest.Fake(t, bookstrack.V3, bookstracktest.WithClock(clk), bookstracktest.WithStepInterval(time.Second))
	c, err := scan.NewClient(opts...)
	require.NoError(t, err)
	ctx := jobtest.Context(t)
	job, err := c.Start(ctx, []byte("a"), []byte("b"), []byte("c"))
	require.NoError(t, err)

	watching, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer stop()
		var rec jobtest.Recorder
		_, err := c.Watch(ctx, job, rec.Handlers())
		assert.NoError(t, err)
		rec.CheckProgress(t)
		assertLadder(t, rec.Progress, 3, true)
	}()
	require.NoError(t, srv.WaitStreams(ctx, job.ID, 1))
	// Three timers pending (the job's next step, the stream's heartbeat and
	// timeout) means the last step has been sent: only then move on.
	for clk.WaitPending(watching, 3) == nil {
		clk.Advance(time.Second)
	}
	<-done
}
