package bookstrack_test

// Issue 6 item 3, end to end with default options: the v2 route set,
// whole. After a timeout event a watch polls the start response's
// statusUrl, else the route set's status route, and reconnects when the
// set has none.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestAV2WatchReconnectsAfterATimeoutEventInsteadOfPollingAV3StatusRoute(t *testing.T) {
	f := setup(t)
	clientClock := newSpyClock(t0) // the fake's clock drives the stream; this one the reconnection
	c, err := csvimport.NewClient(f.defaults(clientClock, bookstrack.WithRoutes(bookstrack.V2))...)
	require.NoError(t, err)
	job := f.startImport(c)
	assert.Empty(t, job.StatusURL, "the v2 set has no status route and the fake gave no statusUrl")
	require.True(t, f.srv.PauseJob(job.ID))
	run := f.follow(c.Watch, job)
	snapshotID := run.rec.seen().progress[0].EventID
	f.heartbeats(9, "event: ping\n")
	f.clk.Advance(ping) // 5 minutes without an update: the timeout event, then the end
	require.NoError(t, f.tap.wait(f.ctx, "event: timeout\n", 1))

	delay, err := clientClock.waitArmed(f.ctx, 1, below(30*time.Second)) // the reconnection delay
	require.NoError(t, err)
	require.Empty(t, f.statusRequests(job.ID), "a v2 job was polled on the v3 status route")
	clientClock.Advance(delay)
	require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	require.True(t, f.srv.ResumeJob(job.ID))
	f.complete(run)

	assertCompletedOnce(t, run.rec.seen())
	assert.Empty(t, f.statusRequests(job.ID), "a v2 job was polled on the v3 status route")
	streams := f.requests(http.MethodGet, "/api/v2/imports/"+job.ID+"/stream")
	require.Len(t, streams, 2, "the watch reconnected to the v2 stream")
	assert.Equal(t, snapshotID, streams[1].Header.Get("Last-Event-ID"))
}

func TestAWatchPollsTheStartResponsesStatusURLAfterATimeoutEvent(t *testing.T) {
	for name, tc := range map[string]struct {
		routes      bookstrack.Routes
		start, feed string
	}{
		"v3": {bookstrack.V3, "/v3/jobs/imports", "/v3/jobs/imports/" + scriptedJobID + "/stream"},
		"v2": {bookstrack.V2, "/api/v2/imports", "/api/v2/imports/" + scriptedJobID + "/stream"},
	} {
		t.Run(name, func(t *testing.T) {
			statusPath := "/elsewhere/status/" + scriptedJobID
			api := ssetest.NewServer(t,
				jsonScript(http.StatusAccepted, startBody(`"streamUrl":"`+tc.feed+`"`, `"statusUrl":"`+statusPath+`"`)),
				streamScript("retry: 5000\n\n",
					rawEvent("1767323045000-initial", "progress", progressData(scriptedJobID, "queued", "0", "0", "0", t0)),
					"event: timeout\ndata: {\"jobId\":\""+scriptedJobID+"\",\"error\":{\"code\":\"STREAM_TIMEOUT\",\"message\":\"idle\",\"retryable\":true}}\n\n"),
				jsonScript(http.StatusOK, `{"success":true,"data":{"jobId":"`+scriptedJobID+`","status":"completed","progress":1,"processedCount":2,"totalCount":2,"completedAt":"2026-01-02T03:00:00Z"}}`),
			)
			c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithRoutes(tc.routes), bookstrack.WithClock(ssetest.NewClock(t0)))
			require.NoError(t, err)
			ctx := guard(t)
			job, err := c.Start(ctx, strings.NewReader(libraryCSV))
			require.NoError(t, err)
			assert.Equal(t, api.URL+statusPath, job.StatusURL)

			comp, err := c.Watch(ctx, job, bookstrack.Handlers{})
			require.NoError(t, err)
			assert.Equal(t, bookstrack.StatusCompleted, comp.Status)
			assert.Equal(t, []string{"POST " + tc.start, "GET " + tc.feed, "GET " + statusPath}, scriptPaths(api),
				"polled the start response's statusUrl")
		})
	}
}

func TestStatusAndCancelOnTheV2SetReturnErrNoRouteWithoutARequest(t *testing.T) {
	f := setup(t)
	c, err := csvimport.NewClient(f.defaults(ssetest.NewClock(t0), bookstrack.WithRoutes(bookstrack.V2))...)
	require.NoError(t, err)
	job := f.startImport(c)
	before := len(f.srv.Requests())

	_, err = c.Status(f.ctx, job.ID)
	assert.ErrorIs(t, err, bookstrack.ErrNoRoute)
	err = c.Cancel(f.ctx, job.ID)
	assert.ErrorIs(t, err, bookstrack.ErrNoRoute)
	assert.Len(t, f.srv.Requests(), before, "a call without a route in the set made a request")
}
