package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// readState reads a --state file and checks its mode.
func readState(t *testing.T, path string) jobState {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the file holds the token")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var st jobState
	require.NoError(t, json.Unmarshal(data, &st))
	return st
}

// A scan started with --state against `fake serve` is interrupted after
// three updates, then resumed by `watch --state` in a second run: every
// step of the job arrives once, in order, over the two runs, and neither
// prints the token. The fake's clock is the test's, moved one step at a
// time, so the interruption falls where the test says.
func TestAResumeFromTheStateFileAcrossTwoRunsLosesAndRepeatsNothing(t *testing.T) {
	clk := ssetest.NewClock(time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC))
	withServeOptions(t, bookstracktest.WithClock(clk))
	_, base := fakeServe(t)
	ctx := testContext(t)
	state := filepath.Join(t.TempDir(), "scan.state")
	const step = bookstracktest.DefaultStepInterval

	// First run: stopped after the snapshot and two steps.
	first := start(t, nil, args([]string{"scan", "--base-url", base, "--json", "--events", "--state", state}, photoFiles(t, 2))...)
	require.NoError(t, first.stdout.wait(ctx, `"type":"progress"`, 1), "the snapshot")
	for n := 2; n <= 3; n++ {
		require.NoError(t, clk.WaitPending(ctx, 3), "the job's next step and the stream's two timers")
		clk.Advance(step)
		require.NoError(t, first.stdout.wait(ctx, `"type":"progress"`, n))
	}
	r1 := first.stop()
	line := r1.errorLine(t, exitInterrupted)
	lines1 := eventLines(t, r1.stdout)
	ps1 := progressOf(lines1)
	require.Len(t, ps1, 3)
	jobID := lines1[0].Job.ID
	assert.Equal(t, "bookstrack: interrupted; job "+jobID+" goes on on the server: resume with `bookstrack watch --state "+state+"`, or stop it with `bookstrack cancel scan "+jobID+" --base-url "+base+"`", line)

	st := readState(t, state)
	assert.Equal(t, jobState{Kind: "scan", JobID: jobID, Routes: "v3", BaseURL: base, Token: st.Token, LastEventID: ps1[2].EventID}, st,
		"the last event shown")
	assert.Len(t, st.Token, 64)
	assertNoToken(t, r1, st.Token)

	// The first run's stream is gone before the second starts, so that
	// the clock moves only while the second one listens.
	require.Eventually(t, func() bool { return clk.Pending() == 1 }, 10*time.Second, time.Millisecond)

	// Second run: the clock moves while its stream is open.
	second := start(t, nil, "watch", "--state", state, "--json", "--events")
	dctx, stop := context.WithCancel(ctx)
	driven := make(chan struct{})
	go func() {
		defer close(driven)
		for clk.WaitPending(dctx, 3) == nil {
			clk.Advance(step)
		}
	}()
	r2 := second.wait()
	stop()
	<-driven
	require.Equal(t, exitOK, r2.code, r2.stderr)
	assertNoToken(t, r2, st.Token)
	lines2 := eventLines(t, r2.stdout)

	var res scan.Results
	require.NoError(t, json.Unmarshal(lines2[len(lines2)-1].Results, &res))
	assert.Equal(t, jobID, res.JobID)
	seen := map[string]bool{}
	var messages []string
	for _, p := range append(ps1, progressOf(lines2)...) {
		assert.False(t, seen[p.EventID], "event %s delivered twice", p.EventID)
		seen[p.EventID] = true
		if p.Message != "" { // the snapshot of the queued job says nothing
			messages = append(messages, p.Message)
		}
	}
	assert.Equal(t, scanLadder(2, len(res.Books)), messages, "every step once, in order")
	final := readState(t, state)
	completed := lines2[len(lines2)-2]
	require.Equal(t, "completed", completed.Type)
	assert.Equal(t, completed.Completion.LastEventID, final.LastEventID, "updated to the last event")
}

// The file is written, mode 0600, once the job has started, and updated
// as events arrive: after a run to the end it names the final event.
func TestAStartCommandWritesTheStateFile(t *testing.T) {
	srv := fast(t)
	state := filepath.Join(t.TempDir(), "job.state")
	require.NoError(t, os.WriteFile(state, []byte("old"), 0o644))
	r := cli(t, nil, "", args([]string{"enrich", "--base-url", srv.URL, "--routes", "v3", "--json", "--events", "--state", state}, catalogue(2))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := eventLines(t, r.stdout)
	st := readState(t, state)
	info, ok := srv.Job(lines[0].Job.ID)
	require.True(t, ok)
	assert.Equal(t, jobState{Kind: "enrich", JobID: info.ID, Routes: "v3", BaseURL: srv.URL, Token: info.Token, LastEventID: lines[len(lines)-2].Completion.LastEventID}, st)
	assertNoToken(t, r, info.Token)
}

func TestStateFileErrorsAreOneLineBeforeAnyUpload(t *testing.T) {
	srv, _ := frozen(t)
	dir := t.TempDir()
	garbage := writeFile(t, "garbage.state", []byte("not json"))
	noToken := writeFile(t, "notoken.state", []byte(`{"kind":"scan","jobId":"0b6f1c2e-8a7d-4f3e-9c1b-2d3e4f5a6b7c","routes":"v3","baseUrl":"http://127.0.0.1:1"}`))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"watch", "--state", filepath.Join(dir, "missing")}, "cannot read the --state file " + filepath.Join(dir, "missing") + ": no such file or directory; give the file a start command or a watch wrote with --state"},
		{[]string{"watch", "--state", garbage}, "the --state file " + garbage + " is not a state file"},
		{[]string{"watch", "--state", noToken}, "the --state file " + noToken + " has no token"},
		{[]string{"watch", "scan", "0b6f1c2e-8a7d-4f3e-9c1b-2d3e4f5a6b7c", "--state", garbage}, "watch --state FILE takes the job from FILE, not from arguments"},
		{[]string{"watch", "--state", garbage, "--last-event-id", "1-x"}, "--state FILE gives the job's last event id; --last-event-id cannot change it; leave out --last-event-id, or --state"},
		{[]string{"watch", "--state", garbage, "--base-url", srv.URL}, "--state FILE gives the job's base url; --base-url cannot change it"},
		{args([]string{"enrich", "--base-url", srv.URL, "--state", filepath.Join(dir, "no", "such", "dir", "s")}, catalogue(1)), "cannot write the --state file " + filepath.Join(dir, "no", "such", "dir", "s") + ": no such file or directory"},
		{args([]string{"--fake", "enrich", "--state", filepath.Join(dir, "s")}, catalogue(1)), "--state needs a server that outlives the command, and --fake ends with it; run `bookstrack fake serve`"},
	} {
		r := cli(t, nil, "", tc.args...)
		assert.Contains(t, r.errorLine(t, exitUsage), tc.want, tc.args)
	}
	assert.Empty(t, srv.Requests(), "nothing sent")
}
