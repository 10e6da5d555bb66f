package csvimport_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

func newClient(t testing.TB, url string, hc *http.Client, opts ...bookstrack.Option) *csvimport.Client {
	t.Helper()
	c, err := csvimport.NewClient(append([]bookstrack.Option{bookstrack.WithBaseURL(url), bookstrack.WithHTTPClient(hc)}, opts...)...)
	require.NoError(t, err)
	return c
}

const fullResults = `{
	"booksCreated": 2, "booksUpdated": 1, "duplicatesSkipped": 3, "enrichmentSucceeded": 2, "enrichmentFailed": 1,
	"errors": [{"row": 4, "isbn": "9780000000000", "error": "Invalid ISBN"}, {"row": 7, "error": "Missing title"}],
	"books": [
		{"isbn": "9780141439518", "title": "Pride and Prejudice", "authors": ["Jane Austen"], "publisher": "Penguin",
		 "publishedDate": "2002-12-31", "description": "A novel.", "pageCount": 480, "categories": ["Fiction", "Classics"],
		 "language": "en", "coverUrl": "https://covers.example/1.jpg"},
		{"isbn": "", "title": "Untitled Notebook", "authors": ["A. Person", "B. Person"], "language": "en"}
	]
}`

var fullWant = csvimport.Results{
	JobID: jobtest.JobID, BooksCreated: 2, BooksUpdated: 1, DuplicatesSkipped: 3, EnrichmentSucceeded: 2, EnrichmentFailed: 1,
	Errors: []csvimport.RowError{{Row: 4, ISBN: "9780000000000", Error: "Invalid ISBN"}, {Row: 7, Error: "Missing title"}},
	Books: []csvimport.Book{
		{ISBN: "9780141439518", Title: "Pride and Prejudice", Authors: []string{"Jane Austen"}, Publisher: "Penguin",
			PublishedDate: "2002-12-31", Description: "A novel.", PageCount: 480, Categories: []string{"Fiction", "Classics"},
			Language: "en", CoverURL: "https://covers.example/1.jpg"},
		{Title: "Untitled Notebook", Authors: []string{"A. Person", "B. Person"}, Language: "en"},
	},
}

func TestResultsDecodesEveryVariant(t *testing.T) {
	tests := []struct {
		name string
		v2   bool
		body string
		want csvimport.Results
	}{
		{
			name: "envelope with results in data",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + fullResults + `},"metadata":{"requestId":"r"}}`,
			want: fullWant,
		},
		{
			name: "results bare in data",
			body: `{"success":true,"data":` + fullResults + `}`,
			want: fullWant,
		},
		{
			name: "data without the envelope",
			body: `{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + fullResults + `}`,
			want: fullWant,
		},
		{
			name: "results object alone",
			body: fullResults,
			want: fullWant,
		},
		{
			name: "v2 results route",
			v2:   true,
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + fullResults + `}}`,
			want: fullWant,
		},
		{
			name: "lenient variants: counts as strings, numeric isbn, authors as objects, null optionals",
			body: `{"success":true,"data":{"results":{"booksCreated":"1","booksUpdated":0.0,"errors":[{"row":"3","isbn":null,"error":"bad"}],
				"books":[{"isbn":9780141439518,"title":"Emma","authors":[{"name":"Jane Austen"}],"publisher":"P","publishedDate":null,"pageCount":"474","categories":null,"language":"en","coverUrl":"c","shelf":"x"}]}}}`,
			want: csvimport.Results{JobID: jobtest.JobID, BooksCreated: 1,
				Errors: []csvimport.RowError{{Row: 3, Error: "bad"}},
				Books:  []csvimport.Book{{ISBN: "9780141439518", Title: "Emma", Authors: []string{"Jane Austen"}, Publisher: "P", PageCount: 474, Language: "en", CoverURL: "c"}},
			},
		},
		{
			name: "empty results: counts zero, no books",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":{"booksCreated":0,"errors":[],"books":[]}}}`,
			want: csvimport.Results{JobID: jobtest.JobID},
		},
		{
			name: "empty object",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":{}}}`,
			want: csvimport.Results{JobID: jobtest.JobID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v3/jobs/imports/" + jobtest.JobID + "/results"
			var opts []bookstrack.Option
			if tt.v2 {
				path = "/api/v2/imports/" + jobtest.JobID + "/results"
				opts = append(opts, bookstrack.WithRoutes(bookstrack.V2))
			}
			s := jobtest.NewRoute(t, path, http.StatusOK, tt.body)
			res, err := newClient(t, s.URL, s.Client(), opts...).Results(context.Background(), jobtest.JobID)
			require.NoError(t, err)
			require.NotNil(t, res)
			assert.Equal(t, tt.want, *res)
			assert.Equal(t, int64(1), s.Requests())
		})
	}
}

func TestResultsFieldOfAnUnexpectedType(t *testing.T) {
	tests := []struct {
		name    string
		results string
		field   string
	}{
		{name: "pageCount as words", results: `{"books":[{"title":"A"},{"pageCount":"many"}]}`, field: "books.pageCount"},
		{name: "pageCount fractional", results: `{"books":[{"pageCount":12.5}]}`, field: "books.pageCount"},
		{name: "title as a number", results: `{"books":[{"title":42}]}`, field: "books.title"},
		{name: "authors as numbers", results: `{"books":[{"authors":[1,2]}]}`, field: "books.authors"},
		{name: "categories as a string", results: `{"books":[{"categories":"Fiction"}]}`, field: "books.categories"},
		{name: "isbn as an object", results: `{"books":[{"isbn":{"13":"978"}}]}`, field: "books.isbn"},
		{name: "booksCreated as words", results: `{"booksCreated":"lots"}`, field: "booksCreated"},
		{name: "errors as a string", results: `{"errors":"none"}`, field: "errors"},
		{name: "row as words", results: `{"errors":[{"row":"fourth","error":"x"}]}`, field: "errors.row"},
		{name: "books as an object", results: `{"books":{"title":"A"}}`, field: "books"},
		{name: "results as an array", results: `[{"title":"A"}]`, field: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := jobtest.NewRoute(t, "/v3/jobs/imports/"+jobtest.JobID+"/results", http.StatusOK,
				`{"success":true,"data":{"jobId":"`+jobtest.JobID+`","status":"completed","results":`+tt.results+`}}`)
			var res *csvimport.Results
			var err error
			require.NotPanics(t, func() { res, err = newClient(t, s.URL, s.Client()).Results(context.Background(), jobtest.JobID) })
			assert.Nil(t, res)
			var de *bookstrack.DecodeError
			require.True(t, errors.As(err, &de), "want a *DecodeError, got %T %v", err, err)
			assert.Equal(t, tt.field, de.Field)
		})
	}
}

func TestResultsErrors(t *testing.T) {
	t.Run("404 from the results route: results unavailable", func(t *testing.T) {
		s := jobtest.NewRoute(t, "/v3/jobs/imports/"+jobtest.JobID+"/results", http.StatusNotFound,
			`{"type":"about:blank","title":"Not Found","status":404,"detail":"Job not found or results expired","code":"NOT_FOUND","retryable":false}`)
		res, err := newClient(t, s.URL, s.Client()).Results(context.Background(), jobtest.JobID)
		assert.Nil(t, res)
		assert.True(t, errors.Is(err, bookstrack.ErrResultsUnavailable), "%v", err)
		assert.True(t, errors.Is(err, bookstrack.ErrNotFound), "%v", err)
		assert.False(t, errors.Is(err, bookstrack.ErrResultsExpired), "the server does not say expired")
		var ae *bookstrack.APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, 404, ae.StatusCode)
		assert.Equal(t, "NOT_FOUND", ae.Code)
	})
	t.Run("500 from the results route: not results unavailable", func(t *testing.T) {
		s := jobtest.NewRoute(t, "/v3/jobs/imports/"+jobtest.JobID+"/results", http.StatusInternalServerError, `{"code":"INTERNAL_ERROR","detail":"boom"}`)
		_, err := newClient(t, s.URL, s.Client()).Results(context.Background(), jobtest.JobID)
		assert.False(t, errors.Is(err, bookstrack.ErrResultsUnavailable))
		var ae *bookstrack.APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, 500, ae.StatusCode)
	})
	t.Run("job ID not a UUID: refused without a request", func(t *testing.T) {
		s := jobtest.NewRoute(t, "/", http.StatusOK, `{}`)
		_, err := newClient(t, s.URL, s.Client()).Results(context.Background(), "../../admin")
		assert.True(t, errors.As(err, new(*bookstrack.InputError)))
		assert.Equal(t, int64(0), s.Requests())
	})
}
