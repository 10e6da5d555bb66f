package bookstrack_test

// Quirks of starting jobs, of the route sets and of results.

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

// "Other versions send authToken instead of token and sseUrl (possibly
// relative) instead of streamUrl, plus statusUrl: accept all of these
// names"
func TestQuirkLegacyStartFieldNames(t *testing.T) {
	f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{LegacyStart: true}))
	c := f.imports()
	job := f.startImport(c)
	info, ok := f.srv.Job(job.ID)
	require.True(t, ok)
	assert.Equal(t, info.Token, job.Token)
	assert.Equal(t, f.srv.URL+"/v3/jobs/imports/"+job.ID+"/stream", job.StreamURL)
	assert.Equal(t, f.srv.URL+"/v3/jobs/imports/"+job.ID, job.StatusURL)
	assert.Equal(t, bookstrack.StatusQueued, job.Status)
	run := f.follow(c.Watch, job)
	f.complete(run)
	assertCompletedOnce(t, run.rec.seen())
	assert.Equal(t, "Bearer "+info.Token, f.streamRequests(job.ID)[0].Header.Get("Authorization"))
}

// "when no stream URL is given, build it from the route set and the job
// id"
func TestQuirkNoStreamURL(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run("legacy="+strconv.FormatBool(legacy), func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{NoStreamURL: true, LegacyStart: legacy}))
			c := f.scans()
			job := f.startScan(c, shelfPhoto)
			assert.Equal(t, f.srv.URL+"/v3/jobs/scans/"+job.ID+"/stream", job.StreamURL)
			assert.NotEmpty(t, job.Token)
			run := f.follow(c.Watch, job)
			f.complete(run)
			assertCompletedOnce(t, run.rec.seen())
		})
	}
}

// "The library defaults to v3 and offers the plan's v2 routes as an
// alternative set, with the same typed events and results." (v2 plan:
// POST /api/v2/imports, GET /api/v2/{imports,enrichments,scans}/{id}/stream
// and /results)
func TestQuirkV2RouteSet(t *testing.T) {
	v2 := bookstrack.WithRoutes(bookstrack.V2)
	t.Run("imports", func(t *testing.T) {
		f := setup(t)
		c := f.imports(v2)
		job := f.startImport(c)
		f.complete(f.follow(c.Watch, job))
		res, err := c.Results(f.ctx, job.ID)
		require.NoError(t, err)
		assert.Len(t, res.Books, 2)
		_, err = c.Status(f.ctx, job.ID)
		require.ErrorIs(t, err, bookstrack.ErrNoRoute, "v2 has no status route")
		assert.Len(t, f.requests(http.MethodPost, "/api/v2/imports"), 1)
		assert.Len(t, f.requests(http.MethodGet, "/api/v2/imports/"+job.ID+"/stream"), 1)
		assert.Len(t, f.requests(http.MethodGet, "/api/v2/imports/"+job.ID+"/results"), 1)
		assert.Empty(t, f.requests(http.MethodGet, "/v3/jobs/imports/"+job.ID), "v2 has no status route")
	})
	t.Run("enrichments", func(t *testing.T) {
		f := setup(t)
		c := f.enrichments(v2)
		job := f.startEnrichment(c, catalogueISBN(0))
		f.complete(f.follow(c.Watch, job))
		res, err := c.Results(f.ctx, job.ID)
		require.NoError(t, err)
		assert.Len(t, res.Books, 1)
		assert.Len(t, f.requests(http.MethodPost, "/v3/books/enrich"), 1, "v2 has no enrichment start route")
		assert.Len(t, f.requests(http.MethodGet, "/api/v2/enrichments/"+job.ID+"/stream"), 1)
		assert.Len(t, f.requests(http.MethodGet, "/api/v2/enrichments/"+job.ID+"/results"), 1)
	})
	t.Run("scans", func(t *testing.T) {
		f := setup(t)
		c := f.scans(v2)
		job := f.startScan(c, shelfPhoto)
		f.complete(f.follow(c.Watch, job))
		res, err := c.Results(f.ctx, job.ID)
		require.NoError(t, err)
		assert.NotEmpty(t, res.Books)
		assert.Len(t, f.requests(http.MethodGet, "/api/v2/scans/"+job.ID+"/stream"), 1)
		assert.Len(t, f.requests(http.MethodGet, "/api/v2/scans/"+job.ID+"/results"), 1)
	})
}

// "404 covers "unknown job", "not completed yet" and "expired" alike"
func TestQuirkResultsNotFoundBeforeCompletion(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job := f.startImport(c)
	for _, id := range []string{job.ID, missingJob} {
		_, err := c.Results(f.ctx, id)
		require.ErrorIs(t, err, bookstrack.ErrResultsUnavailable, id)
		assert.NotErrorIs(t, err, bookstrack.ErrResultsExpired, id)
		var apiErr *bookstrack.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	}
	assert.Len(t, f.requests(http.MethodGet, "/results"), 2)
}

// "results live 2 hours after completion, job state 24 hours; the plan
// assumed a 2 h TTL; no 410 is ever sent"
func TestQuirkResultsExpireAfterTTL(t *testing.T) {
	f := setup(t)
	c := f.enrichments()
	job := f.startEnrichment(c, catalogueISBN(0))
	comp := f.complete(f.follow(c.Watch, job))
	assert.True(t, comp.ResultsExpireAt.Equal(comp.Time.Add(2*time.Hour)))

	f.clk.Advance(comp.Time.Add(2*time.Hour - time.Millisecond).Sub(f.clk.Now()))
	assert.False(t, comp.ResultsExpired(f.clk.Now()))
	_, err := c.Results(f.ctx, job.ID)
	require.NoError(t, err, "results gone before their TTL")

	f.clk.Advance(time.Millisecond)
	assert.True(t, comp.ResultsExpired(f.clk.Now()))
	assert.True(t, comp.ResultsExpired(f.clk.Now()))
	before := len(f.requests(http.MethodGet, "/results"))
	_, err = c.Results(f.ctx, job.ID)
	require.ErrorIs(t, err, bookstrack.ErrResultsExpired)
	assert.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	assert.Len(t, f.requests(http.MethodGet, "/results"), before+1, "the server decides: the client always asks")

	// A client that did not see the completion asks, and gets the 404.
	_, err = f.enrichments().Results(f.ctx, job.ID)
	require.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	assert.NotErrorIs(t, err, bookstrack.ErrResultsExpired, "the server does not say why")

	// The job's state outlives its results: 24 hours from its start.
	p, err := c.Status(f.ctx, job.ID)
	require.NoError(t, err)
	assert.Equal(t, bookstrack.StatusCompleted, p.Status)
	f.clk.Advance(t0.Add(24 * time.Hour).Sub(f.clk.Now()))
	_, err = c.Status(f.ctx, job.ID)
	assert.ErrorIs(t, err, bookstrack.ErrJobNotFound)
}

// "Scan results: an array of detected books: title, author, isbn (or
// null), confidence 0..1 (or null), ... publicationYear (an int, or on one
// server version a date string). Books at confidence >= 0.8 count as
// approved, the rest need review."
func TestQuirkScanNullsAndYearAsDate(t *testing.T) {
	years := map[string]int{}
	for _, b := range bookstracktest.Catalogue() {
		years[b.Title], _ = strconv.Atoi(b.PublishedDate[:4])
	}
	var got [2]*scan.Results
	for i, asDate := range []bool{false, true} {
		t.Run("yearAsDate="+strconv.FormatBool(asDate), func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{ScanYearAsDate: asDate}))
			c := f.scans()
			job := f.startScan(c, shelfPhoto)
			f.finishJob(job.ID)
			raw := f.rawGet("/v3/jobs/scans/" + job.ID + "/results")
			require.Contains(t, raw, `"confidence":null`, "the fixture photo lost its quirks")
			require.Contains(t, raw, `"isbn":null`, "the fixture photo lost its quirks")
			require.Equal(t, asDate, strings.Contains(raw, `"publicationYear":"`), "the fake did not send the quirk")

			res, err := c.Results(f.ctx, job.ID)
			require.NoError(t, err)
			got[i] = res
			var nullConfidence, nullISBN, enriched int
			for _, b := range res.Books {
				if !b.ConfidenceKnown {
					nullConfidence++
					assert.Contains(t, res.NeedsReview, b)
				}
				if b.ISBN == "" {
					nullISBN++
				}
				if b.EnrichmentStatus == scan.EnrichmentSuccess {
					enriched++
					assert.Equal(t, years[b.Title], b.PublicationYear, b.Title)
				} else {
					assert.Zero(t, b.PublicationYear, b.Title)
				}
			}
			assert.Positive(t, nullConfidence)
			assert.Positive(t, nullISBN)
			assert.Positive(t, enriched)
			assert.NotEmpty(t, res.Approved)
			assert.NotEmpty(t, res.NeedsReview)
			assert.Len(t, res.Books, len(res.Approved)+len(res.NeedsReview))
			for _, b := range res.Books {
				box := []float64{b.BoundingBox.X, b.BoundingBox.Y, b.BoundingBox.Width, b.BoundingBox.Height}
				for _, v := range box {
					assert.True(t, v >= 0 && v <= 1, "%s: bounding box %v not normalised", b.Title, box)
				}
				assert.Contains(t, []scan.EnrichmentStatus{scan.EnrichmentPending, scan.EnrichmentSuccess,
					scan.EnrichmentNotFound, scan.EnrichmentError, scan.EnrichmentCircuitOpen}, b.EnrichmentStatus)
			}
			for _, b := range res.Approved {
				assert.True(t, b.ConfidenceKnown && b.Confidence >= 0.8, "%s approved at %v", b.Title, b.Confidence)
			}
			for _, b := range res.NeedsReview {
				assert.True(t, !b.ConfidenceKnown || b.Confidence < 0.8, "%s needs review at %v", b.Title, b.Confidence)
			}
		})
	}
	if got[0] != nil && got[1] != nil {
		assert.Equal(t, got[0].Books, got[1].Books, "a year as a date reads differently")
	}
}

// "Enrichment results: {enrichedBooks:[...], notFound:[isbn]} (one server
// version returns a bare array, another an empty one)."
func TestQuirkEnrichmentResultsShapes(t *testing.T) {
	known, unknown := []string{catalogueISBN(0), catalogueISBN(1)}, "9780000000002"
	for _, tc := range []struct {
		shape    string
		books    int
		notFound []string
	}{
		{"", 2, []string{unknown}},
		{"array", 2, nil},
		{"empty", 0, nil},
	} {
		t.Run("shape="+tc.shape, func(t *testing.T) {
			f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{EnrichmentResults: tc.shape}))
			c := f.enrichments()
			job := f.startEnrichment(c, append(known, unknown)...)
			f.finishJob(job.ID)
			res, err := c.Results(f.ctx, job.ID)
			require.NoError(t, err)
			assert.Equal(t, job.ID, res.JobID)
			assert.Len(t, res.Books, tc.books)
			assert.Equal(t, tc.notFound, res.NotFound)
			for i, b := range res.Books {
				assert.Equal(t, known[i], b.ISBN)
				assert.NotEmpty(t, b.Title)
			}
		})
	}
}

// "Enriched book: isbn, title, authors, ... authors entries may be strings
// or objects with a name."
func TestQuirkAuthorsAsObjects(t *testing.T) {
	var books [2][]enrichment.Book
	for i, objects := range []bool{false, true} {
		f := setup(t, bookstracktest.WithQuirks(bookstracktest.Quirks{AuthorObjects: objects}))
		c := f.enrichments()
		job := f.startEnrichment(c, catalogueISBN(0), catalogueISBN(1))
		f.finishJob(job.ID)
		raw := f.rawGet("/v3/jobs/enrichment/" + job.ID + "/results")
		require.Equal(t, objects, strings.Contains(raw, `"authors":[{"name":`), "the fake did not send the quirk")
		res, err := c.Results(f.ctx, job.ID)
		require.NoError(t, err)
		for j, b := range res.Books {
			assert.Equal(t, bookstracktest.Catalogue()[j].Authors, b.Authors, "objects=%v", objects)
		}
		books[i] = res.Books
	}
	assert.Equal(t, books[0], books[1])
}

// "CSV import results: ... Book: isbn ("" when unknown), title, authors
// (strings), publisher?, publishedDate?, ..."
func TestQuirkImportISBNEmptyWhenUnknown(t *testing.T) {
	f := setup(t)
	c := f.imports()
	job, err := c.Start(f.ctx, strings.NewReader("Title,Author,ISBN,ISBN13\n"+
		"Pride and Prejudice,Jane Austen,=\"0141439513\",=\"9780141439518\"\n"+
		"Untitled Notebook,A. Person,=\"\",=\"\"\n"+
		",Nobody,,\n"))
	require.NoError(t, err)
	f.finishJob(job.ID)
	res, err := c.Results(f.ctx, job.ID)
	require.NoError(t, err)
	require.Len(t, res.Books, 2)
	assert.Equal(t, "9780141439518", res.Books[0].ISBN)
	assert.NotEmpty(t, res.Books[0].Publisher)
	assert.Equal(t, "", res.Books[1].ISBN)
	assert.Equal(t, "Untitled Notebook", res.Books[1].Title)
	assert.Equal(t, []string{"A. Person"}, res.Books[1].Authors)
	assert.Empty(t, res.Books[1].Publisher)
	assert.Equal(t, 1, res.EnrichmentSucceeded)
	assert.Equal(t, 1, res.EnrichmentFailed)
	require.Len(t, res.Errors, 1)
	assert.Equal(t, 4, res.Errors[0].Row)
}
