package bookstracktest_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestRoutesErrors covers 404, 405 and malformed ids on every route.
func TestRoutesErrors(t *testing.T) {
	e := setup(t)
	const id = "3f0e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b"
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{"GET", "/", 404, "NOT_FOUND", ""},
		{"GET", "/v3/jobs", 404, "NOT_FOUND", ""},
		{"GET", "/v3/jobs/books/" + id, 404, "NOT_FOUND", ""},
		{"GET", "/v3/jobs/imports/" + id + "/", 404, "NOT_FOUND", ""},
		{"GET", "/v3/jobs/imports/" + id + "/other", 404, "NOT_FOUND", ""},
		{"GET", "/api/v2/imports/" + id, 404, "NOT_FOUND", ""}, // v2 has no status route
		{"POST", "/api/v2/enrichments", 404, "NOT_FOUND", ""},  // nor enrichment start
		{"DELETE", "/api/v2/imports/" + id + "/stream", 405, "METHOD_NOT_ALLOWED", "GET"},
		{"GET", "/v3/jobs/imports", 405, "METHOD_NOT_ALLOWED", "POST"},
		{"GET", "/v3/books/enrich", 405, "METHOD_NOT_ALLOWED", "POST"},
		{"POST", "/v3/jobs/scans/" + id, 405, "METHOD_NOT_ALLOWED", "GET, DELETE"},
		{"POST", "/v3/jobs/scans/" + id + "/results", 405, "METHOD_NOT_ALLOWED", "GET"},
		{"GET", "/v3/jobs/imports/not-a-uuid", 400, "INVALID_REQUEST", ""},
		{"DELETE", "/v3/jobs/scans/123", 400, "INVALID_REQUEST", ""},
		{"GET", "/v3/jobs/enrichment/" + id + "x/stream", 400, "INVALID_REQUEST", ""},
		{"GET", "/v3/jobs/imports/" + strings.ReplaceAll(id, "-", "_") + "/results", 400, "INVALID_REQUEST", ""},
		{"GET", "/api/v2/enrichments/zzzzzzzz-7c4d-4e8f-9a0b-1c2d3e4f5a6b/stream", 400, "INVALID_REQUEST", ""},
		{"GET", "/api/v2/scans/x/results", 400, "INVALID_REQUEST", ""},
		{"GET", "/v3/jobs/imports/" + id, 404, "NOT_FOUND", ""},
		{"GET", "/v3/jobs/scans/" + strings.ToUpper(id) + "/results", 404, "NOT_FOUND", ""},
		{"DELETE", "/v3/jobs/enrichment/" + id, 404, "NOT_FOUND", ""},
		{"GET", "/api/v2/imports/" + id + "/results", 404, "NOT_FOUND", ""},
	} {
		resp, body := e.do(tc.method, tc.path, nil, nil)
		where := tc.method + " " + tc.path
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", where, resp.StatusCode, tc.status)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: Content-Type %q", where, ct)
		}
		m := object(t, body)
		if m["code"] != tc.code || m["status"] != float64(tc.status) || m["type"] == "" || m["title"] == "" || m["instance"] != tc.path {
			t.Errorf("%s: body %s", where, body)
		}
		rid := resp.Header.Get("X-Request-ID")
		if rid == "" || field(m, "metadata", "requestId") != rid || field(m, "metadata", "timestamp") != "2026-01-02T03:04:05.000Z" {
			t.Errorf("%s: X-Request-ID %q, metadata %v", where, rid, m["metadata"])
		}
		if got := resp.Header.Get("Allow"); got != tc.allow {
			t.Errorf("%s: Allow %q, want %q", where, got, tc.allow)
		}
		if tc.status == 400 {
			if errs, _ := m["errors"].([]any); len(errs) != 1 || field(errs[0], "field") != "jobId" || m["success"] != false {
				t.Errorf("%s: errors %v", where, m["errors"])
			}
		}
	}
}

// TestRoutesRequestID: every response has an X-Request-ID; a sane one
// from the client is echoed.
func TestRoutesRequestID(t *testing.T) {
	e := setup(t)
	resp, _ := e.do(http.MethodGet, "/nowhere", nil, http.Header{"X-Request-Id": {"client-42"}})
	if got := resp.Header.Get("X-Request-ID"); got != "client-42" {
		t.Errorf("echoed X-Request-ID %q", got)
	}
	s := e.startEnrichment(isbns(1)...)
	resp, body := e.do(http.MethodGet, "/v3/jobs/enrichment/"+s.JobID, nil, nil)
	if rid := resp.Header.Get("X-Request-ID"); len(rid) != 36 || field(object(t, body), "metadata", "requestId") != rid {
		t.Errorf("X-Request-ID %q, body %s", rid, body)
	}
	reqs := e.srv.Requests()
	if len(reqs) != 3 || reqs[0].Path != "/nowhere" || reqs[0].RequestID != "client-42" || reqs[0].Header.Get("X-Request-Id") != "client-42" ||
		reqs[1].Method != "POST" || reqs[2].RequestID != resp.Header.Get("X-Request-ID") || !reqs[2].Time.Equal(t0) {
		t.Errorf("Requests() = %+v", reqs)
	}
}

// TestRoutesStatus: the status route reports the job's state.
func TestRoutesStatus(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(3)...)
	d := e.get("/v3/jobs/enrichment/"+s.JobID, 200)
	if d["success"] != true || field(d, "data", "status") != "queued" || field(d, "data", "type") != "enrichment" ||
		field(d, "data", "createdAt") != "2026-01-02T03:04:05.000Z" || field(d, "data", "completedAt") != nil {
		t.Fatalf("status %v", d)
	}
	e.clock.Advance(step)
	if err := e.clock.WaitPending(e.ctx, 1); err != nil {
		t.Fatal(err)
	}
	d = e.get("/v3/jobs/enrichment/"+s.JobID, 200)
	if field(d, "data", "status") != "processing" || field(d, "data", "progress") != 1.0 || field(d, "data", "message") != "Processing 3/3" {
		t.Fatalf("status %v", d)
	}
	e.clock.Advance(step)
	if err := e.clock.WaitPending(e.ctx, 1); err != nil {
		t.Fatal(err)
	}
	d = e.get("/v3/jobs/enrichment/"+s.JobID, 200)
	if field(d, "data", "status") != "completed" || field(d, "data", "completedAt") != "2026-01-02T03:04:05.200Z" {
		t.Fatalf("status %v", d)
	}
	info, ok := e.srv.Job(s.JobID)
	if !ok || info.Kind != "enrichment" || info.Status != "completed" || info.Token != s.Token || info.TotalCount != 3 ||
		!info.CreatedAt.Equal(t0) || !info.CompletedAt.Equal(t0.Add(2*step)) {
		t.Errorf("Job() = %+v, %v", info, ok)
	}
}
