package scan_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/scan"
)

func newClient(t testing.TB, url string, hc *http.Client, opts ...bookstrack.Option) *scan.Client {
	t.Helper()
	c, err := scan.NewClient(append([]bookstrack.Option{bookstrack.WithBaseURL(url), bookstrack.WithHTTPClient(hc)}, opts...)...)
	require.NoError(t, err)
	return c
}

// detected is a scan's results array covering the contract's variants.
const detected = `[
	{"title":"Dune","author":"Frank Herbert","isbn":"9780441172719","confidence":0.95,
	 "boundingBox":{"x":0.1,"y":0.2,"width":0.05,"height":0.6},"enrichmentStatus":"success",
	 "coverUrl":"https://covers.example/dune.jpg","publisher":"Ace","publicationYear":1990},
	{"title":"Emma","author":"Jane Austen","isbn":null,"confidence":0.8,
	 "boundingBox":{"x":0.2,"y":0.2,"width":0.05,"height":0.6},"enrichmentStatus":"pending",
	 "coverUrl":null,"publisher":null,"publicationYear":"1815-12-23"},
	{"title":"Blurry","author":"Unknown","isbn":null,"confidence":0.79999,
	 "boundingBox":{"x":0.3,"y":0.2,"width":0.05,"height":0.6},"enrichmentStatus":"not_found"},
	{"title":"Half","author":"Someone","confidence":0.5,"boundingBox":{"x":0.4,"y":0,"width":0.1,"height":1},"enrichmentStatus":"error","publicationYear":null},
	{"title":"Mystery","author":"","isbn":9780000000002,"confidence":null,"enrichmentStatus":"circuit_open","publicationYear":"1997","extra":true}
]`

var (
	dune    = scan.DetectedBook{Title: "Dune", Author: "Frank Herbert", ISBN: "9780441172719", Confidence: 0.95, ConfidenceKnown: true, BoundingBox: scan.Box{X: 0.1, Y: 0.2, Width: 0.05, Height: 0.6}, EnrichmentStatus: scan.EnrichmentSuccess, CoverURL: "https://covers.example/dune.jpg", Publisher: "Ace", PublicationYear: 1990}
	emma    = scan.DetectedBook{Title: "Emma", Author: "Jane Austen", Confidence: 0.8, ConfidenceKnown: true, BoundingBox: scan.Box{X: 0.2, Y: 0.2, Width: 0.05, Height: 0.6}, EnrichmentStatus: scan.EnrichmentPending, PublicationYear: 1815}
	blurry  = scan.DetectedBook{Title: "Blurry", Author: "Unknown", Confidence: 0.79999, ConfidenceKnown: true, BoundingBox: scan.Box{X: 0.3, Y: 0.2, Width: 0.05, Height: 0.6}, EnrichmentStatus: scan.EnrichmentNotFound}
	half    = scan.DetectedBook{Title: "Half", Author: "Someone", Confidence: 0.5, ConfidenceKnown: true, BoundingBox: scan.Box{X: 0.4, Width: 0.1, Height: 1}, EnrichmentStatus: scan.EnrichmentError}
	mystery = scan.DetectedBook{Title: "Mystery", ISBN: "9780000000002", EnrichmentStatus: scan.EnrichmentCircuitOpen, PublicationYear: 1997}
	all     = []scan.DetectedBook{dune, emma, blurry, half, mystery}
)

func TestResultsDecodesEveryVariant(t *testing.T) {
	tests := []struct {
		name        string
		v2          bool
		opts        []bookstrack.Option
		body        string
		books       []scan.DetectedBook
		approved    []scan.DetectedBook
		needsReview []scan.DetectedBook
		threshold   float64
	}{
		{
			name:        "envelope with results in data, default threshold 0.8",
			body:        `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + detected + `},"metadata":{"requestId":"r"}}`,
			books:       all,
			approved:    []scan.DetectedBook{dune, emma},
			needsReview: []scan.DetectedBook{blurry, half, mystery},
			threshold:   0.8,
		},
		{
			name:        "results bare in data",
			body:        `{"success":true,"data":` + detected + `}`,
			books:       all,
			approved:    []scan.DetectedBook{dune, emma},
			needsReview: []scan.DetectedBook{blurry, half, mystery},
			threshold:   0.8,
		},
		{
			name:        "data without the envelope",
			body:        `{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + detected + `}`,
			books:       all,
			approved:    []scan.DetectedBook{dune, emma},
			needsReview: []scan.DetectedBook{blurry, half, mystery},
			threshold:   0.8,
		},
		{
			name:        "bare array body",
			body:        detected,
			books:       all,
			approved:    []scan.DetectedBook{dune, emma},
			needsReview: []scan.DetectedBook{blurry, half, mystery},
			threshold:   0.8,
		},
		{
			name:        "v2 results route",
			v2:          true,
			body:        `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + detected + `}}`,
			books:       all,
			approved:    []scan.DetectedBook{dune, emma},
			needsReview: []scan.DetectedBook{blurry, half, mystery},
			threshold:   0.8,
		},
		{
			name:        "WithApprovalThreshold(0.5): 0.5 approved, unknown confidence still needs review",
			opts:        []bookstrack.Option{scan.WithApprovalThreshold(0.5)},
			body:        `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":` + detected + `}}`,
			books:       all,
			approved:    []scan.DetectedBook{dune, emma, blurry, half},
			needsReview: []scan.DetectedBook{mystery},
			threshold:   0.5,
		},
		{
			name:      "empty array",
			body:      `{"success":true,"data":{"jobId":"` + jobtest.JobID + `","status":"completed","results":[]}}`,
			books:     []scan.DetectedBook{},
			threshold: 0.8,
		},
		{
			name:      "confidence as a numeric string",
			body:      `{"success":true,"data":{"results":[{"title":"A","confidence":"0.9"}]}}`,
			books:     []scan.DetectedBook{{Title: "A", Confidence: 0.9, ConfidenceKnown: true}},
			approved:  []scan.DetectedBook{{Title: "A", Confidence: 0.9, ConfidenceKnown: true}},
			threshold: 0.8,
		},
		{
			name:        "confidence 0 is known, not missing",
			body:        `{"success":true,"data":{"results":[{"title":"A","confidence":0}]}}`,
			books:       []scan.DetectedBook{{Title: "A", ConfidenceKnown: true}},
			needsReview: []scan.DetectedBook{{Title: "A", ConfidenceKnown: true}},
			threshold:   0.8,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v3/jobs/scans/" + jobtest.JobID + "/results"
			opts := tt.opts
			if tt.v2 {
				path = "/api/v2/scans/" + jobtest.JobID + "/results"
				opts = append(opts, bookstrack.WithRoutes(bookstrack.V2))
			}
			s := jobtest.NewRoute(t, path, http.StatusOK, tt.body)
			res, err := newClient(t, s.URL, s.Client(), opts...).Results(context.Background(), jobtest.JobID)
			require.NoError(t, err)
			require.NotNil(t, res)
			assert.Equal(t, jobtest.JobID, res.JobID)
			assert.Equal(t, tt.books, res.Books)
			assert.Equal(t, tt.approved, res.Approved, "Approved")
			assert.Equal(t, tt.needsReview, res.NeedsReview, "NeedsReview")
			assert.Equal(t, tt.threshold, res.Threshold)
			assert.Equal(t, len(res.Books), len(res.Approved)+len(res.NeedsReview))
		})
	}
}

func TestResultsFieldOfAnUnexpectedType(t *testing.T) {
	tests := []struct {
		name    string
		results string
		field   string // compared without regard to case
	}{
		{name: "confidence as words", results: `[{"title":"A"},{"confidence":"high"}]`, field: "confidence"},
		{name: "confidence as a boolean", results: `[{"confidence":true}]`, field: "confidence"},
		{name: "title as a number", results: `[{"title":5}]`, field: "title"},
		{name: "author as an object", results: `[{"author":{"name":"A"}}]`, field: "author"},
		{name: "isbn as an array", results: `[{"isbn":["978"]}]`, field: "isbn"},
		{name: "boundingBox as a string", results: `[{"boundingBox":"0,0,1,1"}]`, field: "boundingBox"},
		{name: "boundingBox.x as words", results: `[{"boundingBox":{"x":"left"}}]`, field: "boundingBox.x"},
		{name: "enrichmentStatus as a number", results: `[{"enrichmentStatus":1}]`, field: "enrichmentStatus"},
		{name: "publicationYear as words", results: `[{"publicationYear":"June 1997"}]`, field: "publicationYear"},
		{name: "publicationYear fractional", results: `[{"publicationYear":1997.5}]`, field: "publicationYear"},
		{name: "results as an object", results: `{"books":[]}`, field: ""},
		{name: "results as a string", results: `"none"`, field: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := jobtest.NewRoute(t, "/v3/jobs/scans/"+jobtest.JobID+"/results", http.StatusOK,
				`{"success":true,"data":{"jobId":"`+jobtest.JobID+`","status":"completed","results":`+tt.results+`}}`)
			var res *scan.Results
			var err error
			require.NotPanics(t, func() { res, err = newClient(t, s.URL, s.Client()).Results(context.Background(), jobtest.JobID) })
			assert.Nil(t, res)
			var de *bookstrack.DecodeError
			require.True(t, errors.As(err, &de), "want a *DecodeError, got %T %v", err, err)
			assert.True(t, strings.EqualFold(tt.field, de.Field), "Field %q, want %q", de.Field, tt.field)
		})
	}
}

func TestResultsErrors(t *testing.T) {
	t.Run("404 from the results route: results unavailable", func(t *testing.T) {
		s := jobtest.NewRoute(t, "/v3/jobs/scans/"+jobtest.JobID+"/results", http.StatusNotFound,
			`{"success":false,"error":{"code":"NOT_FOUND","message":"Results not found"}}`)
		res, err := newClient(t, s.URL, s.Client()).Results(context.Background(), jobtest.JobID)
		assert.Nil(t, res)
		assert.True(t, errors.Is(err, bookstrack.ErrResultsUnavailable), "%v", err)
		var ae *bookstrack.APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, 404, ae.StatusCode)
		assert.Equal(t, "NOT_FOUND", ae.Code)
	})
	t.Run("503 from the results route: not results unavailable", func(t *testing.T) {
		s := jobtest.NewRoute(t, "/v3/jobs/scans/"+jobtest.JobID+"/results", http.StatusServiceUnavailable, `{"code":"INTERNAL_ERROR"}`)
		_, err := newClient(t, s.URL, s.Client()).Results(context.Background(), jobtest.JobID)
		assert.False(t, errors.Is(err, bookstrack.ErrResultsUnavailable))
		var ae *bookstrack.APIError
		require.True(t, errors.As(err, &ae))
	})
	t.Run("job ID not a UUID: refused without a request", func(t *testing.T) {
		s := jobtest.NewRoute(t, "/", http.StatusOK, `{}`)
		_, err := newClient(t, s.URL, s.Client()).Results(context.Background(), "scan-1")
		assert.True(t, errors.As(err, new(*bookstrack.InputError)))
		assert.Zero(t, s.Requests())
	})
}
