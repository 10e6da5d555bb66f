package bookstracktest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// TestStreamLifecycle follows an enrichment job from snapshot to final
// event: the order, ids, payloads and the duplicate terminal event.
func TestStreamLifecycle(t *testing.T) {
	e := setup(t)
	books := isbns(1)
	s := e.startEnrichment(books[0], "9780000000002")
	c := e.openJob(s)

	ev, d := c.event("progress")
	if ev.ID != idAt(0, "initial") || d["status"] != "queued" || d["progress"] != 0.0 || d["jobId"] != s.JobID {
		t.Fatalf("snapshot %s %v", ev.ID, d)
	}
	if d["timestamp"] != "2026-01-02T03:04:05.000Z" {
		t.Errorf("timestamp %v", d["timestamp"])
	}
	e.wait(s.JobID, 1)

	e.clock.Advance(step)
	ev, d = c.event("progress")
	if ev.ID != idAt(step, "progress") || d["status"] != "processing" || d["message"] != "Processing 2/2" ||
		d["progress"] != 1.0 || d["processedCount"] != 2.0 || d["totalCount"] != 2.0 {
		t.Fatalf("progress %s %v", ev.ID, d)
	}

	e.clock.Advance(step)
	ev, d = c.event("completed")
	if ev.ID != idAt(2*step, "completed") || d["status"] != "completed" || d["progress"] != 1.0 || d["processedCount"] != 2.0 {
		t.Fatalf("queued completed %s %v", ev.ID, d)
	}
	if _, ok := d["books"]; ok {
		t.Errorf("queued completed of an enrichment carries books: %v", d)
	}

	e.clock.Advance(bookstracktest.DefaultFinalDelay)
	ev, d = c.event("completed")
	if ev.ID != idAt(2*step+bookstracktest.DefaultFinalDelay, "final") || d["status"] != "completed" {
		t.Fatalf("final completed %s %v", ev.ID, d)
	}
	list, _ := d["books"].([]any)
	if len(list) != 1 || field(list[0], "isbn") != books[0] || d["completedAt"] != "2026-01-02T03:04:05.200Z" {
		t.Fatalf("final completed %v", d)
	}
	if _, ok := d["processedCount"]; ok {
		t.Errorf("final completed has the queued event's shape: %v", d)
	}
	c.end()
}

// TestStreamEndedJob: a client connecting after the job ended gets the
// final event at once, the same for everyone, then the end.
func TestStreamEndedJob(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	e.clock.Advance(step)
	if err := e.clock.WaitPending(e.ctx, 1); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(step) // completed: the final event is due in 2s
	if err := e.clock.WaitPending(e.ctx, 1); err != nil {
		t.Fatal(err)
	}

	// Inside the final delay, the final event is made on demand.
	c := e.openJob(s)
	ev1, d := c.event("completed")
	if ev1.ID != idAt(2*step+time.Millisecond, "final") || d["books"] == nil { // 1 ms after the completed event
		t.Fatalf("final %s %v", ev1.ID, d)
	}
	c.end()

	e.clock.Advance(time.Minute)
	c = e.openJob(s)
	ev2, _ := c.event("completed")
	if ev2 != ev1 {
		t.Errorf("second client got %+v, first %+v", ev2, ev1)
	}
	c.end()
}

// TestStreamIDsStrictlyIncrease: events made in the same millisecond get
// ids 1 ms apart.
func TestStreamIDsStrictlyIncrease(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(3)...)
	c := e.openJob(s)
	ev, _ := c.event("progress")
	if ev.ID != idAt(0, "initial") {
		t.Fatalf("snapshot id %s", ev.ID)
	}
	e.wait(s.JobID, 1)
	if !e.srv.FailJob(s.JobID, "PROVIDER_DOWN", "all providers failed", true) {
		t.Fatal("FailJob reported false")
	}
	ev, d := c.event("failed")
	if ev.ID != idAt(time.Millisecond, "failed") {
		t.Errorf("failed id %s, want %s", ev.ID, idAt(time.Millisecond, "failed"))
	}
	if d["status"] != "failed" || field(d, "error", "code") != "PROVIDER_DOWN" || field(d, "error", "retryable") != true {
		t.Errorf("failed %v", d)
	}
	e.clock.Advance(bookstracktest.DefaultFinalDelay)
	ev, d = c.event("failed")
	if ev.ID != idAt(bookstracktest.DefaultFinalDelay, "final") {
		t.Errorf("final id %s", ev.ID)
	}
	if _, ok := d["status"]; ok || field(d, "error", "message") != "all providers failed" {
		t.Errorf("final failed %v", d)
	}
	c.end()
}

// TestStreamPings: a ping event, without id, every ping interval.
func TestStreamPings(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	e.srv.PauseJob(s.JobID)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	for i := 1; i <= 2; i++ {
		e.clock.Advance(bookstracktest.DefaultPingInterval)
		ev, d := c.event("ping")
		if ev.ID != idAt(0, "initial") { // no id field: the last one stays
			t.Errorf("ping id %q", ev.ID)
		}
		want := "2026-01-02T03:04:35.000Z"
		if i == 2 {
			want = "2026-01-02T03:05:05.000Z"
		}
		if d["timestamp"] != want || len(d) != 1 {
			t.Errorf("ping %d: %v", i, d)
		}
	}
}

// TestStreamTimeout: updates reset the timeout; once the job stalls, the
// stream gets a timeout event and ends.
func TestStreamTimeout(t *testing.T) {
	e := setup(t,
		bookstracktest.WithStreamTimeout(time.Second),
		bookstracktest.WithStepInterval(600*time.Millisecond),
		bookstracktest.WithPingInterval(time.Hour),
		bookstracktest.WithEnrichmentBatch(1))
	s := e.startEnrichment(isbns(3)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	for i := 0; i < 2; i++ { // at 0.6s and 1.2s: past the first timeout
		e.clock.Advance(600 * time.Millisecond)
		c.event("progress")
	}
	e.srv.PauseJob(s.JobID)
	e.clock.Advance(time.Second)
	ev, d := c.event("timeout")
	if ev.ID != idAt(1200*time.Millisecond, "progress") {
		t.Errorf("timeout event changed the id: %q", ev.ID)
	}
	if d["jobId"] != s.JobID || field(d, "error", "code") != "STREAM_TIMEOUT" || field(d, "error", "retryable") != true {
		t.Errorf("timeout %v", d)
	}
	c.end()
}

// TestStreamUnknownJob: a well-formed job id and token for a job that does
// not exist get 200 and an in-stream error.
func TestStreamUnknownJob(t *testing.T) {
	e := setup(t)
	const id = "0b6f2a7e-3c1d-4e5f-8a9b-0c1d2e3f4a5b"
	token := strings.Repeat("ab", 32)
	c := e.open("/v3/jobs/imports/"+id+"/stream", token, "")
	c.preamble("connection established")
	ev, d := c.event("error")
	if ev.ID != "" || d["jobId"] != id || field(d, "error", "code") != "JOB_NOT_FOUND" || field(d, "error", "message") == nil {
		t.Errorf("v3 error %+v %v", ev, d)
	}
	c.end()

	c = e.open("/api/v2/scans/"+id+"/stream", token, "")
	c.preamble("connection established")
	_, d = c.event("error")
	if d["error"] != "job_not_found" {
		t.Errorf("v2 error %v", d)
	}
	c.end()
}

// TestStreamKindMismatch: a job is found only under its own kind.
func TestStreamKindMismatch(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	c := e.open("/v3/jobs/scans/"+s.JobID+"/stream", s.Token, "")
	c.preamble("connection established")
	c.event("error")
	c.end()
}

// TestStreamMultipleClients: every open stream gets every update.
func TestStreamMultipleClients(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	a, b := e.openJob(s), e.openJob(s)
	a.event("progress")
	b.event("progress")
	e.wait(s.JobID, 2)
	if n := e.srv.OpenStreams(s.JobID); n != 2 {
		t.Fatalf("OpenStreams = %d", n)
	}
	e.clock.Advance(step)
	evA, _ := a.event("progress")
	evB, _ := b.event("progress")
	if evA != evB {
		t.Errorf("clients got %+v and %+v", evA, evB)
	}
}
