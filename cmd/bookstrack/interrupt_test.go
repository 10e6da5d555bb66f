package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// interrupt runs an import on srv, whose clock is frozen, and cancels the
// command's context (as Ctrl-C does) once the first update is out.
func interrupt(t *testing.T, srv *bookstracktest.Server, extra ...string) (result, line) {
	t.Helper()
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	stdout := &syncBuffer{wait: `"type":"progress"`, seen: make(chan struct{})}
	seen := stdout.seen
	done := make(chan result, 1)
	csv := writeFile(t, "library.csv", []byte(libraryCSV(2)))
	go func() {
		done <- cliContext(ctx, nil, "", stdout, append([]string{"import", "--base-url", srv.URL, "--json", "--events", csv}, extra...)...)
	}()
	select {
	case <-seen:
		cancel()
	case r := <-done:
		t.Fatalf("ended before the first update: %+v", r)
	}
	r := <-done
	lines := eventLines(t, r.stdout)
	require.Equal(t, "started", lines[0].Type)
	return r, lines[0]
}

func TestCtrlCWithCancelOnInterruptCancelsTheJobOnTheServer(t *testing.T) {
	srv, _ := frozen(t)
	r, started := interrupt(t, srv, "--cancel-on-interrupt")
	line := r.errorLine(t, exitInterrupted)
	assert.Equal(t, "bookstrack: interrupted; job "+started.Job.ID+" canceled on the server", line)
	info, ok := srv.Job(started.Job.ID)
	require.True(t, ok)
	assert.Equal(t, bookstrack.StatusCanceled, info.Status)
}

func TestCtrlCLeavesTheJobRunningAndSaysHowToResume(t *testing.T) {
	srv, _ := frozen(t)
	r, started := interrupt(t, srv)
	line := r.errorLine(t, exitInterrupted)
	id := started.Job.ID
	base := regexp.QuoteMeta(srv.URL)
	assert.Regexp(t, "^bookstrack: interrupted; job "+id+" goes on on the server: resume with `bookstrack watch import "+id+" --token TOKEN --base-url "+base+" --last-event-id [0-9]+-initial` \\(TOKEN is the job's stream token; --state FILE keeps it for you\\), or stop it with `bookstrack cancel import "+id+" --base-url "+base+"`$", line)
	info, ok := srv.Job(id)
	require.True(t, ok)
	assert.Equal(t, bookstrack.StatusQueued, info.Status, "not canceled")
	for _, req := range srv.Requests() {
		assert.NotEqual(t, "DELETE", req.Method)
	}
	last := eventLines(t, r.stdout)
	assert.Equal(t, "error", last[len(last)-1].Type, "--events ends with the error")
	assert.Equal(t, exitInterrupted, last[len(last)-1].Exit)
	assert.True(t, strings.HasPrefix(last[len(last)-1].Message, "interrupted; "))
}

func TestCtrlCBeforeAnAnswerExitsInterrupted(t *testing.T) {
	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 1)
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	for _, a := range [][]string{
		append([]string{"enrich", "--base-url", srv.URL}, catalogue(1)...),
		{"status", "enrich", job.ID, "--base-url", srv.URL},
	} {
		line := cliContext(ctx, nil, "", &syncBuffer{}, a...).errorLine(t, exitInterrupted)
		assert.Equal(t, "bookstrack: interrupted before the server answered", line, a[0])
	}
}

// Under --fake the job lives in the command's own fake API: Ctrl-C says
// it ended with it, rather than that it goes on.
func TestCtrlCUnderFakeSaysTheJobEndedWithTheFake(t *testing.T) {
	r := start(t, nil, args([]string{"--fake", "--fake-step", "1h", "enrich", "--json", "--events"}, catalogue(1))...)
	require.NoError(t, r.stdout.wait(testContext(t), `"type":"progress"`, 1))
	res := r.stop()
	id := eventLines(t, res.stdout)[0].Job.ID
	line := res.errorLine(t, exitInterrupted)
	assert.Equal(t, "bookstrack: interrupted; job "+id+" ended with the fake API of --fake; `bookstrack fake serve` runs one that outlives a command", line)
}
