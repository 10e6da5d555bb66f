package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/redact"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// floatNoise is the largest drop of the fraction read as float noise of
// the server's arithmetic rather than a step back.
const floatNoise = 1e-9

// Stream defaults, overridable through bookstrack.WithStreamOptions.
const (
	idleTimeout    = 75 * time.Second // the server pings every 30 s
	giveUpAttempts = 10
	giveUpAfter    = 5 * time.Minute
)

// lateFinalWait bounds the wait, on the configured clock, for the final
// completed event (the one that carries the books) after a snapshot that
// says the job already completed: a client that connects after the job
// ended gets both on the same connection, one right after the other.
// When the wait runs out, or the connection ends first, the watch
// completes with the snapshot.
const lateFinalWait = 2 * time.Second

// stream is what the watcher needs of its sse.Client, so that the state
// machine can be driven without HTTP in tests.
type stream interface {
	Close() error
	LastEventID() string
}

// watcher is the sse.Handler of one watch: the state machine that turns a
// job's events into typed progress and one outcome. All its methods run
// on the goroutine of run.
//
// Invariants: once done is set, nothing more is delivered and result/err
// are the outcome. shown is the highest fraction delivered since the
// last reset, and last the last Progress delivered; an update is
// delivered only when it is not below shown and differs from last. Every
// delivery restarts the stall timer. fetchStatus is nil when the job has
// no status route: a timeout event then lets the stream reconnect.
type watcher struct {
	cfg         *settings.Settings
	job         bookstrack.Job
	h           bookstrack.Handlers
	log         *slog.Logger // nil: no logging
	stall       sse.Timer    // nil when the stall timeout is off
	stream      stream
	fetchStatus func(context.Context) (json.RawMessage, error)
	apiError    func(*sse.StatusError) error // the typed error of a stream's error response; nil: none
	stats       *ssestats.Recorder           // the job type's figures; nil: none

	shown     float64             // the highest fraction delivered
	delivered bool                // whether any progress was delivered
	last      bookstrack.Progress // the last progress delivered
	timedOut  bool                // a timeout event asked to fall back to polling
	attempt   int                 // the stream's current attempt, 0 before the first
	late      *lateSnapshot       // a completed snapshot waiting for the final event
	done      bool
	result    bookstrack.Completion
	err       error
}

// newWatcher returns the state machine of a watch of job; fetchStatus
// reads the job's status, nil when it has no status route.
func newWatcher(cfg *settings.Settings, job bookstrack.Job, h bookstrack.Handlers, fetchStatus func(context.Context) (json.RawMessage, error)) *watcher {
	return &watcher{cfg: cfg, job: job, h: h, log: cfg.Logger, fetchStatus: fetchStatus}
}

// run watches job until it ends and returns its completion, or the error
// that ended the watch; see Client.Watch.
func run(ctx context.Context, cfg *settings.Settings, ac *api.Client, job bookstrack.Job, h bookstrack.Handlers) (bookstrack.Completion, error) {
	if err := api.CheckID(job.ID); err != nil {
		return bookstrack.Completion{}, err
	}
	url := job.StreamURL
	if url == "" || ac.V2() {
		url = ac.StreamURL(job.Kind, job.ID)
	}
	token := job.Token
	if !ac.SameOrigin(url) {
		if !cfg.CrossOriginStreams {
			return bookstrack.Completion{}, &bookstrack.OriginError{URL: redact.URL(url), Origin: ac.Origin()}
		}
		token = "" // followed, but the token stays home
	}
	var fetch func(context.Context) (json.RawMessage, error)
	if statusURL := statusRoute(ac, job); statusURL != "" {
		fetch = func(ctx context.Context) (json.RawMessage, error) { return ac.StatusAt(ctx, statusURL) }
	}
	w := newWatcher(cfg, job, h, fetch)
	w.stats = statsOf(cfg, job.Kind)
	w.apiError = func(se *sse.StatusError) error {
		return ac.Error(bookstrack.OpStream, http.MethodGet, se.URL, se.StatusCode, se.Header, se.Body)
	}
	sc, err := sse.NewClient(url, w, w.streamOptions(token)...)
	if err != nil {
		return bookstrack.Completion{}, fmt.Errorf("bookstrack: watching job %s: %w", job.ID, err)
	}
	return w.follow(ctx, sc, sc.Connect)
}

// statsOf is the Recorder of the kind's figures in the configured
// Stats, nil when there are none.
func statsOf(cfg *settings.Settings, kind bookstrack.Kind) *ssestats.Recorder {
	if cfg.Stats == nil {
		return nil
	}
	return cfg.Stats.Stream(string(kind))
}

// statusRoute is the URL a watch of job polls after a timeout event: the
// start response's statusUrl when the server gave one, the route set's
// status route otherwise, "" when the set has none (the watch then
// reconnects).
func statusRoute(ac *api.Client, job bookstrack.Job) string {
	return cmp.Or(job.StatusURL, ac.StatusURL(job.Kind, job.ID))
}

// follow runs the watch over s: connect plays the stream, delivering its
// events to w's Handler methods, until it returns. The stall timer runs
// from here; a timeout event that asked for polling continues with poll.
func (w *watcher) follow(ctx context.Context, s stream, connect func(context.Context) error) (bookstrack.Completion, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if w.cfg.StallTimeout > 0 {
		w.stall = w.cfg.Clock.AfterFunc(w.cfg.StallTimeout, func() { cancel(bookstrack.ErrStalled) })
		defer w.stall.Stop()
	}
	w.stream = s
	err := connect(ctx)
	if w.late != nil && !w.done {
		w.complete(w.late.p, w.late.id) // the final event did not follow in time
	}
	switch {
	case w.done:
		return w.result, w.wrap(w.err)
	case w.timedOut && ctx.Err() == nil:
		c, err := w.poll(ctx)
		return c, w.wrap(err)
	}
	return bookstrack.Completion{}, w.wrap(w.failure(ctx, err))
}

// wrap gives err (nil stays nil) the watch's context: a
// *bookstrack.WatchError naming the job, the attempt and the last event
// id seen, where a new watch resumes.
func (w *watcher) wrap(err error) error {
	if err == nil {
		return nil
	}
	if we, ok := err.(*bookstrack.WatchError); ok {
		return we
	}
	last := w.job.LastEventID
	if w.stream != nil {
		last = w.stream.LastEventID() // the stream keeps it, also once closed
	}
	return &bookstrack.WatchError{JobID: w.job.ID, Attempt: w.attempt, LastEventID: last, Err: err}
}

func (w *watcher) streamOptions(token string) []sse.Option {
	opts := []sse.Option{
		sse.WithHTTPClient(w.cfg.HTTPClient),
		sse.WithClock(w.cfg.Clock),
		sse.WithLogger(w.log),
		sse.WithIdleTimeout(idleTimeout),
		sse.WithGiveUp(giveUpAttempts, giveUpAfter),
		sse.WithLastEventID(w.job.LastEventID),
	}
	switch {
	case token == "":
	case w.cfg.QueryToken != "":
		opts = append(opts, sse.WithQueryToken(w.cfg.QueryToken, token))
	default:
		opts = append(opts, sse.WithBearerToken(token))
	}
	opts = append(opts, w.cfg.StreamOptions...)
	// After the caller's options, joined to their Observer: the attempt
	// number that errors carry.
	// A connection that ends while a completed snapshot waits for the
	// final event ends the watch: the snapshot is the completion.
	opts = append(opts, sse.WithAddedObserver(sse.Observer{
		Attempt: func(i sse.AttemptInfo) { w.attempt = i.Attempt },
		Close: func(sse.CloseInfo) {
			if w.late != nil && w.stream != nil {
				w.stream.Close()
			}
		},
	}))
	if w.stats != nil {
		opts = append(opts, sse.WithAddedObserver(w.stats.Observer())) // after the caller's, joined to theirs
	}
	return opts
}

// failure maps why Connect (or polling) returned to the watch's error.
// The context policy is the calls': the context's error, wrapped so that
// errors.Is finds it, and ErrStalled when the stall timer ended it.
func (w *watcher) failure(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); ctx.Err() != nil {
		if errors.Is(cause, bookstrack.ErrStalled) {
			return fmt.Errorf("%w: no update for %v", bookstrack.ErrStalled, w.cfg.StallTimeout)
		}
		return ctx.Err()
	}
	var se *sse.StatusError
	if errors.As(err, &se) && w.apiError != nil {
		apiErr := w.apiError(se)
		var gu *sse.GiveUpError
		if errors.As(err, &gu) {
			return &giveUpError{giveUp: gu, last: apiErr}
		}
		return apiErr
	}
	if err == nil {
		return errStreamOver // 204: the server ended the stream before the job
	}
	return err
}

// errStreamOver ends a watch whose stream the server ended for good (204
// No Content) without a terminal event of the job.
var errStreamOver = errors.New("the server ended the stream (204 No Content) before the job ended")

// giveUpError is a stream's give-up whose last failure was an API error:
// it prints that failure once and matches both.
type giveUpError struct {
	giveUp *sse.GiveUpError
	last   error
}

func (e *giveUpError) Error() string {
	return fmt.Sprintf("gave up after %d attempts in %v: %v",
		e.giveUp.Attempts, e.giveUp.Elapsed.Round(time.Millisecond), e.last)
}

func (e *giveUpError) Unwrap() []error { return []error{e.giveUp, e.last} }

// HandleEvent reads one event of the job's stream.
func (w *watcher) HandleEvent(e sse.Event) {
	if w.done {
		return
	}
	switch e.Type {
	case "ping", "heartbeat":
	case "progress", "initialized", "queued", "processing":
		if p, ok := w.decode(e); ok {
			if p.status() == bookstrack.StatusCompleted && w.awaitFinal(p, e.ID) {
				return
			}
			w.onUpdate(p, e.ID)
		}
	case "completed":
		p, _ := w.decode(e)
		p.Status = string(bookstrack.StatusCompleted)
		if strings.HasSuffix(e.ID, "-initial") && w.awaitFinal(p, e.ID) {
			return // a snapshot named after its status (older servers)
		}
		if l := w.late; l != nil && p.ProcessedCount == 0 && p.TotalCount == 0 {
			// The final event carries the books, the snapshot the counts.
			p.ProcessedCount, p.TotalCount = l.p.ProcessedCount, l.p.TotalCount
		}
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
		if w.log == nil {
			return
		}
		w.log.Debug("bookstrack: unknown event ignored", "job", w.job.ID, "event", e.Type, "id", e.ID)
	}
}

// HandleError passes on the stream's problems that do not end the watch.
func (w *watcher) HandleError(err error) { w.report(err) }

func (w *watcher) report(err error) {
	if w.h.Error != nil {
		w.h.Error(w.wrap(err))
	}
}

// decode reads an event's data field by field. Each field that cannot be
// read goes to the error callback as an *EventError naming it, and the
// others are kept; malformed JSON is one *EventError without a field,
// and ok is false.
func (w *watcher) decode(e sse.Event) (p payload, ok bool) {
	p, bad, err := decodePayload([]byte(e.Data), e.Type+" event")
	if err != nil {
		var de *bookstrack.DecodeError
		if errors.As(err, &de) {
			err = de.Err
		}
		w.report(&bookstrack.EventError{Event: e.Type, ID: e.ID, Err: err})
		return p, false
	}
	for _, de := range bad {
		w.report(&bookstrack.EventError{Event: e.Type, ID: e.ID, Field: de.Field, Err: de.Err})
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
	pr := w.toProgress(p, id)
	if p.Progress == nil && w.delivered {
		pr.Fraction = w.shown // an update without a fraction keeps the last one
	}
	w.progress(pr, p.sent())
}

// toProgress reads a progress payload carried by the event id.
func (w *watcher) toProgress(p payload, id string) bookstrack.Progress {
	return bookstrack.Progress{
		JobID:     cmp.Or(p.JobID, w.job.ID),
		Status:    p.status(),
		Fraction:  p.fraction(),
		Processed: int(p.ProcessedCount),
		Total:     int(p.TotalCount),
		Message:   p.Message,
		Time:      w.when(p),
		EventID:   id,
		Started:   p.started(),
	}
}

// progress delivers an update unless it steps back from one already
// delivered (a snapshot followed by older replayed updates does) or says
// nothing new (a fresh snapshot after a reconnection often does). Every
// delivered update restarts the stall timer. sent is when the server
// sent it (zero when it did not say): the stats take the latency of a
// delivered update from the stream, one with an event ID.
func (w *watcher) progress(pr bookstrack.Progress, sent time.Time) {
	if w.delivered && pr.Fraction < w.shown && w.shown-pr.Fraction <= floatNoise {
		pr.Fraction = w.shown // 0.5000000000000001 then 0.5 is no step back
	}
	if w.delivered && (pr.Fraction < w.shown || sameState(pr, w.last)) {
		return
	}
	if w.stall != nil {
		w.stall.Reset(w.cfg.StallTimeout)
	}
	w.delivered, w.shown, w.last = true, pr.Fraction, pr
	if w.stats != nil && pr.EventID != "" {
		w.stats.ProgressAt(sent, w.cfg.Clock.Now())
	}
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
	observed := w.cfg.Clock.Now()
	when, sent := p.completed(), p.sent()
	var age time.Duration // how old the completion was when sent, by the server's clock
	if !when.IsZero() && sent.After(when) {
		age = sent.Sub(when)
	}
	if when.IsZero() {
		when = w.when(p)
	}
	c := bookstrack.Completion{
		JobID:           cmp.Or(p.JobID, w.job.ID),
		Status:          bookstrack.StatusCompleted,
		Processed:       int(p.ProcessedCount),
		Total:           int(p.TotalCount),
		Time:            when,
		Started:         p.started(),
		ObservedAt:      observed,
		ResultsExpireAt: observed.Add(w.cfg.ResultsTTL - age),
	}
	c.Books, c.HasBooks = p.books()
	if w.stream != nil {
		c.LastEventID = w.stream.LastEventID() // the stream keeps it, also once closed
	}
	w.delivered, w.shown = false, 0 // the final update always shows
	w.progress(bookstrack.Progress{JobID: c.JobID, Status: c.Status, Fraction: 1,
		Processed: c.Processed, Total: c.Total, Message: p.Message, Time: when, EventID: id, Started: c.Started}, sent)
	if w.h.Completed != nil {
		w.h.Completed(c)
	}
	w.end(c, nil)
}

// lateSnapshot is a snapshot that said the job completed, kept while the
// watch waits for the final event.
type lateSnapshot struct {
	p     payload
	id    string
	timer sse.Timer
}

// awaitFinal keeps a snapshot of a completed job while the final event,
// which carries the books, may follow on the same connection: for at most
// lateFinalWait, or until the connection ends. It reports whether it
// keeps it; it does not when there is no stream to wait on, or the
// snapshot already carries the books.
func (w *watcher) awaitFinal(p payload, id string) bool {
	if w.stream == nil || w.late != nil {
		return false
	}
	if _, ok := p.books(); ok {
		return false
	}
	s := w.stream
	w.late = &lateSnapshot{p: p, id: id, timer: w.cfg.Clock.AfterFunc(lateFinalWait, func() { s.Close() })}
	return true
}

// fail ends the watch with the job's failure.
func (w *watcher) fail(p payload) {
	w.end(bookstrack.Completion{}, w.failedError(p))
}

// failedError is the *JobFailedError of a failed or canceled payload.
func (w *watcher) failedError(p payload) *bookstrack.JobFailedError {
	prob := p.problem()
	status := p.status()
	if code := strings.ToUpper(prob.Code); code == "CANCELED" || code == "CANCELLED" {
		status = bookstrack.StatusCanceled // the final failed event has no status
	}
	if status != bookstrack.StatusCanceled {
		status = bookstrack.StatusFailed
	}
	return &bookstrack.JobFailedError{
		JobID:     cmp.Or(p.JobID, w.job.ID),
		Status:    status,
		Code:      prob.Code,
		Message:   cmp.Or(prob.Message, p.Message),
		Retryable: prob.Retryable,
		Time:      w.when(p),
	}
}

func (w *watcher) end(c bookstrack.Completion, err error) {
	w.done, w.result, w.err = true, c, err
	if w.late != nil {
		w.late.timer.Stop()
	}
	if w.stream != nil {
		w.stream.Close()
	}
}

// onTimeout handles the server's timeout event, sent before it closes an
// idle stream: poll the status route, or let the stream reconnect when
// asked to (WithTimeoutFallback) or when the job has no status route.
func (w *watcher) onTimeout(e sse.Event) {
	p, _ := w.decode(e)
	prob := p.problem()
	w.report(&bookstrack.StreamError{JobID: w.job.ID, Code: cmp.Or(prob.Code, "STREAM_TIMEOUT"), Message: prob.Message, Retryable: true})
	if !w.cfg.Reconnect && w.fetchStatus != nil {
		w.timedOut = true
		if w.stream != nil {
			w.stream.Close()
		}
	}
}

// onStreamError handles an error event: JOB_NOT_FOUND ends the watch; a
// STREAM_ERROR is reported while the stream reconnects.
func (w *watcher) onStreamError(e sse.Event) {
	p, _ := w.decode(e)
	prob := p.problem()
	se := &bookstrack.StreamError{JobID: cmp.Or(p.JobID, w.job.ID), Code: prob.Code, Message: prob.Message, Retryable: prob.Retryable}
	if errors.Is(se, bookstrack.ErrJobNotFound) {
		w.end(bookstrack.Completion{}, se)
		return
	}
	w.report(se)
}

// when is the payload's time, or now by the client's clock.
func (w *watcher) when(p payload) time.Time {
	if t := p.sent(); !t.IsZero() {
		return t
	}
	return w.cfg.Clock.Now()
}
