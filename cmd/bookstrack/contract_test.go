package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const unknownJob = "0b6f1c2e-8a7d-4f3e-9c1b-2d3e4f5a6b7c"

// An unknown job is exit 7 from every command that takes a job id, as
// --help lists; results tells it from a job still running (5) by asking
// the status route, and says what it found once.
func TestAnUnknownJobExitsSevenFromEveryCommand(t *testing.T) {
	srv, _ := frozen(t)
	token := strings.Repeat("ab", 32)
	for _, a := range [][]string{
		{"status", "enrich", unknownJob},
		{"results", "enrich", unknownJob},
		{"cancel", "enrich", unknownJob},
		{"watch", "enrich", unknownJob, "--token", token},
	} {
		line := cli(t, nil, "", append(a, "--base-url", srv.URL)...).errorLine(t, exitNotFound)
		assert.Contains(t, line, unknownJob, a[0])
	}
	assert.Contains(t, exitCodesHelp, "  7    not found: unknown job (from every command)")

	line := cli(t, nil, "", "results", "enrich", unknownJob, "--base-url", srv.URL).errorLine(t, exitNotFound)
	assert.Regexp(t, `^bookstrack: no enrich job `+unknownJob+`: results failed: HTTP 404 NOT_FOUND: [^;]+\(request id [^)]+\); check the job id, its kind and --routes$`, line)

	job := startEnrichment(t, srv, 1)
	line = cli(t, nil, "", "results", "enrich", job.ID, "--base-url", srv.URL).errorLine(t, exitResults)
	assert.Equal(t, "bookstrack: enrich job "+job.ID+" has no results yet: it is queued, 0.0% done; wait for it with `bookstrack watch enrich "+job.ID+" --token TOKEN --base-url "+srv.URL+"`", line)
}

// The exit code of a run stopped by a signal: 143 for SIGTERM, 130 for
// SIGINT (and for a context canceled without a signal).
func TestSIGTERMExits143AndSIGINT130(t *testing.T) {
	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 1)
	for _, tc := range []struct {
		cause error
		code  int
	}{
		{&signalError{syscall.SIGTERM}, exitTerminated},
		{&signalError{syscall.SIGINT}, exitInterrupted},
		{nil, exitInterrupted},
	} {
		for _, a := range [][]string{
			{"status", "enrich", job.ID, "--base-url", srv.URL},
			{"watch", "enrich", job.ID, "--token", job.Token, "--base-url", srv.URL},
		} {
			ctx, cancel := context.WithCancelCause(testContext(t))
			cancel(tc.cause)
			line := cliContext(ctx, nil, "", &syncBuffer{}, a...).errorLine(t, tc.code)
			assert.True(t, strings.HasPrefix(line, "bookstrack: interrupted"), line)
		}
	}
	assert.Contains(t, exitCodesHelp, "  143  terminated (SIGTERM)\n")
	assert.Contains(t, exitCodesHelp, "  130  interrupted (Ctrl-C, SIGINT)\n")
}

func TestVersionPrintsTheVersion(t *testing.T) {
	r := cli(t, nil, "", "--version")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^bookstrack \S+ .*go1\.\d+`, r.stdout)
	assert.Empty(t, r.stderr)
}

// Negative durations and counts are usage errors, one line naming the
// flag and what it takes.
func TestNegativeDurationsAndCountsAreRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fake", "enrich", "--fake-step", "-1s"}, `invalid value "-1s" for flag -fake-step: want a duration of 0 or more, such as 100ms, 2s or 1m; run ` + "`bookstrack enrich -h`" + ` for help`},
		{[]string{"--fake", "enrich", "--drop-after", "-1"}, `invalid value "-1" for flag -drop-after: want a whole number of 0 or more`},
		{[]string{"--fake", "enrich", "--rate-limit", "-2"}, `invalid value "-2" for flag -rate-limit: want a whole number of 0 or more`},
		{[]string{"status", "--timeout", "-5s", "scan", unknownJob}, `invalid value "-5s" for flag -timeout: want a duration of 0 or more`},
		{[]string{"--timeout", "soon", "status", "scan", unknownJob}, `invalid value "soon" for flag -timeout: want a duration such as 100ms, 2s or 1m`},
	} {
		r := cli(t, nil, "", args(tc.args, catalogue(1))...)
		line := r.errorLine(t, exitUsage)
		assert.Contains(t, line, tc.want)
		assert.Equal(t, line+"\n", r.stderr)
	}
}

// The same checks, before anything is uploaded, for every kind: the file
// type, the count limit with its number, repeats counted once.
func TestInputChecksAreTheSameForEveryKindAndComeBeforeUpload(t *testing.T) {
	srv, _ := frozen(t)
	jpeg := writeFile(t, "shelf.jpg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 64)...))
	csv := writeFile(t, "library.csv", []byte(libraryCSV(2)))
	var many []string
	for i := range enrichmentMax + 1 {
		many = append(many, fmt.Sprintf("978%010d", i))
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a photo given to import", []string{"import", jpeg}, "bookstrack: CSV file " + jpeg + " is not text (it looks like image/jpeg); give a library export in CSV"},
		{"a CSV given to scan", []string{"scan", csv}, "bookstrack: photo " + csv + " is not an image (it looks like text/plain; charset=utf-8); give JPEG, PNG, GIF or WebP photos"},
		{"six photos", args([]string{"scan"}, photoFiles(t, 6)), "bookstrack: 6 photos given; a scan takes at most 5 photos; scan the others in another job"},
		{"six different photos among seven", args([]string{"scan"}, photoFiles(t, 6), photoFiles(t, 1)), "bookstrack: 6 different photos given; a scan takes at most 5 photos"},
		{"501 ISBNs", args([]string{"enrich"}, many), "bookstrack: 501 different ISBNs given; an enrichment takes at most 500 ISBNs; enrich the others in another job"},
	} {
		line := cli(t, nil, "", append(tc.args, "--base-url", srv.URL)...).errorLine(t, exitUsage)
		assert.Equal(t, tc.want, line[:min(len(line), len(tc.want))], tc.name)
	}
	assert.Empty(t, srv.Requests(), "nothing uploaded")

	// Repeats count once, and are sent once.
	isbn := catalogue(1)[0]
	copies := make([]string, enrichmentMax+1)
	for i := range copies {
		copies[i] = isbn
	}
	r := cli(t, nil, "", args(fakeFast, []string{"enrich", "--json"}, copies)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"isbn": "`+isbn+`"`)
	one := photoFiles(t, 1)[0]
	r = cli(t, nil, "", args(fakeFast, []string{"scan", "--json", "--events"}, []string{one, one, one, one, one, one})...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Starting scan of 1 photos...", "the photo sent once")
}

const enrichmentMax = 500

var lowerCamelKey = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*$`)

// keys checks every key of the JSON document v, at any depth.
func keys(t *testing.T, v any, where string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			assert.Regexp(t, lowerCamelKey, k, where)
			keys(t, x, where+"."+k)
		}
	case []any:
		for _, x := range v {
			keys(t, x, where)
		}
	}
}

// --json and --events write lowerCamelCase keys at every depth, as the
// API does; a time the server did not give is left out; an empty list is
// []; an enrichment's completed line counts its books.
func TestJSONKeysAreLowerCamelCaseTimesOptionalAndListsNeverNull(t *testing.T) {
	runs := map[string]result{
		"enrich":   cli(t, nil, "", args(fakeFast, []string{"enrich", "--json", "--events"}, catalogue(3))...),
		"scan":     cli(t, nil, "", args(fakeFast, []string{"scan", "--json", "--events"}, photoFiles(t, 1))...),
		"import":   cli(t, nil, "", args(fakeFast, []string{"import", "--json", "--events", writeFile(t, "l.csv", []byte(libraryCSV(2)))})...),
		"enrich-1": cli(t, nil, "", args(fakeFast, []string{"enrich", "--json"}, catalogue(1))...),
	}
	for name, r := range runs {
		require.Equal(t, exitOK, r.code, "%s: %s", name, r.stderr)
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		for dec.More() {
			var v any
			require.NoError(t, dec.Decode(&v))
			keys(t, v, name)
		}
		assert.NotContains(t, r.stdout, "0001-01-01", "%s: no zero time", name)
		assert.NotContains(t, r.stdout, "null", "%s: no null", name)
	}
	assert.Contains(t, runs["enrich-1"].stdout, `"notFound": []`)

	lines := eventLines(t, runs["enrich"].stdout)
	completed, results := lines[len(lines)-2], lines[len(lines)-1]
	require.Equal(t, "completed", completed.Type)
	var raw struct {
		Completion map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(strings.Split(strings.TrimSpace(runs["enrich"].stdout), "\n")[len(lines)-2]), &raw))
	assert.Equal(t, float64(3), raw.Completion["books"], "the books the enrichment found")
	assert.Equal(t, true, raw.Completion["hasBooks"])
	assert.Contains(t, string(results.Results), `"jobId":"`+completed.Completion.JobID+`"`)

	srv, _ := frozen(t)
	job := startEnrichment(t, srv, 1)
	r := cli(t, nil, "", "status", "enrich", job.ID, "--json", "--base-url", srv.URL)
	require.Equal(t, exitOK, r.code, r.stderr)
	var status map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &status))
	keys(t, status, "status")
	assert.Equal(t, job.ID, status["jobId"])
	assert.NotContains(t, r.stdout, "0001-01-01")
}

func TestLowerCamelNamesGoFieldsAsTheAPIDoes(t *testing.T) {
	for in, want := range map[string]string{
		"JobID": "jobId", "ISBN": "isbn", "CoverURL": "coverUrl", "HTTPServer": "httpServer",
		"ConfidenceKnown": "confidenceKnown", "LastEventID": "lastEventId", "X": "x", "BooksCreated": "booksCreated",
	} {
		assert.Equal(t, want, lowerCamel(in))
	}
}

// --fake starts a fake API with no jobs, which ends with the command: the
// commands about a started job refuse it and point at fake serve.
func TestFakeIsRefusedWhereItCannotWork(t *testing.T) {
	for _, a := range [][]string{
		{"--fake", "status", "scan", unknownJob},
		{"--fake", "results", "scan", unknownJob},
		{"--fake", "cancel", "scan", unknownJob},
		{"--fake", "watch", "scan", unknownJob, "--token", "t"},
	} {
		line := cli(t, nil, "", a...).errorLine(t, exitUsage)
		assert.Equal(t, "bookstrack: --fake starts a fake API with no jobs, which ends with the command, so "+a[1]+" cannot find a job of it; run `bookstrack fake serve` and pass the URL it prints with --base-url", line)
	}
}

// repeats returns the runs of four words that occur more than once in
// line: a message that says the same thing twice.
func repeats(line string) []string {
	words := strings.Fields(strings.NewReplacer(";", " ", ",", " ", ":", " ", "(", " ", ")", " ").Replace(strings.ToLower(line)))
	seen := map[string]bool{}
	var twice []string
	for i := 0; i+4 <= len(words); i++ {
		g := strings.Join(words[i:i+4], " ")
		if seen[g] {
			twice = append(twice, g)
		}
		seen[g] = true
	}
	return twice
}

// No error line says the same thing twice (the server's words, then the
// command's advice repeating them).
func TestNoErrorLineSaysTheSameThingTwice(t *testing.T) {
	srv, _ := frozen(t)
	expired := startEnrichment(t, srv, 1)
	srv.ExpireToken(expired.ID)
	running := startEnrichment(t, srv, 1)
	failed := startEnrichment(t, srv, 1)
	require.True(t, srv.FailJob(failed.ID, "ENRICHMENT_FAILED", "provider down", true))
	var lines []string
	for _, tc := range []struct {
		code int
		args []string
	}{
		{exitAuth, []string{"watch", "enrich", expired.ID, "--token", expired.Token}},
		{exitAuth, []string{"watch", "enrich", running.ID, "--token", strings.Repeat("ab", 32)}},
		{exitAuth, []string{"watch", "enrich", running.ID, "--token", "x"}},
		{exitNotFound, []string{"results", "enrich", unknownJob}},
		{exitNotFound, []string{"status", "enrich", unknownJob}},
		{exitResults, []string{"results", "enrich", running.ID}},
		{exitJobFailed, []string{"watch", "enrich", failed.ID, "--token", failed.Token}},
		{exitJobFailed, []string{"results", "enrich", failed.ID}},
		{exitUsage, []string{"--routes", "v2", "status", "enrich", running.ID}},
	} {
		lines = append(lines, cli(t, nil, "", append(tc.args, "--base-url", srv.URL)...).errorLine(t, tc.code))
	}
	for _, l := range lines {
		assert.Empty(t, repeats(l), l)
	}
}
