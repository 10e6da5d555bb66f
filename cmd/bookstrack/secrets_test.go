package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func assertNoToken(t *testing.T, r result, token string) {
	t.Helper()
	require.NotEmpty(t, token)
	assert.NotContains(t, r.stdout, token)
	assert.NotContains(t, r.stderr, token)
}

func TestTheTokenOfAStartedJobIsNeverPrinted(t *testing.T) {
	srv := fast(t)
	csv := writeFile(t, "library.csv", []byte(libraryCSV(2)))
	var runs []result
	for _, extra := range [][]string{nil, {"--json"}, {"--json", "--events"}} {
		r := cli(t, nil, "", append([]string{"import", "--base-url", srv.URL, csv}, extra...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		runs = append(runs, r)
	}
	const prefix = "/v3/jobs/imports/"
	jobs := map[string]bool{}
	for _, req := range srv.Requests() {
		if strings.HasPrefix(req.Path, prefix) && strings.HasSuffix(req.Path, "/stream") {
			jobs[strings.TrimSuffix(strings.TrimPrefix(req.Path, prefix), "/stream")] = true
			assert.Empty(t, req.RawQuery, "the token goes in a header")
		}
	}
	require.Len(t, jobs, len(runs))
	for id := range jobs {
		info, ok := srv.Job(id)
		require.True(t, ok)
		for _, r := range runs {
			assertNoToken(t, r, info.Token)
		}
	}
}

func TestAGivenTokenIsNotPrintedInErrorsInterruptionsOrHelp(t *testing.T) {
	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 1)

	srv.ExpireToken(job.ID)
	r := cli(t, nil, "", "watch", "enrich", job.ID, "--token", job.Token, "--base-url", srv.URL)
	r.errorLine(t, exitAuth)
	assertNoToken(t, r, job.Token)

	r = cli(t, map[string]string{"BOOKSTRACK_TOKEN": job.Token}, "", "watch", "-h")
	require.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "-token")
	assertNoToken(t, r, job.Token)

	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	job2 := startEnrichment(t, srv, 1)
	r = cliContext(ctx, nil, "", &syncBuffer{}, "watch", "enrich", job2.ID, "--token", job2.Token, "--base-url", srv.URL)
	r.errorLine(t, exitInterrupted)
	assert.Contains(t, r.stderr, "--token TOKEN")
	assertNoToken(t, r, job2.Token)
}
