package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
)

func TestWatchFailedEventIsAJobFailedError(t *testing.T) {
	for _, tc := range []struct {
		name, event, data string
		want              bookstrack.JobFailedError
	}{
		{"v3 error object", "failed", `{"jobId":"other","error":{"code":"ENRICHMENT_FAILED","message":"provider down","retryable":true},"timestamp":"2026-12-02T11:00:00Z"}`,
			bookstrack.JobFailedError{JobID: "other", Status: bookstrack.StatusFailed, Code: "ENRICHMENT_FAILED", Message: "provider down", Retryable: true, Time: time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)}},
		{"v2 error string", "failed", `{"error":"job_not_found"}`,
			bookstrack.JobFailedError{JobID: jobID, Status: bookstrack.StatusFailed, Code: "JOB_NOT_FOUND", Message: "job_not_found", Time: start}},
		{"message outside the error", "failed", `{"message":"it broke"}`,
			bookstrack.JobFailedError{JobID: jobID, Status: bookstrack.StatusFailed, Message: "it broke", Time: start}},
		{"canceled event", "canceled", `{}`,
			bookstrack.JobFailedError{JobID: jobID, Status: bookstrack.StatusCanceled, Time: start}},
		{"cancelled event", "cancelled", `{"status":"cancelled"}`,
			bookstrack.JobFailedError{JobID: jobID, Status: bookstrack.StatusCanceled, Time: start}},
		{"failed event with a CANCELLED code", "failed", `{"error":{"code":"CANCELLED"}}`,
			bookstrack.JobFailedError{JobID: jobID, Status: bookstrack.StatusCanceled, Code: "CANCELLED", Time: start}},
		{"malformed failed event still fails", "failed", `{"error":`,
			bookstrack.JobFailedError{JobID: jobID, Status: bookstrack.StatusFailed, Time: start}},
		{"an unreadable error member is no problem", "failed", `{"error":42}`,
			bookstrack.JobFailedError{JobID: jobID, Status: bookstrack.StatusFailed, Time: start}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := watch(t, setup{})
			r.send(tc.event, tc.data)
			r.end(sse.ErrClosed)
			o := r.result()
			var jf *bookstrack.JobFailedError
			require.ErrorAs(t, o.err, &jf)
			assert.Equal(t, tc.want, *jf)
			assert.Empty(t, r.rec.completions)
			assert.Equal(t, int32(1), r.stream.closes.Load())
		})
	}
}

func TestWatchErrorEventJobNotFoundEndsTheWatch(t *testing.T) {
	r := watch(t, setup{})
	r.send("error", `{"error":{"code":"STREAM_ERROR","message":"blip","retryable":true}}`)
	r.send("error", `{"error":{"code":"JOB_NOT_FOUND","message":"gone"}}`)
	r.end(sse.ErrClosed)
	o := r.result()
	assert.ErrorIs(t, o.err, bookstrack.ErrJobNotFound)
	errs := r.rec.errors()
	require.Len(t, errs, 1, "the STREAM_ERROR is reported, the watch goes on")
	var se *bookstrack.StreamError
	require.ErrorAs(t, errs[0], &se)
	assert.Equal(t, bookstrack.StreamError{JobID: jobID, Code: "STREAM_ERROR", Message: "blip", Retryable: true}, *se)
}

func TestWatchMapsAStreamErrorResponseToTheAPIError(t *testing.T) {
	apiErr := &bookstrack.APIError{StatusCode: 404, Code: "NOT_FOUND"}
	var seen *sse.StatusError
	mapErr := func(se *sse.StatusError) error { seen = se; return apiErr }
	status := &sse.StatusError{StatusCode: 404, Status: "404 Not Found", URL: "https://api.example/x", Header: http.Header{}}

	r := watch(t, setup{apiError: mapErr})
	r.end(status)
	var we *bookstrack.WatchError
	require.ErrorAs(t, r.result().err, &we)
	assert.Same(t, apiErr, we.Err, "the API error, in the watch's context")
	assert.Same(t, status, seen)

	r = watch(t, setup{apiError: mapErr})
	r.end(&sse.GiveUpError{Attempts: 10, Elapsed: 5 * time.Minute, Err: status})
	err := r.result().err
	var gu *sse.GiveUpError
	require.ErrorAs(t, err, &gu, "the give-up is found")
	assert.Equal(t, 10, gu.Attempts)
	var ae *bookstrack.APIError
	require.ErrorAs(t, err, &ae, "and the API error")
	assert.Same(t, apiErr, ae)
	assert.Equal(t, "bookstrack: watching job "+jobID+" (attempt 0): gave up after 10 attempts in 5m0s: "+apiErr.Error(), err.Error())
	assert.Equal(t, 1, strings.Count(err.Error(), apiErr.Error()), "the failure is printed once")
}

func TestWatchWrapsOtherStreamFailures(t *testing.T) {
	cause := &sse.ContentTypeError{ContentType: "text/html"}
	r := watch(t, setup{apiError: func(*sse.StatusError) error { t.Error("not a status error"); return nil }})
	r.end(cause)
	err := r.result().err
	assert.ErrorIs(t, err, cause)
	assert.Contains(t, err.Error(), "watching job "+jobID)

	r = watch(t, setup{}) // without an API error mapper, a status error is wrapped as it is
	status := &sse.StatusError{StatusCode: 500, Status: "500"}
	r.end(status)
	assert.ErrorIs(t, r.result().err, status)
}

func TestWatchEndedByTheCallersContextIsTheContextsError(t *testing.T) {
	r := watch(t, setup{opts: []bookstrack.Option{bookstrack.WithStallTimeout(time.Hour)}})
	r.send("progress", `{"status":"processing","progress":0.1}`)
	r.cancel()
	err := r.result().err
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, bookstrack.ErrStalled)
}

func TestWatchPassesTheStreamsProblemsOn(t *testing.T) {
	var w *jobs.Watch
	rec := &recorder{}
	w = jobs.NewWatch(settings.MustNew([]bookstrack.Option(nil)), bookstrack.Job{ID: jobID}, rec.handlers(), nil, nil)
	problem := errors.New("connection dropped")
	w.HandleError(problem)
	assert.Equal(t, []error{&bookstrack.WatchError{JobID: jobID, Err: problem}}, rec.errors(), "in the watch's context")

	silent := jobs.NewWatch(settings.MustNew([]bookstrack.Option(nil)), bookstrack.Job{ID: jobID}, bookstrack.Handlers{}, nil, nil)
	silent.HandleError(problem) // no Error handler: nothing to call
	silent.HandleEvent(sse.Event{Type: "progress", Data: `{"progress":0.5}`})
	silent.HandleEvent(sse.Event{Type: "mystery"})
}

func TestWatchLogsUnknownEventsAtDebug(t *testing.T) {
	var logged []string
	h := &captureHandler{records: &logged}
	cfg := settings.MustNew([]bookstrack.Option{bookstrack.WithLogger(slog.New(h))})
	w := jobs.NewWatch(cfg, bookstrack.Job{ID: jobID}, bookstrack.Handlers{}, nil, nil)
	w.HandleEvent(sse.Event{Type: "mystery", ID: "7"})
	assert.Equal(t, []string{"DEBUG bookstrack: unknown event ignored event=mystery id=7"}, logged)
}

type captureHandler struct{ records *[]string }

func (h *captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *captureHandler) Handle(_ context.Context, r slog.Record) error {
	s := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "job" {
			s += " " + a.String()
		}
		return true
	})
	*h.records = append(*h.records, s)
	return nil
}
func (h *captureHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *captureHandler) WithGroup(string) slog.Handler      { return h }

func TestStatusOfAFailedJobIsItsProgressAndTheFailure(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		check      func(t *testing.T, p bookstrack.Progress, err error)
	}{
		{"running", `{"status":"processing","progress":0.25,"processedCount":1,"totalCount":4}`, func(t *testing.T, p bookstrack.Progress, err error) {
			require.NoError(t, err)
			assert.Equal(t, 0.25, p.Fraction)
			assert.Equal(t, 4, p.Total)
		}},
		{"failed", `{"status":"failed","progress":40,"error":{"code":"BOOM","message":"it broke"}}`, func(t *testing.T, p bookstrack.Progress, err error) {
			var jf *bookstrack.JobFailedError
			require.ErrorAs(t, err, &jf)
			assert.Equal(t, "BOOM", jf.Code)
			assert.Equal(t, bookstrack.StatusFailed, p.Status)
			assert.Equal(t, 0.4, p.Fraction, "a percentage on a terminal status")
		}},
		{"an odd field", `{"status":"processing","progress":0.5,"totalCount":"many"}`, func(t *testing.T, p bookstrack.Progress, err error) {
			var de *bookstrack.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "totalCount", de.Field)
			assert.Equal(t, 0.5, p.Fraction, "the rest is kept")
		}},
		{"malformed", `{"status"`, func(t *testing.T, p bookstrack.Progress, err error) {
			var de *bookstrack.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Zero(t, p)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fetch := func(context.Context) (json.RawMessage, error) { return json.RawMessage(tc.data), nil }
			w := jobs.NewWatch(settings.MustNew([]bookstrack.Option(nil)), bookstrack.Job{ID: jobID}, bookstrack.Handlers{}, fetch, nil)
			p, err := w.Status(context.Background())
			tc.check(t, p, err)
		})
	}
	boom := errors.New("boom")
	w := jobs.NewWatch(settings.MustNew([]bookstrack.Option(nil)), bookstrack.Job{ID: jobID}, bookstrack.Handlers{},
		func(context.Context) (json.RawMessage, error) { return nil, boom }, nil)
	_, err := w.Status(context.Background())
	assert.Equal(t, boom, err)
}
