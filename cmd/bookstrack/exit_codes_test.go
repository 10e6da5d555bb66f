package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

func TestAFailedJobExitsWithTheFailedCodeAndTheServersReason(t *testing.T) {
	csv := writeFile(t, "nottitle.csv", []byte("Name,Author\nEmma,Jane Austen\n"))
	line := cli(t, nil, "", args(fakeFast, []string{"import", csv})...).errorLine(t, exitJobFailed)
	assert.Regexp(t, `^bookstrack: job [0-9a-f-]{36} failed: INVALID_CSV: .+; fix the input and start a new job$`, line)
}

func TestAnExpiredTokenExitsWithTheAuthCode(t *testing.T) {
	r := cli(t, nil, "", args(fakeFast, []string{"enrich", "--expire-token"}, catalogue(1))...)
	line := r.errorLine(t, exitAuth)
	assert.Regexp(t, `stream failed: HTTP 401 \w+: The token has expired; start a new job \(request id [^)]+\)`, line)
	assert.Contains(t, line, "pass the job's own token with --token")
}

func TestAWrongTokenExitsWithTheAuthCode(t *testing.T) {
	srv := fast(t)
	job := startEnrichment(t, srv, 1)
	wrong := strings.Repeat("ab", 32)
	line := cli(t, nil, "", "watch", "enrich", job.ID, "--token", wrong, "--base-url", srv.URL).errorLine(t, exitAuth)
	assert.Contains(t, line, "HTTP 401")
}

func TestARateLimitedStartExitsWithTheRateLimitCodeAndTheWait(t *testing.T) {
	srv := fast(t)
	srv.InjectRateLimit(bookstracktest.RateLimit{Requests: 1, RetryAfter: 3 * time.Second})
	line := cli(t, nil, "", args([]string{"enrich", "--base-url", srv.URL}, catalogue(1))...).errorLine(t, exitRateLimited)
	assert.Regexp(t, `^bookstrack: start failed: HTTP 429 .*\(request id [^)]+\); wait 3s and try again$`, line)
}

func TestResultsOfARunningJobExitWithTheResultsCode(t *testing.T) {
	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 1)
	cli(t, nil, "", "results", "enrich", job.ID, "--base-url", srv.URL).errorLine(t, exitResults)
}

func TestAWrongBaseURLExitsWithTheNetworkCode(t *testing.T) {
	base := closedURL(t)
	line := cli(t, nil, "", args([]string{"enrich", "--base-url", base}, catalogue(1))...).errorLine(t, exitNetwork)
	assert.Contains(t, line, "cannot reach the server")
	assert.Contains(t, line, "check --base-url ("+base+")")
}

func TestAServerThatNeverAnswersExitsWithTheNetworkCode(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c) // held open, never answered
		}
	}()
	defer func() {
		l.Close()
		<-accepted
		for _, c := range conns {
			c.Close()
		}
	}()
	line := cli(t, nil, "", args([]string{"enrich", "--timeout", "50ms", "--base-url", "http://" + l.Addr().String()}, catalogue(1))...).errorLine(t, exitNetwork)
	assert.Contains(t, line, "no answer in time")
}

func TestABaseURLWithoutTheAPIExitsWithTheNotFoundCode(t *testing.T) {
	srv := fast(t)
	line := cli(t, nil, "", args([]string{"enrich", "--base-url", srv.URL + "/nothing"}, catalogue(1))...).errorLine(t, exitNotFound)
	assert.Contains(t, line, "start failed: HTTP 404")
	assert.Contains(t, line, "no such start route: check --base-url")
}

func TestAnUnknownJobExitsWithTheNotFoundCode(t *testing.T) {
	srv := fast(t)
	const id = "0b6f1c2e-8a7d-4f3e-9c1b-2d3e4f5a6b7c"
	for _, cmd := range []string{"status", "cancel"} {
		line := cli(t, nil, "", cmd, "scan", id, "--base-url", srv.URL).errorLine(t, exitNotFound)
		assert.Regexp(t, `^bookstrack: no such job: `+cmd+` failed: HTTP 404 .*\(request id [^)]+\); check the job id`, line)
	}
	job := startEnrichment(t, srv, 1)
	line := cli(t, nil, "", "watch", "scan", job.ID, "--token", job.Token, "--base-url", srv.URL).errorLine(t, exitNotFound)
	assert.Contains(t, line, "no such job: ", "the stream's own JOB_NOT_FOUND, for a job of another kind")
}

func TestAServerErrorExitsWithTheServerCode(t *testing.T) {
	srv := fast(t)
	srv.InjectStatus(1, 500)
	line := cli(t, nil, "", args([]string{"enrich", "--base-url", srv.URL}, catalogue(1))...).errorLine(t, exitServer)
	assert.Regexp(t, `start failed: HTTP 500 INTERNAL_ERROR.*\(request id [^)]+\); try again later`, line)
}

// Bad input gets one line saying what is wrong and what to do, and the
// usage code, before anything is sent.
func TestBadInputExitsWithTheUsageCodeAndOneLine(t *testing.T) {
	dir := t.TempDir()
	text := writeFile(t, "notes.txt", []byte("not a photo\n"))
	empty := writeFile(t, "empty.csv", nil)
	missing := filepath.Join(dir, "missing.csv")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "shelf.jpg"), 0o700))
	const id = "0b6f1c2e-8a7d-4f3e-9c1b-2d3e4f5a6b7c"
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"missing file", nil, []string{"import", missing}, "cannot read CSV file " + missing + ": no such file or directory; check the path"},
		{"empty file", nil, []string{"import", empty}, "CSV file " + empty + " is empty"},
		{"photo that is a directory", nil, []string{"scan", filepath.Join(dir, "shelf.jpg")}, "cannot read photo " + filepath.Join(dir, "shelf.jpg") + ": is a directory"},
		{"photo that is not an image", nil, []string{"scan", text}, "photo " + text + " is not an image (it looks like text/plain; charset=utf-8); give JPEG, PNG"},
		{"too many photos", nil, append([]string{"scan"}, photoFiles(t, 6)...), "bookstrack: 6 photos given; a scan takes at most 5 photos; scan the others in another job"},
		{"bad ISBNs", nil, []string{"enrich", "9780141439518", "123", "97801414395189"}, `not an ISBN: "123", "97801414395189"; an ISBN is 10 or 13 digits`},
		{"no ISBN", nil, []string{"enrich"}, "usage: bookstrack enrich ISBN..."},
		{"unknown flag", nil, []string{"enrich", "--colour", "9780141439518"}, "flag provided but not defined: -colour; run `bookstrack enrich -h` for help"},
		{"flag of another command", nil, []string{"status", "--token", "x", "scan", id}, "flag provided but not defined: -token"},
		{"unknown command", nil, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"no command", nil, nil, "no command given"},
		{"bad routes", nil, []string{"--routes", "v4", "status", "scan", id}, `routes must be v3 or v2, not "v4"`},
		{"bad routes in the environment", map[string]string{"BOOKSTRACK_ROUTES": "v9"}, []string{"status", "scan", id}, "BOOKSTRACK_ROUTES: routes must be v3 or v2"},
		{"unknown quirk", nil, []string{"--fake", "--quirk", "slow-mode", "enrich", "9780141439518"}, `unknown quirk "slow-mode"`},
		{"fake flag without --fake", nil, []string{"enrich", "--drop-after", "2", "9780141439518"}, "--drop-after needs --fake; add --fake"},
		{"unknown kind", nil, []string{"status", "books", id}, `unknown job kind "books"; the kinds are import, scan and enrich`},
		{"job id that is not one", nil, []string{"status", "scan", "42"}, `invalid job ID: "42" is not a UUID`},
		{"watch without a token", nil, []string{"watch", "scan", id}, "watch needs the job's stream token; pass the token"},
		{"status on v2", nil, []string{"--routes", "v2", "status", "scan", id}, "the v2 route set has no such route; use --routes v3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := cli(t, tc.env, "", append(tc.args, "--base-url", closedURL(t))...)
			line := r.errorLine(t, exitUsage)
			assert.Contains(t, line, tc.want)
			assert.Empty(t, r.stdout)
			if tc.args != nil {
				assert.Equal(t, line+"\n", r.stderr, "nothing but the line")
			}
		})
	}
}
