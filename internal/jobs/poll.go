package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/timing"
	"github.com/bookstrack/bookstrack-go/sse"
)

// poll follows the job through its status route after a timeout event, at
// most once per poll interval, until it ends. A wait the server asks for
// (Retry-After) is honoured, capped by the maximum retry delay.
func (w *watcher) poll(ctx context.Context) (bookstrack.Completion, error) {
	var wait time.Duration // the first poll goes at once: the stream was quiet for minutes
	for {
		if err := timing.Sleep[sse.Timer](ctx, w.cfg.Clock, wait, nil); err != nil {
			return bookstrack.Completion{}, w.failure(ctx, err)
		}
		wait = w.cfg.PollInterval
		p, err := w.pollOnce(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return bookstrack.Completion{}, w.failure(ctx, err)
			}
			if errors.Is(err, bookstrack.ErrNotFound) || errors.Is(err, bookstrack.ErrUnauthorized) {
				return bookstrack.Completion{}, err
			}
			var rl *bookstrack.RateLimitError
			if errors.As(err, &rl) {
				wait = max(wait, min(rl.RetryAfter, w.cfg.MaxRetryDelay))
			}
			w.report(err)
			continue
		}
		w.onUpdate(p, "")
		if w.done {
			return w.result, w.err
		}
	}
}

// pollOnce reads the status once; fields that cannot be read are
// reported and the rest kept.
func (w *watcher) pollOnce(ctx context.Context) (payload, error) {
	data, err := w.fetchStatus(ctx)
	if err != nil {
		return payload{}, err
	}
	p, bad, err := decodePayload(data, "job status")
	for _, de := range bad {
		w.report(de)
	}
	return p, err
}

// statusOf reads a job's status as a Progress. A failed or canceled job
// comes back with its *bookstrack.JobFailedError; fields that cannot be
// read are left zero and reported by a *bookstrack.DecodeError beside
// the Progress.
func statusOf(ctx context.Context, w *watcher) (bookstrack.Progress, error) {
	data, err := w.fetchStatus(ctx)
	if err != nil {
		return bookstrack.Progress{}, err
	}
	p, bad, err := decodePayload(data, "job status")
	if err != nil {
		return bookstrack.Progress{}, err
	}
	pr := w.toProgress(p, "")
	if pr.Status.Terminal() && pr.Status != bookstrack.StatusCompleted {
		return pr, w.failedError(p)
	}
	if len(bad) > 0 {
		errs := make([]error, len(bad))
		for i, de := range bad {
			errs[i] = de
		}
		return pr, errors.Join(errs...)
	}
	return pr, nil
}
