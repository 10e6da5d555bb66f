package bookstracktest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// resumeSetup runs an enrichment of 3 books, one step every 5 s, with a
// first client that sees progress 1/3 (at 5 s) and 2/3 (at 10 s).
func resumeSetup(t *testing.T) (*env, started, *conn) {
	e := setup(t, bookstracktest.WithStepInterval(5*time.Second), bookstracktest.WithEnrichmentBatch(1))
	s := e.startEnrichment(isbns(3)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	for i := 1; i <= 2; i++ {
		e.clock.Advance(5 * time.Second)
		c.event("progress")
	}
	return e, s, c
}

// TestResumeRecent: resuming from an id under 10 s old skips the snapshot
// and replays what came after the id.
func TestResumeRecent(t *testing.T) {
	e, s, _ := resumeSetup(t)
	last := idAt(5*time.Second, "progress")
	c := e.open(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, last)
	c.preamble("reconnected from event " + last)
	ev, d := c.event("progress")
	if ev.ID != idAt(10*time.Second, "progress") || d["processedCount"] != 2.0 {
		t.Fatalf("first event after resume %s %v, want the replayed 2/3", ev.ID, d)
	}
	e.wait(s.JobID, 2)
	e.clock.Advance(5 * time.Second)
	if _, d = c.event("progress"); d["processedCount"] != 3.0 {
		t.Errorf("live event %v", d)
	}
}

// TestResumeOld: an id 10 s old or more gets the fresh snapshot before
// the replay, so progress steps backwards.
func TestResumeOld(t *testing.T) {
	e, s, _ := resumeSetup(t)
	last := idAt(0, "initial") // exactly 10 s old
	c := e.open(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, last)
	c.preamble("reconnected from event " + last)
	ev, d := c.event("progress")
	if !strings.HasSuffix(ev.ID, "-initial") || d["progress"] != 2.0/3.0 {
		t.Fatalf("snapshot %s %v", ev.ID, d)
	}
	var got []float64
	for i := 0; i < 2; i++ {
		_, d = c.event("progress")
		got = append(got, d["progress"].(float64))
	}
	if got[0] != 1.0/3.0 || got[1] != 2.0/3.0 {
		t.Errorf("replayed progress %v, want 1/3 then 2/3 (stepping back from the snapshot's 2/3)", got)
	}
}

// TestResumeUnparsableID: a Last-Event-ID without leading milliseconds
// gets a snapshot and no replay.
func TestResumeUnparsableID(t *testing.T) {
	e, s, _ := resumeSetup(t)
	c := e.open(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, "garbage")
	c.preamble("reconnected from event garbage")
	c.event("progress")
	e.wait(s.JobID, 2)
	e.clock.Advance(5 * time.Second)
	if _, d := c.event("progress"); d["processedCount"] != 3.0 {
		t.Errorf("after the snapshot came %v, want the live 3/3", d)
	}
}

// TestResumeKeepsLast100: only the last 100 updates are replayed.
func TestResumeKeepsLast100(t *testing.T) {
	e := setup(t, bookstracktest.WithEnrichmentBatch(1))
	books := bookstracktest.Catalogue()
	var list []string
	for i := 0; i < 150; i++ { // 150 distinct ISBNs, most of them unknown
		list = append(list, "978000000"+itoa(int64(1000+i)))
	}
	list[0] = books[0].ISBN13
	s := e.startEnrichment(list...)
	for i := 0; i < 150; i++ {
		e.clock.Advance(step)
		if err := e.clock.WaitPending(e.ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	c := e.open(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, "1-progress")
	c.preamble("reconnected from event 1-progress")
	c.event("progress") // the snapshot
	_, d := c.event("progress")
	if d["processedCount"] != 51.0 {
		t.Errorf("first replayed update %v, want 51/150", d)
	}
	for i := 52; i <= 150; i++ {
		c.event("progress")
	}
	e.wait(s.JobID, 1)
}
