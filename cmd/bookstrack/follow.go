package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
)

// cancelTimeout bounds the server-side cancel after Ctrl-C.
const cancelTimeout = 10 * time.Second

// follow watches job to its end and prints its results.
func (s *session) follow(ctx context.Context, c client, job bookstrack.Job) error {
	s.secrets = append(s.secrets, job.Token)
	d := s.display
	if d == nil {
		d = s.newDisplay(job.Kind)
	}
	d.secrets = s.secrets
	if s.fake != nil {
		s.fake.started(ctx, job.ID)
	}
	h := bookstrack.Handlers{
		Progress: func(p bookstrack.Progress) {
			d.progress(p)
			if s.fake != nil {
				s.fake.progressed()
			}
		},
		Error: func(err error) {
			var clamped *sse.DelayClampedError
			if s.fake != nil && errors.As(err, &clamped) {
				return // the wait the command itself shortened for the fake
			}
			d.notice(err)
		},
		Completed: d.completed,
	}
	_, err := c.Watch(ctx, job, h)
	d.end()
	if err != nil {
		if ctx.Err() != nil {
			return s.interrupted(ctx, c, job, d.lastID)
		}
		return err
	}
	res, err := c.results(ctx, job.ID)
	if err != nil {
		return err
	}
	return s.printResults(res)
}

// interrupted ends a watch stopped by Ctrl-C: it cancels the job on the
// server with --cancel-on-interrupt, and says how to resume otherwise.
func (s *session) interrupted(ctx context.Context, c client, job bookstrack.Job, lastID string) error {
	k := kindOf(job.Kind)
	if !s.o.cancelOnInterrupt {
		resume := fmt.Sprintf("bookstrack watch %s %s --token TOKEN", k.name, job.ID)
		if lastID != "" {
			resume += " --last-event-id " + lastID
		}
		return &interruptedError{fmt.Sprintf("interrupted; job %s goes on on the server: resume with `%s`, or stop it with `bookstrack cancel %s %s`", job.ID, resume, k.name, job.ID)}
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	if err := c.Cancel(cctx, job.ID); err != nil {
		return &interruptedError{fmt.Sprintf("interrupted; canceling job %s on the server failed: %s", job.ID, classify(err, s.o.baseURL).what)}
	}
	return &interruptedError{fmt.Sprintf("interrupted; job %s canceled on the server", job.ID)}
}
