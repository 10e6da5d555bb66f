package jobs

import (
	"context"
	"encoding/json"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse"
)

// Stream is what a watch needs of its stream, for fakes in tests.
type Stream = stream

// Watch exposes the watch state machine to the external tests, which
// drive it without HTTP: they feed it decoded events through
// HandleEvent from the connect function they give Follow.
type Watch struct{ w *watcher }

// NewWatch returns the state machine of a watch of job. fetchStatus
// reads the job's status (nil: no status route); apiError maps a
// stream's error response (nil: none). It records into cfg.Stats as
// run does.
func NewWatch(cfg settings.Settings, job bookstrack.Job, h bookstrack.Handlers,
	fetchStatus func(context.Context) (json.RawMessage, error), apiError func(*sse.StatusError) error) *Watch {
	w := newWatcher(&cfg, job, h, fetchStatus)
	w.stats = statsOf(&cfg, job.Kind)
	w.apiError = apiError
	return &Watch{w: w}
}

// HandleEvent feeds the machine one event, as the stream would.
func (x *Watch) HandleEvent(e sse.Event) { x.w.HandleEvent(e) }

// HandleError feeds the machine one non-fatal stream problem.
func (x *Watch) HandleError(err error) { x.w.HandleError(err) }

// Follow runs the watch over s until connect returns, as run does over a
// real stream.
func (x *Watch) Follow(ctx context.Context, s Stream, connect func(context.Context) error) (bookstrack.Completion, error) {
	return x.w.follow(ctx, s, connect)
}

// Status reads the job's status once, as Client.Status does.
func (x *Watch) Status(ctx context.Context) (bookstrack.Progress, error) { return statusOf(ctx, x.w) }

// StatusRoute is the route a watch of job polls on after a timeout
// event with cfg's route set, "" when it reconnects instead.
func StatusRoute(cfg settings.Settings, job bookstrack.Job) (string, error) {
	ac, err := api.New(&cfg)
	if err != nil {
		return "", err
	}
	return statusRoute(ac, job), nil
}

// DecodePayload decodes an event's or a status's data as a watch does.
func DecodePayload(data []byte) (Payload, []*bookstrack.DecodeError, error) {
	p, bad, err := decodePayload(data, "test payload")
	return Payload{p}, bad, err
}

// Payload is a decoded payload with the readings a watch makes of it.
type Payload struct{ p payload }

// Fraction is the payload's progress as a watch delivers it.
func (p Payload) Fraction() float64 { return p.p.fraction() }

// Status is the payload's status as a watch reads it.
func (p Payload) Status() bookstrack.Status { return p.p.status() }

// Raw is the payload as decoded, before any reading.
func (p Payload) Raw() (jobID, status, message string, progress *float64, processed, total int) {
	if p.p.Progress != nil {
		f := float64(*p.p.Progress)
		progress = &f
	}
	return p.p.JobID, p.p.Status, p.p.Message, progress, int(p.p.ProcessedCount), int(p.p.TotalCount)
}

// Remember records a completion as Watch does when it returns one.
func (c *Client) Remember(comp bookstrack.Completion) { c.remember(comp) }
