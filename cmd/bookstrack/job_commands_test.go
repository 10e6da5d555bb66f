package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

// startEnrichment starts an enrichment of n catalogue books on srv with
// the library, as another program would, and returns the job.
func startEnrichment(t *testing.T, srv *bookstracktest.Server, n int) bookstrack.Job {
	t.Helper()
	c, err := enrichment.NewClient(bookstrack.WithBaseURL(srv.URL))
	require.NoError(t, err)
	job, err := c.Start(testContext(t), catalogue(n))
	require.NoError(t, err)
	return job
}

// completeEnrichment starts an enrichment and waits until it completed.
func completeEnrichment(t *testing.T, srv *bookstracktest.Server, n int) bookstrack.Job {
	t.Helper()
	job := startEnrichment(t, srv, n)
	c, err := enrichment.NewClient(bookstrack.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.Watch(testContext(t), job, bookstrack.Handlers{})
	require.NoError(t, err)
	return job
}

func TestWatchFollowsAStartedJobWithItsTokenAndPrintsTheResults(t *testing.T) {
	srv := fast(t)
	job := startEnrichment(t, srv, 3)
	r := cli(t, nil, "", "watch", "enrich", job.ID, "--token", job.Token, "--base-url", srv.URL, "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var res enrichment.Results
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Equal(t, job.ID, res.JobID)
	assert.Len(t, res.Books, 3)
}

func TestWatchTakesBaseURLRoutesAndTokenFromTheEnvironment(t *testing.T) {
	srv := fast(t)
	job := startEnrichment(t, srv, 2)
	env := map[string]string{"BOOKSTRACK_BASE_URL": srv.URL, "BOOKSTRACK_TOKEN": job.Token, "BOOKSTRACK_ROUTES": "v2"}
	r := cli(t, env, "", "watch", "enrichment", job.ID)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2 books found")
	var paths []string
	for _, req := range srv.Requests() {
		paths = append(paths, req.Method+" "+req.Path)
	}
	assert.Contains(t, paths, "GET /api/v2/enrichments/"+job.ID+"/stream", "the v2 routes")
}

func TestWatchResumesAfterTheLastEventIDGiven(t *testing.T) {
	srv := fast(t)
	job := completeEnrichment(t, srv, 1)
	const last = "1796000000000-progress"
	r := cli(t, nil, "", "--base-url", srv.URL, "watch", "enrich", job.ID, "--token", job.Token, "--last-event-id", last)
	require.Equal(t, exitOK, r.code, r.stderr)
	var sent []string
	for _, req := range srv.Requests() {
		if req.Path == "/v3/jobs/enrichment/"+job.ID+"/stream" {
			sent = append(sent, req.Header.Get("Last-Event-ID"))
		}
	}
	assert.Equal(t, []string{"", last}, sent, "the library's own watch, then the command's")
}

func TestStatusPrintsTheJobsStateAsATableOrJSON(t *testing.T) {
	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 2)

	r := cli(t, nil, "", "status", "enrich", job.ID, "--base-url", srv.URL)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^JOB +`+job.ID+`$`, r.stdout)
	assert.Regexp(t, `(?m)^STATUS +queued$`, r.stdout)
	assert.Regexp(t, `(?m)^PROGRESS +0\.0%$`, r.stdout)

	r = cli(t, nil, "", "status", "enrich", job.ID, "--base-url", srv.URL, "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var p bookstrack.Progress
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &p))
	assert.Equal(t, job.ID, p.JobID)
	assert.Equal(t, bookstrack.StatusQueued, p.Status)
}

func TestStatusOfAFailedJobPrintsItAndExitsWithTheFailedCode(t *testing.T) {
	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 2)
	require.True(t, srv.FailJob(job.ID, "ENRICHMENT_FAILED", "provider down", true))
	r := cli(t, nil, "", "status", "enrich", job.ID, "--base-url", srv.URL)
	line := r.errorLine(t, exitJobFailed)
	assert.Regexp(t, `(?m)^STATUS +failed$`, r.stdout)
	assert.Contains(t, line, "ENRICHMENT_FAILED: provider down")
	assert.Contains(t, line, "starting it again may succeed")
}

func TestResultsPrintsACompletedJobsResults(t *testing.T) {
	srv := fast(t)
	job := completeEnrichment(t, srv, 2)
	r := cli(t, nil, "", "results", "enrich", job.ID, "--base-url", srv.URL, "--json")
	require.Equal(t, exitOK, r.code, r.stderr)
	var res enrichment.Results
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Len(t, res.Books, 2)

	r = cli(t, nil, "", "results", "enrich", job.ID, "--base-url", srv.URL)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^ISBN +TITLE +AUTHORS +PUBLISHER +PUBLISHED +PROVIDER$`, r.stdout)
}

func TestCancelCancelsTheJobOnTheServer(t *testing.T) {
	srv, _ := frozen(t)
	c, err := scan.NewClient(bookstrack.WithBaseURL(srv.URL))
	require.NoError(t, err)
	job, err := c.Start(testContext(t), photo(t, 1))
	require.NoError(t, err)

	r := cli(t, nil, "", "cancel", "scan", job.ID, "--base-url", srv.URL)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "canceled scan job "+job.ID+"\n", r.stdout)
	info, ok := srv.Job(job.ID)
	require.True(t, ok)
	assert.Equal(t, bookstrack.StatusCanceled, info.Status)
}

func TestCancelOfAnEndedJobSaysTheServersConflict(t *testing.T) {
	srv := fast(t)
	job := completeEnrichment(t, srv, 1)
	line := cli(t, nil, "", "cancel", "enrich", job.ID, "--base-url", srv.URL).errorLine(t, exitServer)
	assert.Regexp(t, `cancel failed: HTTP 409 CONFLICT: .* \(request id [^)]+\)`, line)
}

// The results of a job kept past the results TTL are gone.
func TestResultsAfterTheyExpiredExitWithTheResultsCode(t *testing.T) {
	srv, clk := frozen(t)
	job := startEnrichment(t, srv, 1)
	ctx := testContext(t)
	for {
		info, _ := srv.Job(job.ID)
		if info.Status == bookstrack.StatusCompleted {
			break
		}
		require.NoError(t, clk.WaitPending(ctx, 1), "the job's next step is armed")
		clk.Advance(bookstracktest.DefaultStepInterval)
	}
	r := cli(t, nil, "", "results", "enrich", job.ID, "--base-url", srv.URL)
	require.Equal(t, exitOK, r.code, "kept at first: %s", r.stderr)

	clk.Advance(bookstracktest.DefaultResultsTTL + time.Second)
	line := cli(t, nil, "", "results", "enrich", job.ID, "--base-url", srv.URL).errorLine(t, exitResults)
	assert.Regexp(t, `^bookstrack: the results of enrich job `+job.ID+` have expired: results failed: HTTP 404 \w+: .*\(request id [^)]+\); results are kept about 2 hours after a job completes; start the job again$`, line)
}
