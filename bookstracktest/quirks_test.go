package bookstracktest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse"
)

func quirks(q bookstracktest.Quirks) bookstracktest.Option { return bookstracktest.WithQuirks(q) }

// runToFinal follows a 1-book enrichment job on a stream and returns its
// snapshot, queued completed and final completed event data.
func runToFinal(t *testing.T, e *env) (snap, queued, final map[string]any) {
	t.Helper()
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	_, snap = c.event(snapshotType(e))
	e.wait(s.JobID, 1)
	e.clock.Advance(step)
	c.event("progress")
	e.clock.Advance(step)
	_, queued = c.event("completed")
	e.clock.Advance(bookstracktest.DefaultFinalDelay)
	_, final = c.event("completed")
	c.end()
	return snap, queued, final
}

func snapshotType(*env) string { return "progress" }

func TestQuirkPercentComplete(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{PercentComplete: true}))
	snap, queued, final := runToFinal(t, e)
	if snap["progress"] != 0.0 || queued["progress"] != 100.0 || final["progress"] != 100.0 {
		t.Errorf("progress %v / %v / %v", snap["progress"], queued["progress"], final["progress"])
	}
}

func TestQuirkResultsField(t *testing.T) {
	for _, tc := range []struct{ field, want, not string }{{"", "books", "results"}, {"books", "books", "results"}, {"results", "results", "books"}} {
		e := setup(t, quirks(bookstracktest.Quirks{ResultsField: tc.field}))
		_, _, final := runToFinal(t, e)
		if list, _ := final[tc.want].([]any); len(list) != 1 || final[tc.not] != nil {
			t.Errorf("ResultsField %q: final %v", tc.field, final)
		}
	}
}

func TestQuirkLegacyStart(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{LegacyStart: true}))
	s := e.startImport("/v3/jobs/imports", "Title\nEmma\n")
	if s.Token != "" || s.StreamURL != "" || !tokenRE.MatchString(s.AuthToken) ||
		s.SSEURL != "/v3/jobs/imports/"+s.JobID+"/stream" || s.StatusURL != "/v3/jobs/imports/"+s.JobID {
		t.Fatalf("legacy start %+v", s)
	}
	c := e.open(s.SSEURL, s.AuthToken, "")
	c.preamble("connection established")
	c.event("progress")
	e.get(s.StatusURL, 200)

	v2 := e.startImport("/api/v2/imports", "Title\nEmma\n")
	if v2.SSEURL != "/api/v2/imports/"+v2.JobID+"/stream" || v2.StatusURL != "/v3/jobs/imports/"+v2.JobID {
		t.Errorf("legacy v2 start %+v", v2)
	}
}

func TestQuirkNoStreamURL(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{NoStreamURL: true}))
	if s := e.startEnrichment(isbns(1)...); s.StreamURL != "" || s.SSEURL != "" || s.Token == "" {
		t.Errorf("start %+v", s)
	}
	e = setup(t, quirks(bookstracktest.Quirks{NoStreamURL: true, LegacyStart: true}))
	if s := e.startEnrichment(isbns(1)...); s.StreamURL != "" || s.SSEURL != "" || s.AuthToken == "" || s.StatusURL == "" {
		t.Errorf("legacy start %+v", s)
	}
}

func TestQuirkLegacyErrors(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{LegacyErrors: true}))
	resp, b := e.do(http.MethodGet, "/v3/jobs/imports/3f0e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b", nil, nil)
	m := object(t, b)
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json" || m["success"] != false ||
		field(m, "error", "code") != "NOT_FOUND" || field(m, "error", "message") == "" || field(m, "error", "retryable") != false ||
		field(m, "metadata", "requestId") != resp.Header.Get("X-Request-ID") || m["type"] != nil {
		t.Errorf("legacy 404 %d %s", resp.StatusCode, b)
	}
	resp, b = e.do(http.MethodGet, "/v3/jobs/imports/nope", nil, nil)
	errs, _ := field(object(t, b), "error", "details", "errors").([]any)
	if resp.StatusCode != 400 || field(object(t, b), "error", "code") != "INVALID_REQUEST" || len(errs) != 1 {
		t.Errorf("legacy 400 %d %s", resp.StatusCode, b)
	}
}

func TestQuirkLegacyRateLimit(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{LegacyRateLimit: true}))
	e.srv.InjectRateLimit(bookstracktest.RateLimit{RetryAfter: 2500 * time.Millisecond, Limit: 10})
	resp, b := e.do(http.MethodGet, "/v3/jobs/imports/3f0e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b", nil, nil)
	m := object(t, b)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" || m["code"] != "RATE_LIMIT_EXCEEDED" ||
		field(m, "details", "retryAfter") != 3.0 || m["error"] == "" || resp.Header.Get("X-RateLimit-Limit") != "10" {
		t.Errorf("legacy 429 %d %v %s", resp.StatusCode, resp.Header, b)
	}
}

func TestQuirkStatusNamedSnapshot(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{StatusNamedSnapshot: true, TerminalSnapshot: true}))
	s := e.startEnrichment(isbns(3)...)
	path := strings.TrimPrefix(s.StreamURL, e.srv.URL)
	c := e.openJob(s)
	c.event("initialized")
	e.wait(s.JobID, 1)
	e.clock.Advance(step)
	c.event("progress") // live updates keep their names
	c = e.openJob(s)
	if _, d := c.event("processing"); d["status"] != "processing" {
		t.Errorf("snapshot %v", d)
	}
	e.wait(s.JobID, 2)
	e.clock.Advance(step)
	e.clock.Advance(bookstracktest.DefaultFinalDelay)
	c = e.open(path, s.Token, "")
	c.preamble("connection established")
	c.event("completed")
	c.event("completed")
	c.end()
}

func TestQuirkCommentHeartbeat(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{CommentHeartbeat: true}))
	s := e.startEnrichment(isbns(1)...)
	e.srv.PauseJob(s.JobID)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	e.clock.Advance(bookstracktest.DefaultPingInterval)
	if f := c.frame(); f.Kind != sse.FrameComment || f.Comment != "heartbeat" {
		t.Errorf("heartbeat frame %+v", f)
	}
}

func TestQuirkTerminalSnapshot(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		e := setup(t, quirks(bookstracktest.Quirks{TerminalSnapshot: terminal}))
		s := e.startEnrichment(isbns(1)...)
		e.srv.FailJob(s.JobID, "BOOM", "boom", false)
		c := e.openJob(s)
		if terminal {
			if ev, d := c.event("progress"); d["status"] != "failed" || !strings.HasSuffix(ev.ID, "-initial") {
				t.Errorf("terminal snapshot %v", d)
			}
		}
		if _, d := c.event("failed"); field(d, "error", "code") != "BOOM" {
			t.Errorf("final %v", d)
		}
		c.end()
	}
}

func TestQuirkEpochTimestamps(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{EpochTimestamps: true}))
	snap, queued, final := runToFinal(t, e)
	ms := float64(t0.UnixMilli())
	if snap["timestamp"] != ms || queued["timestamp"] != ms+200 || final["completedAt"] != ms+200 {
		t.Errorf("timestamps %v %v %v", snap["timestamp"], queued["timestamp"], final["completedAt"])
	}
	if d := e.get("/nowhere", 404); field(d, "metadata", "timestamp") != ms+2200 {
		t.Errorf("metadata %v", d["metadata"])
	}
}

func TestQuirkScanYearAsDate(t *testing.T) {
	years := func(q bookstracktest.Quirks) []any {
		e := setup(t, quirks(q))
		s := e.startScan(photos(5)...)
		e.finish(s.JobID)
		var out []any
		for _, d := range field(e.get("/v3/jobs/scans/"+s.JobID+"/results", 200), "data", "results").([]any) {
			if y := field(d, "publicationYear"); y != nil {
				out = append(out, y)
			}
		}
		return out
	}
	ints, dates := years(bookstracktest.Quirks{}), years(bookstracktest.Quirks{ScanYearAsDate: true})
	if len(ints) == 0 || len(ints) != len(dates) {
		t.Fatalf("years %v / %v", ints, dates)
	}
	for i := range ints {
		y, _ := ints[i].(float64)
		d, _ := dates[i].(string)
		if len(d) != 10 || d[:4] != itoa(int64(y)) {
			t.Errorf("year %v, date %v", ints[i], dates[i])
		}
	}
}

func TestQuirkEnrichmentResults(t *testing.T) {
	for _, shape := range []string{"array", "empty"} {
		e := setup(t, quirks(bookstracktest.Quirks{EnrichmentResults: shape}))
		s := e.startEnrichment(isbns(2)...)
		e.finish(s.JobID)
		list, ok := field(e.get("/v3/jobs/enrichment/"+s.JobID+"/results", 200), "data", "results").([]any)
		if want := map[string]int{"array": 2, "empty": 0}[shape]; !ok || len(list) != want {
			t.Errorf("%s: results %v", shape, list)
		}
	}
}

func TestQuirkAuthorObjects(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{AuthorObjects: true}))
	_, _, final := runToFinal(t, e)
	if name := field(field(final["books"].([]any)[0], "authors").([]any)[0], "name"); name != "Jane Austen" {
		t.Errorf("authors %v", final["books"])
	}
}

func TestQuirkStatusMismatch(t *testing.T) {
	e := setup(t, quirks(bookstracktest.Quirks{StatusMismatch: true}))
	resp, b := e.do(http.MethodGet, "/nowhere", nil, nil)
	if resp.StatusCode != 404 || object(t, b)["status"] != 500.0 {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	e.srv.InjectStatus(1, 503)
	resp, b = e.do(http.MethodGet, "/nowhere", nil, nil)
	if resp.StatusCode != 503 || object(t, b)["status"] != 400.0 {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}

func TestQuirksInvalid(t *testing.T) {
	for _, q := range []bookstracktest.Quirks{{ResultsField: "items"}, {EnrichmentResults: "object"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%+v) did not panic", q)
				}
			}()
			bookstracktest.New(bookstracktest.WithQuirks(q)).Close()
		}()
	}
}
