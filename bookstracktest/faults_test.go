package bookstracktest_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

const unknownJob = "/v3/jobs/imports/3f0e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b"

func TestInjectRateLimit(t *testing.T) {
	e := setup(t)
	e.srv.InjectRateLimit(bookstracktest.RateLimit{Requests: 2, RetryAfter: 1500 * time.Millisecond, Limit: 100, Remaining: 0})
	for i := 0; i < 2; i++ {
		resp, b := e.do(http.MethodGet, unknownJob, nil, nil)
		m := object(t, b)
		h := resp.Header
		if resp.StatusCode != 429 || h.Get("Retry-After") != "2" || h.Get("X-RateLimit-Limit") != "100" ||
			h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Reset") != itoa(t0.Add(1500*time.Millisecond).UnixMilli()) {
			t.Errorf("429 #%d: %d %v", i, resp.StatusCode, h)
		}
		if m["code"] != "RATE_LIMIT_EXCEEDED" || m["retryable"] != true || m["retryAfterMs"] != nil || h.Get("X-Request-ID") == "" {
			t.Errorf("429 body %s", b)
		}
	}
	e.get(unknownJob, 404)
}

func TestInjectRateLimitInBody(t *testing.T) {
	e := setup(t)
	e.srv.InjectRateLimit(bookstracktest.RateLimit{RetryAfter: 1500 * time.Millisecond, InBody: true})
	resp, b := e.do(http.MethodGet, unknownJob, nil, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" || object(t, b)["retryAfterMs"] != 1500.0 {
		t.Errorf("%d %v %s", resp.StatusCode, resp.Header, b)
	}
}

// TestInjectOnStreams: faults hit stream requests too, and queue in
// order.
func TestInjectOnStreams(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	e.srv.InjectStatus(1, 503)
	e.srv.InjectRateLimit(bookstracktest.RateLimit{})
	e.srv.InjectStatus(1, 500)
	path := strings.TrimPrefix(s.StreamURL, e.srv.URL)
	for _, want := range []struct {
		status int
		code   string
	}{{503, "SERVICE_UNAVAILABLE"}, {429, "RATE_LIMIT_EXCEEDED"}, {500, "INTERNAL_ERROR"}} {
		resp := e.dial(path, s.Token, "")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := object(t, b); resp.StatusCode != want.status || m["code"] != want.code || m["retryable"] != true {
			t.Errorf("status %d %s, want %d %s", resp.StatusCode, b, want.status, want.code)
		}
	}
	c := e.openJob(s)
	c.event("progress")
	if n := len(e.srv.Requests()); n != 5 {
		t.Errorf("%d requests recorded", n)
	}
}

func TestInjectStatusPanics(t *testing.T) {
	e := setup(t)
	defer func() {
		if recover() == nil {
			t.Error("InjectStatus(1, 200) did not panic")
		}
	}()
	e.srv.InjectStatus(1, 200)
}

// TestDropStreams: the client sees half an event, then an unexpected EOF.
func TestDropStreams(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	if n := e.srv.DropStreams(s.JobID); n != 1 {
		t.Fatalf("DropStreams = %d", n)
	}
	if _, err := c.dec.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("after the drop: %v, want an unexpected EOF", err)
	}
	if n := e.srv.OpenStreams(s.JobID); n != 0 {
		t.Errorf("OpenStreams = %d after the drop", n)
	}
	if n := e.srv.DropStreams(s.JobID); n != 0 {
		t.Errorf("second DropStreams = %d", n)
	}
	if n := e.srv.DropStreams("nope"); n != 0 {
		t.Errorf("DropStreams(unknown) = %d", n)
	}
	// The job goes on; a new stream works.
	c = e.openJob(s)
	c.event("progress")
}

// TestDropStreamsRawBytes: the cut comes in the middle of a data line.
func TestDropStreamsRawBytes(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	resp := e.dial(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, "")
	defer resp.Body.Close()
	e.wait(s.JobID, 1)
	e.srv.DropStreams(s.JobID)
	b, err := io.ReadAll(resp.Body)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error %v", err)
	}
	tail := string(b[strings.LastIndex(string(b), "\n\n")+2:])
	if !strings.HasPrefix(tail, "id: ") || !strings.Contains(tail, "\ndata: {\"jobId\"") || strings.HasSuffix(tail, "\n") {
		t.Errorf("the stream ended with %q", tail)
	}
}

func TestSendRaw(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	a, b := e.openJob(s), e.openJob(s)
	a.event("progress")
	b.event("progress")
	e.wait(s.JobID, 2)
	if n := e.srv.SendRaw(s.JobID, "event: mystery\ndata: {not json\n\n"); n != 2 {
		t.Fatalf("SendRaw = %d", n)
	}
	for _, c := range []*conn{a, b} {
		ev, err := c.dec.Decode()
		if err != nil || ev.Type != "mystery" || ev.Data != "{not json" {
			t.Errorf("got %+v, %v", ev, err)
		}
	}
	e.clock.Advance(step)
	a.event("progress")
}

func TestStreamError(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	if n := e.srv.StreamError(s.JobID); n != 1 {
		t.Fatalf("StreamError = %d", n)
	}
	ev, d := c.event("error")
	if ev.ID != idAt(0, "initial") || field(d, "error", "code") != "STREAM_ERROR" || field(d, "error", "retryable") != true {
		t.Errorf("error event %+v %v", ev, d)
	}
	c.end()
}

// TestPauseResume: a paused job does not progress, its streams get pings,
// and it goes on after ResumeJob.
func TestPauseResume(t *testing.T) {
	e := setup(t, bookstracktest.WithPingInterval(time.Second))
	s := e.startEnrichment(isbns(1)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	for i := 0; i < 2; i++ { // pausing twice is fine
		if !e.srv.PauseJob(s.JobID) {
			t.Fatalf("PauseJob #%d reported false", i+1)
		}
	}
	e.clock.Advance(time.Second)
	c.event("ping") // no progress came before it
	if info, _ := e.srv.Job(s.JobID); !info.Paused || info.Status != "queued" {
		t.Errorf("Job() = %+v", info)
	}
	if !e.srv.ResumeJob(s.JobID) {
		t.Fatal("ResumeJob reported false")
	}
	e.clock.Advance(step)
	c.event("progress")
	if e.srv.PauseJob("3f0e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b") || e.srv.ResumeJob("x") || e.srv.FailJob("x", "", "", false) || e.srv.ExpireToken("x") {
		t.Error("a control acted on an unknown job")
	}
}
