package bookstracktest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// finish drives the only running job of e, with no stream open, to its
// end and past its final event.
func (e *env) finish(jobID string) {
	e.t.Helper()
	for {
		info, _ := e.srv.Job(jobID)
		if !info.CompletedAt.IsZero() {
			break
		}
		e.clock.Advance(step)
		// The next step, or the final event, is scheduled.
		if err := e.clock.WaitPending(e.ctx, 1); err != nil {
			e.t.Fatal(err)
		}
	}
	e.clock.Advance(bookstracktest.DefaultFinalDelay)
}

// TestResultsLifetime: 404 before completion, 200 after, 404 once the
// results TTL has passed; the job itself is gone after the job TTL.
func TestResultsLifetime(t *testing.T) {
	e := setup(t)
	books := isbns(2)
	s := e.startEnrichment(books[0], "9780000000002", books[1])
	path := "/v3/jobs/enrichment/" + s.JobID
	notYet := e.get(path+"/results", 404)
	if notYet["code"] != "NOT_FOUND" {
		t.Fatalf("results before completion %v", notYet)
	}
	e.finish(s.JobID)
	d := e.get(path+"/results", 200)
	if d["success"] != true || field(d, "data", "jobId") != s.JobID || field(d, "data", "status") != "completed" {
		t.Fatalf("results %v", d)
	}
	enriched, _ := field(d, "data", "results", "enrichedBooks").([]any)
	notFound, _ := field(d, "data", "results", "notFound").([]any)
	if len(enriched) != 2 || len(notFound) != 1 || notFound[0] != "9780000000002" {
		t.Fatalf("results %v", d["data"])
	}
	b := enriched[0].(map[string]any)
	for _, k := range []string{"isbn", "title", "authors", "publisher", "publishedDate", "description", "pageCount", "categories",
		"language", "coverUrl", "thumbnailUrl", "workKey", "editionKey", "provider", "quality", "vectorized"} {
		if _, ok := b[k]; !ok {
			t.Errorf("enriched book lacks %s: %v", k, b)
		}
	}
	if b["isbn"] != books[0] || b["provider"] != "fake" || field(b, "authors").([]any)[0] != "Jane Austen" {
		t.Errorf("enriched book %v", b)
	}

	e.clock.Advance(bookstracktest.DefaultResultsTTL - bookstracktest.DefaultFinalDelay - time.Millisecond)
	e.get(path+"/results", 200)
	e.clock.Advance(time.Millisecond)
	expired := e.get(path+"/results", 404)
	if expired["detail"] != notYet["detail"] {
		t.Errorf("expired and not-yet 404s differ: %v / %v", expired, notYet)
	}
	e.get(path, 200)
	e.clock.Advance(bookstracktest.DefaultJobTTL)
	e.get(path, 404)
	if _, ok := e.srv.Job(s.JobID); ok {
		t.Error("Job() still knows an expired job")
	}
}

// TestResultsOptions: WithResultsTTL and WithJobTTL.
func TestResultsOptions(t *testing.T) {
	e := setup(t, bookstracktest.WithResultsTTL(time.Minute), bookstracktest.WithJobTTL(time.Hour))
	s := e.startEnrichment(isbns(1)...)
	path := "/v3/jobs/enrichment/" + s.JobID
	e.finish(s.JobID)
	e.get(path+"/results", 200)
	e.clock.Advance(time.Minute)
	e.get(path+"/results", 404)
	e.get(path, 200)
	e.clock.Advance(time.Hour)
	e.get(path, 404)
}

// TestResultsV2: the v2 results routes serve the same results.
func TestResultsV2(t *testing.T) {
	e := setup(t)
	s := e.startImport("/api/v2/imports", "Title,ISBN13\nDracula,=\"9780486406510\"\n")
	e.finish(s.JobID)
	v3 := e.get("/v3/jobs/imports/"+s.JobID+"/results", 200)
	v2 := e.get("/api/v2/imports/"+s.JobID+"/results", 200)
	if field(v2, "data", "results", "booksCreated") != 1.0 || len(field(v3, "data", "results", "books").([]any)) != 1 {
		t.Errorf("v2 %v v3 %v", v2, v3)
	}
	e.get("/api/v2/scans/"+s.JobID+"/results", 404)
}

// TestResultsFailedJob: a failed job has no results.
func TestResultsFailedJob(t *testing.T) {
	e := setup(t)
	s := e.startScan([]byte("x"))
	e.srv.FailJob(s.JobID, "VISION_ERROR", "model unavailable", true)
	e.get("/v3/jobs/scans/"+s.JobID+"/results", 404)
	d := e.get("/v3/jobs/scans/"+s.JobID, 200)
	if field(d, "data", "status") != "failed" || field(d, "data", "error", "code") != "VISION_ERROR" {
		t.Errorf("status %v", d)
	}
}

// TestCancel: DELETE makes the job canceled; its stream gets a failed
// event with status canceled, then the final failed event.
func TestCancel(t *testing.T) {
	e := setup(t)
	s := e.startScan([]byte("a"), []byte("b"))
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	e.clock.Advance(step)
	c.event("progress")

	path := "/v3/jobs/scans/" + s.JobID
	resp, b := e.do(http.MethodDelete, path, nil, nil)
	m := object(t, b)
	if resp.StatusCode != 200 || field(m, "data", "status") != "canceled" || field(m, "data", "jobId") != s.JobID {
		t.Fatalf("cancel %d %s", resp.StatusCode, b)
	}
	_, d := c.event("failed")
	if d["status"] != "canceled" || field(d, "error", "code") != "CANCELED" || field(d, "error", "retryable") != false || d["progress"] != 0.1 {
		t.Errorf("canceled event %v", d)
	}
	e.clock.Advance(bookstracktest.DefaultFinalDelay)
	_, d = c.event("failed")
	if _, ok := d["status"]; ok || field(d, "error", "code") != "CANCELED" {
		t.Errorf("final %v", d)
	}
	c.end()

	if resp, _ := e.do(http.MethodDelete, path, nil, nil); resp.StatusCode != 200 {
		t.Errorf("canceling again: %d", resp.StatusCode)
	}
	if st := field(e.get(path, 200), "data", "status"); st != "canceled" {
		t.Errorf("status %v", st)
	}
	e.get(path+"/results", 404)
	if e.srv.PauseJob(s.JobID) || e.srv.ResumeJob(s.JobID) || e.srv.FailJob(s.JobID, "X", "x", false) {
		t.Error("controls act on a canceled job")
	}
}

// TestCancelEndedJob: a completed job cannot be canceled.
func TestCancelEndedJob(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	e.finish(s.JobID)
	resp, b := e.do(http.MethodDelete, "/v3/jobs/enrichment/"+s.JobID, nil, nil)
	if resp.StatusCode != 409 || object(t, b)["code"] != "CONFLICT" {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}
