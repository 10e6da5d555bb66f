// Package watch is the state machine that follows one job to its end:
// it reads the job's stream through sse.Client, turns its events into
// typed progress and a single terminal outcome, absorbs the server's
// quirks, and falls back to polling after a timeout event.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/config"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
	"github.com/bookstrack/bookstrack-go/sse"
)

// Stream defaults, overridable through bookstrack.WithStreamOptions.
const (
	giveUpAttempts = 10
	giveUpAfter    = 5 * time.Minute
)

// watcher is the sse.Handler of one watch. All its methods run on the
// goroutine of Run.
type watcher struct {
	cfg   *config.Config
	api   *api.Client
	job   bookstrack.Job
	h     bookstrack.Handlers
	log   *slog.Logger
	stall sse.Timer // nil when the stall timeout is off

	stream *sse.Client[*watcher]

	shown     float64             // the highest fraction delivered
	delivered bool                // whether any progress was delivered
	last      bookstrack.Progress // the last progress delivered
	timedOut  bool                // a timeout event asked to fall back to polling
	done      bool
	result    bookstrack.Completion
	err       error
}

// Run watches job until it ends and returns its completion, or the error
// that ended the watch: *bookstrack.JobFailedError, ErrJobNotFound,
// ErrStalled, an *bookstrack.APIError for a refused stream, the give-up
// error of the stream, or ctx's error.
func Run(ctx context.Context, cfg *config.Config, ac *api.Client, job bookstrack.Job, h bookstrack.Handlers) (bookstrack.Completion, error) {
	if err := api.CheckID(job.ID); err != nil {
		return bookstrack.Completion{}, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := &watcher{cfg: cfg, api: ac, job: job, h: h, log: cfg.Logger}
	if cfg.StallTimeout > 0 {
		w.stall = cfg.Clock.AfterFunc(cfg.StallTimeout, func() { cancel(bookstrack.ErrStalled) })
		defer w.stall.Stop()
	}
	url := job.StreamURL
	if url == "" || ac.V2() {
		url = ac.StreamURL(job.Kind, job.ID)
	}
	stream, err := sse.NewClient(url, w, w.streamOptions()...)
	if err != nil {
		return bookstrack.Completion{}, fmt.Errorf("bookstrack: watching job %s: %w", job.ID, err)
	}
	w.stream = stream
	err = stream.Connect(ctx)
	switch {
	case w.done:
		return w.result, w.err
	case w.timedOut && ctx.Err() == nil:
		return w.poll(ctx)
	}
	return bookstrack.Completion{}, w.failure(ctx, err)
}

func (w *watcher) streamOptions() []sse.Option {
	opts := []sse.Option{
		sse.WithHTTPClient(w.cfg.HTTPClient),
		sse.WithClock(w.cfg.Clock),
		sse.WithLogger(w.log),
		sse.WithIdleTimeout(config.DefaultIdleTimeout),
		sse.WithGiveUp(giveUpAttempts, giveUpAfter),
		sse.WithLastEventID(w.job.LastEventID),
	}
	if w.cfg.QueryToken != "" {
		opts = append(opts, sse.WithQueryToken(w.cfg.QueryToken, w.job.Token))
	} else if w.job.Token != "" {
		opts = append(opts, sse.WithBearerToken(w.job.Token))
	}
	return append(opts, w.cfg.StreamOptions...)
}

// failure maps why Connect returned to the watch's error.
func (w *watcher) failure(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); ctx.Err() != nil {
		if errors.Is(cause, bookstrack.ErrStalled) {
			return fmt.Errorf("%w: job %s showed no progress for %v", bookstrack.ErrStalled, w.job.ID, w.cfg.StallTimeout)
		}
		return ctx.Err()
	}
	var se *sse.StatusError
	if errors.As(err, &se) {
		apiErr := api.Error(http.MethodGet, se.URL, se.StatusCode, se.Header, se.Body, w.cfg.Clock.Now())
		var gu *sse.GiveUpError
		if errors.As(err, &gu) {
			return fmt.Errorf("bookstrack: watching job %s: %w: %w", w.job.ID, gu, apiErr)
		}
		return apiErr
	}
	return fmt.Errorf("bookstrack: watching job %s: %w", w.job.ID, err)
}

// HandleEvent reads one event of the job's stream.
func (w *watcher) HandleEvent(e sse.Event) {
	if w.done {
		return
	}
	switch e.Type {
	case "ping", "heartbeat":
	case "progress", "initialized", "queued", "processing":
		if p, ok := w.decode(e); ok {
			w.onUpdate(p, e.ID)
		}
	case "completed":
		p, _ := w.decode(e)
		w.complete(p, e.ID)
	case "failed", "canceled", "cancelled":
		p, _ := w.decode(e)
		if p.status() != bookstrack.StatusCanceled {
			p.Status = e.Type
		}
		w.fail(p)
	case "timeout":
		w.onTimeout(e)
	case "error":
		w.onStreamError(e)
	default:
		w.log.Debug("bookstrack: unknown event ignored", "job", w.job.ID, "event", e.Type, "id", e.ID)
	}
}

// HandleError passes on the stream's problems that do not end the watch.
func (w *watcher) HandleError(err error) { w.report(err) }

func (w *watcher) report(err error) {
	if w.h.Error != nil {
		w.h.Error(err)
	}
}

// decode reads an event's data. A problem goes to the error callback as
// an *EventError; the payload holds what could be read.
func (w *watcher) decode(e sse.Event) (payload, bool) {
	var p payload
	if err := lenient.Decode([]byte(e.Data), &p, e.Type+" event"); err != nil {
		var de *bookstrack.DecodeError
		field := ""
		if errors.As(err, &de) {
			field, err = de.Field, de.Err
		}
		w.report(&bookstrack.EventError{Event: e.Type, ID: e.ID, Field: field, Err: err})
		return p, false
	}
	return p, true
}

// onUpdate handles a progress event or a snapshot, which may carry a
// terminal status when the job ended before the client connected.
func (w *watcher) onUpdate(p payload, id string) {
	switch p.status() {
	case bookstrack.StatusCompleted:
		w.complete(p, id)
		return
	case bookstrack.StatusFailed, bookstrack.StatusCanceled:
		w.fail(p)
		return
	}
	w.progress(w.toProgress(p, id))
}

// toProgress reads a progress payload carried by the event id.
func (w *watcher) toProgress(p payload, id string) bookstrack.Progress {
	return bookstrack.Progress{
		JobID:     firstNonEmpty(p.JobID, w.job.ID),
		Status:    p.status(),
		Fraction:  p.fraction(),
		Processed: int(p.ProcessedCount),
		Total:     int(p.TotalCount),
		Message:   p.Message,
		Time:      w.when(p),
		EventID:   id,
	}
}

// progress delivers an update unless it steps back from one already
// delivered (a snapshot followed by older replayed updates does) or says
// nothing new (a fresh snapshot after a reconnection often does).
func (w *watcher) progress(pr bookstrack.Progress) {
	if w.delivered && (pr.Fraction < w.shown || sameState(pr, w.last)) {
		return
	}
	if w.delivered && pr.Fraction > w.shown && w.stall != nil {
		w.stall.Reset(w.cfg.StallTimeout)
	}
	w.delivered, w.shown, w.last = true, pr.Fraction, pr
	if w.h.Progress != nil {
		w.h.Progress(pr)
	}
}

// sameState reports whether two updates show the same state of the job.
func sameState(a, b bookstrack.Progress) bool {
	return a.Status == b.Status && a.Fraction == b.Fraction && a.Processed == b.Processed &&
		a.Total == b.Total && a.Message == b.Message
}

// complete ends the watch with a completion: the first terminal event
// wins and the duplicates that follow are never seen.
func (w *watcher) complete(p payload, id string) {
	when := w.when(p)
	if !p.CompletedAt.IsZero() {
		when = p.CompletedAt.Time // a late watcher's event is newer than the completion
	}
	c := bookstrack.Completion{
		JobID:           firstNonEmpty(p.JobID, w.job.ID),
		Status:          bookstrack.StatusCompleted,
		Processed:       int(p.ProcessedCount),
		Total:           int(p.TotalCount),
		Time:            when,
		ResultsExpireAt: when.Add(w.cfg.ResultsTTL),
		LastEventID:     w.stream.LastEventID(), // the stream keeps it, also once closed
	}
	w.delivered, w.shown = false, 0 // the final update always shows
	w.progress(bookstrack.Progress{JobID: c.JobID, Status: c.Status, Fraction: 1,
		Processed: c.Processed, Total: c.Total, Message: p.Message, Time: when, EventID: id})
	if w.h.Completed != nil {
		w.h.Completed(c)
	}
	w.end(c, nil)
}

// fail ends the watch with the job's failure.
func (w *watcher) fail(p payload) {
	prob := p.problem()
	status := p.status()
	if code := strings.ToUpper(prob.Code); code == "CANCELED" || code == "CANCELLED" {
		status = bookstrack.StatusCanceled // the final failed event has no status
	}
	if status != bookstrack.StatusCanceled {
		status = bookstrack.StatusFailed
	}
	w.end(bookstrack.Completion{}, &bookstrack.JobFailedError{
		JobID:     firstNonEmpty(p.JobID, w.job.ID),
		Status:    status,
		Code:      prob.Code,
		Message:   firstNonEmpty(prob.Message, p.Message),
		Retryable: prob.Retryable,
		Time:      w.when(p),
	})
}

func (w *watcher) end(c bookstrack.Completion, err error) {
	w.done, w.result, w.err = true, c, err
	if w.stream != nil {
		w.stream.Close()
	}
}

// onTimeout handles the server's timeout event, sent before it closes an
// idle stream: either poll the status route, or let the stream reconnect.
func (w *watcher) onTimeout(e sse.Event) {
	p, _ := w.decode(e)
	prob := p.problem()
	w.report(&bookstrack.StreamError{JobID: w.job.ID, Code: firstNonEmpty(prob.Code, "STREAM_TIMEOUT"), Message: prob.Message, Retryable: true})
	if !w.cfg.Reconnect {
		w.timedOut = true
		w.stream.Close()
	}
}

// onStreamError handles an error event: JOB_NOT_FOUND ends the watch; a
// STREAM_ERROR is reported while the stream reconnects.
func (w *watcher) onStreamError(e sse.Event) {
	p, _ := w.decode(e)
	prob := p.problem()
	se := &bookstrack.StreamError{JobID: firstNonEmpty(p.JobID, w.job.ID), Code: prob.Code, Message: prob.Message, Retryable: prob.Retryable}
	if errors.Is(se, bookstrack.ErrJobNotFound) {
		w.end(bookstrack.Completion{}, se)
		return
	}
	w.report(se)
}

// when is the payload's time, or now by the client's clock.
func (w *watcher) when(p payload) time.Time {
	switch {
	case !p.Timestamp.IsZero():
		return p.Timestamp.Time
	case !p.UpdatedAt.IsZero():
		return p.UpdatedAt.Time
	}
	return w.cfg.Clock.Now()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
