package watch

import (
	"context"
	"errors"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/config"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// poll follows the job through its status route after a timeout event, at
// most once per poll interval, until it ends.
func (w *watcher) poll(ctx context.Context) (bookstrack.Completion, error) {
	wait := time.Duration(0) // the first poll goes at once: the stream was quiet for minutes
	for {
		if err := sleep(ctx, w, wait); err != nil {
			return bookstrack.Completion{}, w.failure(ctx, err)
		}
		wait = w.cfg.PollInterval
		p, err := status(ctx, w.api, w.job)
		if err != nil {
			if ctx.Err() != nil {
				return bookstrack.Completion{}, w.failure(ctx, err)
			}
			if errors.Is(err, bookstrack.ErrNotFound) {
				return bookstrack.Completion{}, err
			}
			var rl *bookstrack.RateLimitError
			if errors.As(err, &rl) {
				wait = max(wait, rl.RetryAfter)
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

// status reads a job's status route.
func status(ctx context.Context, ac *api.Client, job bookstrack.Job) (payload, error) {
	var p payload
	data, err := ac.Status(ctx, job.Kind, job.ID)
	if err != nil {
		return p, err
	}
	err = lenient.Decode(data, &p, "job status")
	return p, err
}

// Status reads a job's status route as a Progress. A job that failed comes
// back with its *bookstrack.JobFailedError.
func Status(ctx context.Context, cfg *config.Config, ac *api.Client, job bookstrack.Job) (bookstrack.Progress, error) {
	p, err := status(ctx, ac, job)
	if err != nil {
		return bookstrack.Progress{}, err
	}
	w := &watcher{cfg: cfg, job: job}
	pr := w.toProgress(p, "")
	if pr.Status == bookstrack.StatusFailed || pr.Status == bookstrack.StatusCanceled {
		w.fail(p)
		return pr, w.err
	}
	return pr, nil
}

// sleep waits d on the watch's clock.
func sleep(ctx context.Context, w *watcher, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	fired := make(chan struct{})
	t := w.cfg.Clock.AfterFunc(d, func() { close(fired) })
	defer t.Stop()
	select {
	case <-fired:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
