package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/enrichment"
)

func TestEveryQuirkOfTheFakeHasASwitch(t *testing.T) {
	var all bookstracktest.Quirks
	for _, set := range quirkSwitches {
		set(&all)
	}
	v := reflect.ValueOf(all)
	for i := range v.NumField() {
		assert.False(t, v.Field(i).IsZero(), "no --quirk sets %s", v.Type().Field(i).Name)
	}
}

// The library absorbs each quirk: a job still completes with its results.
func TestEachQuirkStillGivesTheResults(t *testing.T) {
	isbns := catalogue(2)
	for name := range quirkSwitches {
		t.Run(name, func(t *testing.T) {
			r := cli(t, nil, "", args(fakeFast, []string{"--quirk", name, "enrich", "--json"}, isbns)...)
			require.Equal(t, exitOK, r.code, r.stderr)
			var res enrichment.Results
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &res))
			if name == "enrichment-results-empty" {
				assert.Empty(t, res.Books, "the server said none")
				return
			}
			assert.Len(t, res.Books, 2)
		})
	}
}

func TestQuirksCombine(t *testing.T) {
	r := cli(t, nil, "", args(fakeFast, []string{"--quirk", "legacy-start", "--quirk", "legacy-errors", "--quirk", "percent-complete", "scan", "--json"}, photoFiles(t, 1))...)
	require.Equal(t, exitOK, r.code, r.stderr)
}

func TestLegacyErrorsStillGiveTheCodeAndRequestID(t *testing.T) {
	r := cli(t, nil, "", args(fakeFast, []string{"--quirk", "legacy-errors", "enrich", "--expire-token"}, catalogue(1))...)
	line := r.errorLine(t, exitAuth)
	assert.Regexp(t, `stream failed: HTTP 401 TOKEN_EXPIRED: .*\(request id [^)]+\)`, line)
}
