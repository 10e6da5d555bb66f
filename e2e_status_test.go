package bookstrack_test

// Issue 6 item 4, end to end with default options: a polled status is
// read whole (completedTime, startTime, ISO or epoch ms), and a terminal
// event's books array is counted.

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The server's times of the scripted job, hours before the client's
// clock (t0, 03:04:05): a client that used its own now would be seen.
var (
	scriptedStart     = time.Date(2026, 1, 2, 1, 0, 0, 0, time.UTC)
	scriptedCompleted = time.Date(2026, 1, 2, 2, 30, 0, 0, time.UTC)
)

func epochMillis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func isoTime(t time.Time) string { return `"` + t.Format(time.RFC3339) + `"` }

// timeoutScripts are a start response and a stream that ends in a
// timeout event, then the status responses given: a job the watch
// follows by polling.
func timeoutScripts(status ...ssetest.Script) []ssetest.Script {
	return append([]ssetest.Script{
		jsonScript(http.StatusAccepted, startBody()),
		streamScript("retry: 5000\n\n",
			rawEvent("1767323045000-initial", "progress", progressData(scriptedJobID, "queued", "0", "0", "0", t0)),
			"event: timeout\ndata: {\"jobId\":\""+scriptedJobID+"\",\"error\":{\"code\":\"STREAM_TIMEOUT\",\"message\":\"idle\",\"retryable\":true}}\n\n"),
	}, status...)
}

func statusScript(members ...string) ssetest.Script {
	return jsonScript(http.StatusOK, `{"success":true,"data":{"jobId":"`+scriptedJobID+`",`+strings.Join(members, ",")+`}}`)
}

func TestAJobCompletedWhilePollingTakesItsCompletedTimeAndStartTimeFromTheStatus(t *testing.T) {
	for name, tc := range map[string]struct{ completed, started string }{
		"completedTime in epoch ms, startTime ISO": {epochMillis(scriptedCompleted), isoTime(scriptedStart)},
		"completedTime ISO, startTime in epoch ms": {isoTime(scriptedCompleted), epochMillis(scriptedStart)},
	} {
		t.Run(name, func(t *testing.T) {
			api := ssetest.NewServer(t, timeoutScripts(statusScript(`"status":"completed"`, `"progress":1`,
				`"processedCount":2`, `"totalCount":2`, `"startTime":`+tc.started, `"completedTime":`+tc.completed))...)
			c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(ssetest.NewClock(t0)))
			require.NoError(t, err)
			ctx := guard(t)
			job, err := c.Start(ctx, strings.NewReader(libraryCSV))
			require.NoError(t, err)
			var last bookstrack.Progress
			comp, err := c.Watch(ctx, job, bookstrack.Handlers{Progress: func(p bookstrack.Progress) { last = p }})
			require.NoError(t, err)

			require.Equal(t, "GET /v3/jobs/imports/"+scriptedJobID, scriptPaths(api)[2], "the watch polled")
			assert.Equal(t, scriptedCompleted, comp.Time, "the server's completedTime, not the client's now")
			assert.Equal(t, scriptedStart, comp.Started)
			assert.Equal(t, 2, comp.Processed)
			assert.Equal(t, 2, comp.Total)
			assert.Equal(t, scriptedCompleted, last.Time)
			assert.Equal(t, bookstrack.StatusCompleted, last.Status)
		})
	}
}

func TestPolledProgressAndStatusCarryTheJobsStartTime(t *testing.T) {
	running := statusScript(`"status":"processing"`, `"progress":0.5`, `"message":"half"`, `"startTime":`+epochMillis(scriptedStart))
	t.Run("Status", func(t *testing.T) {
		api := ssetest.NewServer(t, running)
		c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(ssetest.NewClock(t0)))
		require.NoError(t, err)
		p, err := c.Status(guard(t), scriptedJobID)
		require.NoError(t, err)
		assert.Equal(t, scriptedStart, p.Started)
		assert.Equal(t, 0.5, p.Fraction)
	})
	t.Run("polling after a timeout event", func(t *testing.T) {
		api := ssetest.NewServer(t, timeoutScripts(running,
			statusScript(`"status":"completed"`, `"progress":1`, `"startTime":`+epochMillis(scriptedStart), `"completedTime":`+epochMillis(scriptedCompleted)))...)
		clientClock := newSpyClock(t0)
		c, err := csvimport.NewClient(bookstrack.WithBaseURL(api.URL), bookstrack.WithClock(clientClock))
		require.NoError(t, err)
		ctx := guard(t)
		job, err := c.Start(ctx, strings.NewReader(libraryCSV))
		require.NoError(t, err)
		polled := make(chan bookstrack.Progress, 1)
		done := make(chan error, 1)
		go func() {
			_, err := c.Watch(ctx, job, bookstrack.Handlers{Progress: func(p bookstrack.Progress) {
				if p.EventID == "" && p.Status == bookstrack.StatusProcessing { // polled, not streamed
					polled <- p
				}
			}})
			done <- err
		}()
		p := next(t, ctx, polled)
		assert.Equal(t, scriptedStart, p.Started)
		assert.Equal(t, "half", p.Message)
		wait, err := clientClock.waitArmed(ctx, 1, exactly(2*time.Second)) // the poll interval
		require.NoError(t, err)
		clientClock.Advance(wait)
		require.NoError(t, next(t, ctx, done))
	})
}

func TestACompletionCountsTheBooksArrayItsTerminalEventCarried(t *testing.T) {
	t.Run("a late scan watch gets the final event and its books", func(t *testing.T) {
		f := setup(t)
		c, err := scan.NewClient(f.defaults(ssetest.NewClock(t0))...)
		require.NoError(t, err)
		job := f.startScan(c, shelfPhoto)
		f.finishJob(job.ID)
		f.clk.Advance(bookstracktest.DefaultFinalDelay) // the final event, with the books array
		comp, err := c.Watch(f.ctx, job, bookstrack.Handlers{})
		require.NoError(t, err)
		res, err := c.Results(f.ctx, job.ID)
		require.NoError(t, err)
		require.NotEmpty(t, res.Books)
		assert.True(t, comp.HasBooks)
		assert.Equal(t, len(res.Books), comp.Books)
	})
	t.Run("a CSV import's completed event carries an empty one", func(t *testing.T) {
		f := setup(t)
		c, err := csvimport.NewClient(f.defaults(ssetest.NewClock(t0))...)
		require.NoError(t, err)
		run := f.follow(c.Watch, f.startImport(c))
		comp := f.complete(run)
		assert.True(t, comp.HasBooks)
		assert.Equal(t, 0, comp.Books)
	})
	t.Run("an enrichment's completed event carries none", func(t *testing.T) {
		f := setup(t)
		c, err := enrichment.NewClient(f.defaults(ssetest.NewClock(t0))...)
		require.NoError(t, err)
		run := f.follow(c.Watch, f.startEnrichment(c, catalogueISBN(0)))
		comp := f.complete(run)
		assert.False(t, comp.HasBooks)
		assert.Equal(t, 0, comp.Books)
	})
}
