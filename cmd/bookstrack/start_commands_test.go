package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

var fakeFast = []string{"--fake", "--fake-step", "1ms"}

func args(a ...[]string) []string {
	var all []string
	for _, x := range a {
		all = append(all, x...)
	}
	return all
}

func TestImportShowsProgressLinesThenTheBooksAsATable(t *testing.T) {
	csv := writeFile(t, "library.csv", []byte(libraryCSV(3)))
	r := cli(t, nil, "", args(fakeFast, []string{"import", csv})...)
	require.Equal(t, exitOK, r.code, r.stderr)

	assert.Contains(t, r.stderr, "started import job ")
	assert.Regexp(t, `(?m)^ +2\.0%  \[processing\] Validating CSV file\.\.\.$`, r.stderr, "plain progress lines off a terminal")
	assert.Regexp(t, `(?m)^100\.0%  \[completed\] Import complete: 3 books$`, r.stderr)
	assert.NotContains(t, r.stderr, "\r", "no bar off a terminal")
	assert.Contains(t, r.stdout, "3 books created")
	assert.Regexp(t, `(?m)^ISBN +TITLE +AUTHORS +PUBLISHED +PAGES$`, r.stdout)
	for _, b := range bookstracktest.Catalogue()[:3] {
		assert.Regexp(t, `(?m)^`+b.ISBN13+` +`+b.Title+` +`, r.stdout)
	}
}

func TestImportReadsTheCSVFromStandardInput(t *testing.T) {
	r := cli(t, nil, libraryCSV(2), args(fakeFast, []string{"import", "--json", "-"})...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var res csvimport.Results
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Equal(t, 2, res.BooksCreated)
}

func TestImportJSONParsesBackAsTheResults(t *testing.T) {
	csv := writeFile(t, "library.csv", []byte(libraryCSV(4)))
	r := cli(t, nil, "", args(fakeFast, []string{"import", "--json", csv})...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Empty(t, r.stderr, "--json writes nothing else off a terminal")

	var res csvimport.Results
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.Equal(t, 4, res.BooksCreated)
	var isbns []string
	for _, b := range res.Books {
		isbns = append(isbns, b.ISBN)
	}
	assert.ElementsMatch(t, catalogue(4), isbns)
}

func TestScanJSONParsesBackAsTheDetectedBooks(t *testing.T) {
	r := cli(t, nil, "", args(fakeFast, []string{"scan", "--json"}, photoFiles(t, 2))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var res scan.Results
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	assert.GreaterOrEqual(t, len(res.Books), 4, "2 to 4 books a photo")
	assert.Equal(t, len(res.Books), len(res.Approved)+len(res.NeedsReview))
}

func TestScanShowsItsStagesThenATable(t *testing.T) {
	r := cli(t, nil, "", args(fakeFast, []string{"scan"}, photoFiles(t, 1))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "[detecting] Processing photo 1 of 1...")
	assert.Contains(t, r.stderr, "[enriching] Enriched 1 of ")
	assert.Regexp(t, `(?m)^TITLE +AUTHOR +ISBN +CONFIDENCE +REVIEW +ENRICHMENT$`, r.stdout)
	assert.Regexp(t, `books detected, \d+ approved, \d+ to review \(threshold 0\.80\)`, r.stdout)
}

func TestEnrichJSONParsesBackAsTheBooksAndTheISBNsNotFound(t *testing.T) {
	isbns := catalogue(3)
	unknown := "978-1-23456-789-7"
	r := cli(t, nil, "", args(fakeFast, []string{"enrich", "--json"}, isbns, []string{unknown})...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var res enrichment.Results
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
	var got []string
	for _, b := range res.Books {
		got = append(got, b.ISBN)
	}
	assert.ElementsMatch(t, isbns, got)
	assert.Equal(t, []string{unknown}, res.NotFound, "spelled as given")
}

func TestEnrichReadsISBNsFromStandardInput(t *testing.T) {
	r := cli(t, nil, strings.Join(catalogue(2), "\n")+"\n", args(fakeFast, []string{"enrich", "-"})...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "2 books found, 0 ISBNs not found")
}

func TestEventsAreJSONLinesFromStartedToResults(t *testing.T) {
	r := cli(t, nil, "", args(fakeFast, []string{"enrich", "--json", "--events"}, catalogue(2))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := eventLines(t, r.stdout)
	require.GreaterOrEqual(t, len(lines), 4)

	first, last := lines[0], lines[len(lines)-1]
	assert.Equal(t, "started", first.Type)
	require.NotNil(t, first.Job)
	assert.Equal(t, "enrichment", first.Job.Kind)
	assert.Equal(t, "results", last.Type)
	var res enrichment.Results
	require.NoError(t, json.Unmarshal(last.Results, &res))
	assert.Equal(t, first.Job.ID, res.JobID)
	assert.Len(t, res.Books, 2)
	assert.Equal(t, "completed", lines[len(lines)-2].Type)

	ps := progressOf(lines)
	require.NotEmpty(t, ps)
	for i, p := range ps {
		assert.Equal(t, first.Job.ID, p.JobID)
		if i > 0 {
			assert.GreaterOrEqual(t, p.Fraction, ps[i-1].Fraction, "fractions never go down")
		}
	}
	assert.Equal(t, bookstrack.StatusCompleted, ps[len(ps)-1].Status)
}

func TestEventsWithoutJSONIsAUsageError(t *testing.T) {
	line := cli(t, nil, "", args(fakeFast, []string{"enrich", "--events"}, catalogue(1))...).errorLine(t, exitUsage)
	assert.Equal(t, "bookstrack: --events needs --json; add --json", line)
}
