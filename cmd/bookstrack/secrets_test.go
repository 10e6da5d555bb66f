package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
	for _, extra := range [][]string{nil, {"--json"}, {"--json", "--events"}, {"--json", "--events", "--state", filepath.Join(t.TempDir(), "s")}} {
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

// varying masks the parts of an error line that change from one run to
// the next: request ids and the path of a --state file.
func varying(line string) string {
	line = regexp.MustCompile(`request id [^)]+`).ReplaceAllString(line, "request id X")
	return regexp.MustCompile(`\S*job\.state`).ReplaceAllString(line, "FILE")
}

// The command prints its errors as they are: no text replacement of the
// token, whose letters may be anywhere in a message (the token "e" used
// to turn "expired" into "[redacted]xpir[redacted]d"). Over every error
// path a watch with a given token can take (as --token, as
// BOOKSTRACK_TOKEN and in a --state file), the line is the one printed
// with another token of the same length and kind that occurs in no
// message, and a 64-character token is nowhere in it.
func TestErrorMessagesAreNotAlteredByTheToken(t *testing.T) {
	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 1)
	failed := startEnrichment(t, srv, 1)
	require.True(t, srv.FailJob(failed.ID, "ENRICHMENT_FAILED", "the provider refused every request", false))
	const unknown = "0b6f1c2e-8a7d-4f3e-9c1b-2d3e4f5a6b7c"

	type path struct {
		name string
		code int // with the token of the pair's first kind; 0: any
		args func(token string) ([]string, map[string]string)
	}
	watch := func(id string, extra ...string) func(string) ([]string, map[string]string) {
		return func(token string) ([]string, map[string]string) {
			return append([]string{"watch", "enrich", id, "--token", token, "--base-url", srv.URL}, extra...), nil
		}
	}
	state := func(kind, id, base string) func(string) ([]string, map[string]string) {
		return func(token string) ([]string, map[string]string) {
			data, err := json.Marshal(jobState{Kind: kind, JobID: id, Routes: "v3", BaseURL: base, Token: token})
			require.NoError(t, err)
			p := filepath.Join(t.TempDir(), "job.state")
			require.NoError(t, os.WriteFile(p, data, 0o600))
			return []string{"watch", "--state", p}, nil
		}
	}
	paths := []path{
		{"token that is not the job's", exitAuth, watch(job.ID)},
		{"token in the environment", exitAuth, func(token string) ([]string, map[string]string) {
			return []string{"watch", "enrich", job.ID, "--base-url", srv.URL}, map[string]string{"BOOKSTRACK_TOKEN": token}
		}},
		{"unknown job", 0, watch(unknown)},
		{"job of another kind", 0, func(token string) ([]string, map[string]string) {
			return []string{"watch", "scan", job.ID, "--token", token, "--base-url", srv.URL}, nil
		}},
		{"unknown kind", exitUsage, func(token string) ([]string, map[string]string) {
			return []string{"watch", "books", job.ID, "--token", token}, nil
		}},
		{"job id that is not one", exitUsage, watch("42")},
		{"bad flag value", exitUsage, watch(job.ID, "--timeout", "-1s")},
		{"--state with --token", exitUsage, func(token string) ([]string, map[string]string) {
			return []string{"watch", "--state", filepath.Join(t.TempDir(), "s"), "--token", token}, nil
		}},
		{"--state file of a job id that is not one", exitUsage, state("enrich", "42", srv.URL)},
		{"--state file with a wrong token", exitAuth, state("enrich", job.ID, srv.URL)},
		{"--state file of an unknown kind", exitUsage, state("books", job.ID, srv.URL)},
	}
	for _, pair := range []struct{ token, other string }{
		{"e", "~"},
		{"ex", "~~"},
		{strings.Repeat("e1", 32), strings.Repeat("0f", 32)},
	} {
		for _, p := range paths {
			t.Run(fmt.Sprintf("%d-character token/%s", len(pair.token), p.name), func(t *testing.T) {
				a, env := p.args(pair.token)
				r := cli(t, env, "", a...)
				line := r.errorLine(t, r.code)
				if p.code != 0 {
					require.Equal(t, p.code, r.code, line)
				}
				a, env = p.args(pair.other)
				control := cli(t, env, "", a...).errorLine(t, r.code)
				assert.Equal(t, varying(control), varying(line), "token %q", pair.token)
				assert.NotContains(t, line, "[redacted]")
				if len(pair.token) == 64 {
					assertNoToken(t, r, pair.token)
				}
			})
		}
	}

	// The job's own token, on the paths that need it: it is not printed,
	// and the server's words come through whole.
	srv.ExpireToken(job.ID)
	r := cli(t, nil, "", "watch", "enrich", job.ID, "--token", job.Token, "--base-url", srv.URL)
	assert.Regexp(t, `HTTP 401 \w+: The token has expired; start a new job`, r.errorLine(t, exitAuth))
	assertNoToken(t, r, job.Token)
	r = cli(t, nil, "", "watch", "enrich", failed.ID, "--token", failed.Token, "--base-url", srv.URL)
	assert.Contains(t, r.errorLine(t, exitJobFailed), "ENRICHMENT_FAILED: the provider refused every request")
	assertNoToken(t, r, failed.Token)
}
