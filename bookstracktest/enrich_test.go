package bookstracktest_test

import (
	"testing"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// TestEnrichmentBatches: progress every batch of books and at the end.
func TestEnrichmentBatches(t *testing.T) {
	e := setup(t, bookstracktest.WithEnrichmentBatch(2))
	s := e.startEnrichment(isbns(5)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	for _, want := range []float64{2, 4, 5} {
		e.clock.Advance(step)
		_, d := c.event("progress")
		if d["processedCount"] != want || d["totalCount"] != 5.0 || d["progress"] != want/5 ||
			d["message"] != "Processing "+itoa(int64(want))+"/5" {
			t.Errorf("update %v, want %v/5", d, want)
		}
	}
	e.clock.Advance(step)
	c.event("completed")
}

// TestEnrichmentDefaultBatch: 50 books a report, as the real server.
func TestEnrichmentDefaultBatch(t *testing.T) {
	e := setup(t)
	list := make([]string, 120)
	for i := range list {
		list[i] = "979000000" + itoa(int64(1000+i))
	}
	s := e.startEnrichment(list...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	for _, want := range []float64{50, 100, 120} {
		e.clock.Advance(step)
		if _, d := c.event("progress"); d["processedCount"] != want {
			t.Errorf("update %v, want %v", d, want)
		}
	}
}

// TestEnrichmentISBN10: an ISBN-10 finds its book and is reported as
// given.
func TestEnrichmentISBN10(t *testing.T) {
	e := setup(t)
	b := bookstracktest.Catalogue()[0]
	s := e.startEnrichment(b.ISBN10)
	e.finish(s.JobID)
	r := e.get("/v3/jobs/enrichment/"+s.JobID+"/results", 200)
	books, _ := field(r, "data", "results", "enrichedBooks").([]any)
	if len(books) != 1 || field(books[0], "isbn") != b.ISBN10 || field(books[0], "title") != b.Title {
		t.Errorf("results %v", r)
	}
}
