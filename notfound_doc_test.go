package bookstrack_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bookstrack/bookstrack-go"
)

// TestNotFoundErrorsMatchAsThePackageDocTableSays holds the rows of the
// "Not found" table that the error types decide alone; the results rows
// are Results' wrapping (e2e_results_test.go).
func TestNotFoundErrorsMatchAsThePackageDocTableSays(t *testing.T) {
	notFound := func(op bookstrack.Op) error {
		return &bookstrack.APIError{Op: op, StatusCode: http.StatusNotFound}
	}
	for _, tc := range []struct {
		row  string
		err  error
		want []error
	}{
		{"start 404", notFound(bookstrack.OpStart), []error{bookstrack.ErrNotFound}},
		{"status 404", notFound(bookstrack.OpStatus), []error{bookstrack.ErrNotFound, bookstrack.ErrJobNotFound}},
		{"cancel 404", notFound(bookstrack.OpCancel), []error{bookstrack.ErrNotFound, bookstrack.ErrJobNotFound}},
		{"stream 404", notFound(bookstrack.OpStream), []error{bookstrack.ErrNotFound, bookstrack.ErrJobNotFound}},
		{"stream JOB_NOT_FOUND", &bookstrack.StreamError{Code: "JOB_NOT_FOUND"}, []error{bookstrack.ErrJobNotFound}},
		{"results 404 (the APIError alone)", notFound(bookstrack.OpResults), []error{bookstrack.ErrNotFound}},
	} {
		for _, sentinel := range []error{bookstrack.ErrNotFound, bookstrack.ErrJobNotFound, bookstrack.ErrResultsUnavailable, bookstrack.ErrResultsExpired, bookstrack.ErrNoRoute} {
			want := false
			for _, w := range tc.want {
				want = want || w == sentinel
			}
			assert.Equal(t, want, errors.Is(tc.err, sentinel), "%s: errors.Is(%v)", tc.row, sentinel)
		}
	}
}
