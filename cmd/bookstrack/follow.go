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

// follow watches job to its end and prints its results. With --state,
// the file's last event id is updated as each event arrives, after it is
// shown, so that a resume from it neither repeats nor loses one.
func (s *session) follow(ctx context.Context, c client, job bookstrack.Job) error {
	d := s.display
	if d == nil {
		d = s.newDisplay(job.Kind)
	}
	if s.fake != nil {
		s.fake.started(ctx, job.ID)
	}
	stateFailed := false
	saveState := func(id string) {
		if s.state == nil || id == "" {
			return
		}
		s.state.st.LastEventID = id
		if err := s.state.save(); err != nil && !stateFailed {
			stateFailed = true
			d.notice(fmt.Errorf("cannot update the --state file %s: %w", s.state.path, unwrapPath(err)))
		}
	}
	h := bookstrack.Handlers{
		Progress: func(p bookstrack.Progress) {
			d.progress(p)
			saveState(p.EventID)
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
		Completed: func(c bookstrack.Completion) {
			d.completed(c)
			saveState(c.LastEventID)
		},
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
	d.finish(res)
	if err != nil {
		return s.whyNoResults(ctx, kindOf(job.Kind), c, job.ID, err)
	}
	return s.printResults(res)
}

// interrupted ends a watch stopped by Ctrl-C: it cancels the job on the
// server with --cancel-on-interrupt, and says how to resume otherwise.
func (s *session) interrupted(ctx context.Context, c client, job bookstrack.Job, lastID string) error {
	k := kindOf(job.Kind)
	if s.fake != nil && !s.o.cancelOnInterrupt {
		return &interruptedError{fmt.Sprintf("interrupted; job %s ended with the fake API of --fake; `bookstrack fake serve` runs one that outlives a command", job.ID)}
	}
	if !s.o.cancelOnInterrupt {
		cancelCmd := fmt.Sprintf("bookstrack cancel %s %s%s", k.name, job.ID, s.baseURLFlag())
		if s.state != nil {
			return &interruptedError{fmt.Sprintf("interrupted; job %s goes on on the server: resume with `bookstrack watch --state %s`, or stop it with `%s`", job.ID, s.state.path, cancelCmd)}
		}
		resume := fmt.Sprintf("bookstrack watch %s %s --token TOKEN%s", k.name, job.ID, s.baseURLFlag())
		if lastID != "" {
			resume += " --last-event-id " + lastID
		}
		return &interruptedError{fmt.Sprintf("interrupted; job %s goes on on the server: resume with `%s` (TOKEN is the job's stream token; --state FILE keeps it for you), or stop it with `%s`", job.ID, resume, cancelCmd)}
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	if err := c.Cancel(cctx, job.ID); err != nil {
		return &interruptedError{fmt.Sprintf("interrupted; canceling job %s on the server failed: %s", job.ID, classify(err, s.o.baseURL).what)}
	}
	return &interruptedError{fmt.Sprintf("interrupted; job %s canceled on the server", job.ID)}
}
