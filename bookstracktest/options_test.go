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

// TestOptionDefaults: zero values keep the defaults.
func TestOptionDefaults(t *testing.T) {
	e := setup(t, bookstracktest.WithStepInterval(0), bookstracktest.WithFinalDelay(0), bookstracktest.WithEnrichmentBatch(0),
		bookstracktest.WithPingInterval(0), bookstracktest.WithStreamTimeout(0), bookstracktest.WithTokenTTL(0),
		bookstracktest.WithResultsTTL(0), bookstracktest.WithJobTTL(0), bookstracktest.WithListener(nil), nil)
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	e.clock.Advance(step)
	c.event("progress")
}

// TestOptionsRefuseWhatCannotBeOff: the module's option rule; a negative
// value of a setting that cannot be off makes New panic, naming the
// option and its range.
func TestOptionsRefuseWhatCannotBeOff(t *testing.T) {
	for name, opt := range map[string]bookstracktest.Option{
		"WithStepInterval(-1ms)":  bookstracktest.WithStepInterval(-time.Millisecond),
		"WithEnrichmentBatch(-1)": bookstracktest.WithEnrichmentBatch(-1),
	} {
		func() {
			defer func() {
				v := recover()
				err, ok := v.(error)
				if !ok || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "cannot be off") {
					t.Errorf("%s: New panicked with %v, want an error naming the option", name, v)
				}
			}()
			srv := bookstracktest.New(opt)
			srv.Close()
		}()
	}
}

// TestOptionsTurnedOff: a negative value turns a setting off. No
// heartbeat and no timeout on a stream left without updates for ten
// hours; the final event at once; a token, results and a job that do not
// expire.
func TestOptionsTurnedOff(t *testing.T) {
	e := setup(t, bookstracktest.WithPingInterval(-1), bookstracktest.WithStreamTimeout(-1), bookstracktest.WithFinalDelay(-1),
		bookstracktest.WithTokenTTL(-1), bookstracktest.WithResultsTTL(-1), bookstracktest.WithJobTTL(-1))
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	e.srv.PauseJob(s.JobID)
	e.clock.Advance(10 * time.Hour)
	e.srv.ResumeJob(s.JobID)
	e.clock.Advance(step)
	c.event("progress") // neither a ping nor a timeout came first
	e.clock.Advance(step)
	c.event("completed")
	if ev, _ := c.event("completed"); !strings.HasSuffix(ev.ID, "final") { // no clock advance: at once
		t.Errorf("final id %s", ev.ID)
	}
	e.clock.Advance(10000 * time.Hour)
	info, ok := e.srv.Job(s.JobID)
	if !ok || !info.TokenExpiresAt.IsZero() {
		t.Fatalf("Job() = %+v, %v; want the job, a zero TokenExpiresAt", info, ok)
	}
	e.get("/v3/jobs/enrichment/"+s.JobID+"/results", http.StatusOK)
	resp := e.dial(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the token after 10 000 hours: %d", resp.StatusCode)
	}
}
