package enrichment_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

func newClient(t testing.TB, url string, hc *http.Client, opts ...bookstrack.Option) *enrichment.Client {
	t.Helper()
	c, err := enrichment.NewClient(append([]bookstrack.Option{bookstrack.WithBaseURL(url), bookstrack.WithHTTPClient(hc)}, opts...)...)
	require.NoError(t, err)
	return c
}

const (
	fullBook = `{"isbn":"9780441172719","title":"Dune","authors":["Frank Herbert"],"publisher":"Ace","publishedDate":"1990-09-01",
		"description":"Desert planet.","pageCount":535,"categories":["Fiction","Science Fiction"],"language":"en",
		"coverUrl":"https://covers.example/dune-L.jpg","thumbnailUrl":"https://covers.example/dune-S.jpg",
		"workKey":"/works/OL893415W","editionKey":"/books/OL7353617M","provider":"openlibrary","quality":0.92,"vectorized":true}`
	objectAuthors = `{"isbn":"9780141439518","title":"Pride and Prejudice","authors":[{"name":"Jane Austen","key":"/authors/OL21594A"}],"pageCount":"480","quality":"0.7"}`
	mixedAuthors  = `{"isbn":9780060850524,"title":"Good Omens","authors":["Terry Pratchett",{"name":"Neil Gaiman"}],"publishedDate":2006,"vectorized":false,"unknown":{"x":1}}`
	oneAuthor     = `{"isbn":"9780000000002","title":"Solo","authors":"A. Writer","publisher":null,"categories":null}`
)

var (
	dune = enrichment.Book{ISBN: "9780441172719", Title: "Dune", Authors: []string{"Frank Herbert"}, Publisher: "Ace", PublishedDate: "1990-09-01",
		Description: "Desert planet.", PageCount: 535, Categories: []string{"Fiction", "Science Fiction"}, Language: "en",
		CoverURL: "https://covers.example/dune-L.jpg", ThumbnailURL: "https://covers.example/dune-S.jpg",
		WorkKey: "/works/OL893415W", EditionKey: "/books/OL7353617M", Provider: "openlibrary", Quality: 0.92, Vectorized: true}
	pride = enrichment.Book{ISBN: "9780141439518", Title: "Pride and Prejudice", Authors: []string{"Jane Austen"}, PageCount: 480, Quality: 0.7}
	omens = enrichment.Book{ISBN: "9780060850524", Title: "Good Omens", Authors: []string{"Terry Pratchett", "Neil Gaiman"}, PublishedDate: "2006"}
	solo  = enrichment.Book{ISBN: "9780000000002", Title: "Solo", Authors: []string{"A. Writer"}}
)

func TestResultsDecodesEveryVariant(t *testing.T) {
	object := `{"enrichedBooks":[` + fullBook + `,` + objectAuthors + `,` + mixedAuthors + `,` + oneAuthor + `],"notFound":["9780000000001",9780000000003]}`
	array := `[` + fullBook + `,` + objectAuthors + `]`
	tests := []struct {
		name string
		v2   bool
		body string
		want enrichment.Results
	}{
		{
			name: "object {enrichedBooks, notFound} in the envelope",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + object + `},"metadata":{"requestId":"r"}}`,
			want: enrichment.Results{JobID: jobtest.JobID, Books: []enrichment.Book{dune, pride, omens, solo}, NotFound: []string{"9780000000001", "9780000000003"}},
		},
		{
			name: "object bare in data",
			body: `{"success":true,"data":` + object + `}`,
			want: enrichment.Results{JobID: jobtest.JobID, Books: []enrichment.Book{dune, pride, omens, solo}, NotFound: []string{"9780000000001", "9780000000003"}},
		},
		{
			name: "data without the envelope",
			body: `{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + object + `}`,
			want: enrichment.Results{JobID: jobtest.JobID, Books: []enrichment.Book{dune, pride, omens, solo}, NotFound: []string{"9780000000001", "9780000000003"}},
		},
		{
			name: "bare array of books in results",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + array + `}}`,
			want: enrichment.Results{JobID: jobtest.JobID, Books: []enrichment.Book{dune, pride}},
		},
		{
			name: "bare array of books in data",
			body: `{"success":true,"data":` + array + `}`,
			want: enrichment.Results{JobID: jobtest.JobID, Books: []enrichment.Book{dune, pride}},
		},
		{
			name: "bare array body",
			body: array,
			want: enrichment.Results{JobID: jobtest.JobID, Books: []enrichment.Book{dune, pride}},
		},
		{
			name: "empty array",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":[]}}`,
			want: enrichment.Results{JobID: jobtest.JobID},
		},
		{
			name: "nothing found",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":{"enrichedBooks":[],"notFound":["9780000000001"]}}}`,
			want: enrichment.Results{JobID: jobtest.JobID, NotFound: []string{"9780000000001"}},
		},
		{
			name: "empty object",
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":{}}}`,
			want: enrichment.Results{JobID: jobtest.JobID},
		},
		{
			name: "v2 results route",
			v2:   true,
			body: `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + array + `}}`,
			want: enrichment.Results{JobID: jobtest.JobID, Books: []enrichment.Book{dune, pride}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v3/jobs/enrichment/" + jobtest.JobID + "/results"
			var opts []bookstrack.Option
			if tt.v2 {
				path = "/api/v2/enrichments/" + jobtest.JobID + "/results"
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
		{name: "pageCount as words in the object", results: `{"enrichedBooks":[{"title":"A"},{"pageCount":"many"}]}`, field: "enrichedBooks.pageCount"},
		{name: "pageCount as words in a bare array", results: `[{"pageCount":"many"}]`, field: "pageCount"},
		{name: "authors as numbers", results: `{"enrichedBooks":[{"authors":[1]}]}`, field: "enrichedBooks.authors"},
		{name: "authors as objects without a name", results: `[{"authors":[{"key":"/authors/OL1A"}]}]`, field: "authors"},
		{name: "quality as words", results: `{"enrichedBooks":[{"quality":"high"}]}`, field: "enrichedBooks.quality"},
		{name: "vectorized as a string", results: `{"enrichedBooks":[{"vectorized":"yes"}]}`, field: "enrichedBooks.vectorized"},
		{name: "title as a number", results: `[{"title":1984}]`, field: "title"},
		{name: "categories as a string", results: `[{"categories":"Fiction"}]`, field: "categories"},
		{name: "notFound as a string", results: `{"notFound":"9780000000001"}`, field: "notFound"},
		{name: "notFound holding objects", results: `{"notFound":[{"isbn":"9780000000001"}]}`, field: "notFound"},
		{name: "enrichedBooks as an object", results: `{"enrichedBooks":{"isbn":"1"}}`, field: "enrichedBooks"},
		{name: "results as a string", results: `"done"`, field: ""},
		{name: "results as a number", results: `42`, field: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := jobtest.NewRoute(t, "/v3/jobs/enrichment/"+jobtest.JobID+"/results", http.StatusOK,
				`{"success":true,"data":{"jobId":"`+jobtest.JobID+`","status":"completed","results":`+tt.results+`}}`)
			var res *enrichment.Results
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
		s := jobtest.NewRoute(t, "/v3/jobs/enrichment/"+jobtest.JobID+"/results", http.StatusNotFound,
			`{"status":404,"code":"NOT_FOUND","detail":"Job not found"}`)
		res, err := newClient(t, s.URL, s.Client()).Results(context.Background(), jobtest.JobID)
		assert.Nil(t, res)
		assert.True(t, errors.Is(err, bookstrack.ErrResultsUnavailable), "%v", err)
		assert.True(t, errors.Is(err, bookstrack.ErrNotFound))
		var ae *bookstrack.APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, 404, ae.StatusCode)
	})
	t.Run("job ID not a UUID: refused without a request", func(t *testing.T) {
		s := jobtest.NewRoute(t, "/", http.StatusOK, `{}`)
		_, err := newClient(t, s.URL, s.Client()).Results(context.Background(), "")
		assert.True(t, errors.As(err, new(*bookstrack.InputError)))
		assert.Zero(t, s.Requests())
	})
}
