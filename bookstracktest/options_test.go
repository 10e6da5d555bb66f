package bookstracktest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// TestOptionFinalDelay: the final event comes the final delay after the
// queued one.
func TestOptionFinalDelay(t *testing.T) {
	e := setup(t, bookstracktest.WithFinalDelay(5*time.Second), bookstracktest.WithStepInterval(time.Second))
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	e.clock.Advance(time.Second)
	c.event("progress")
	e.clock.Advance(time.Second)
	c.event("completed")
	e.clock.Advance(5 * time.Second)
	if ev, _ := c.event("completed"); ev.ID != idAt(7*time.Second, "final") {
		t.Errorf("final id %s", ev.ID)
	}
}

// TestOptionTokenTTL: the token is refused from issue + TTL on.
func TestOptionTokenTTL(t *testing.T) {
	e := setup(t, bookstracktest.WithTokenTTL(time.Minute))
	s := e.startEnrichment(isbns(1)...)
	e.srv.PauseJob(s.JobID)
	path := strings.TrimPrefix(s.StreamURL, e.srv.URL)
	e.clock.Advance(time.Minute - time.Millisecond)
	resp := e.dial(path, s.Token, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("before the TTL: %d", resp.StatusCode)
	}
	e.clock.Advance(time.Millisecond)
	resp = e.dial(path, s.Token, "")
	resp.Body.Close()
	info, _ := e.srv.Job(s.JobID)
	if resp.StatusCode != http.StatusUnauthorized || !info.TokenExpiresAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("at the TTL: %d, %+v", resp.StatusCode, info)
	}
}

// TestOptionDefaults: zero or negative values keep the defaults.
func TestOptionDefaults(t *testing.T) {
	e := setup(t, bookstracktest.WithStepInterval(0), bookstracktest.WithFinalDelay(-1), bookstracktest.WithEnrichmentBatch(0),
		bookstracktest.WithPingInterval(0), bookstracktest.WithStreamTimeout(0), bookstracktest.WithTokenTTL(0),
		bookstracktest.WithResultsTTL(0), bookstracktest.WithJobTTL(0), bookstracktest.WithListener(nil), nil)
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	e.clock.Advance(step)
	c.event("progress")
}
