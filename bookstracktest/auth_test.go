package bookstracktest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// TestAuth covers the stream's 400 and 401 answers.
func TestAuth(t *testing.T) {
	other := strings.Repeat("0f", 32)
	for _, tc := range []struct {
		name       string
		opts       []bookstracktest.Option
		prepare    func(e *env, s started)
		header     func(s started) http.Header
		wantStatus int
		wantCode   string // code, or error.code in the legacy envelope
		wantDetail string
	}{
		{
			name:       "missing token",
			header:     func(started) http.Header { return http.Header{"Accept": {"text/event-stream"}} },
			wantStatus: 401, wantCode: "UNAUTHORIZED",
		},
		{
			name:       "malformed token",
			header:     bearer(strings.Repeat("AB", 32)),
			wantStatus: 401, wantCode: "UNAUTHORIZED",
		},
		{
			name:       "wrong token",
			header:     bearer(other),
			wantStatus: 401, wantCode: "UNAUTHORIZED",
		},
		{
			name:       "token only in the query",
			header:     func(started) http.Header { return http.Header{"Accept": {"text/event-stream"}} },
			wantStatus: 401, wantCode: "UNAUTHORIZED",
		},
		{
			name:       "expired after the token TTL",
			prepare:    func(e *env, _ started) { e.clock.Advance(bookstracktest.DefaultTokenTTL) },
			wantStatus: 401, wantCode: "UNAUTHORIZED", wantDetail: "expired",
		},
		{
			name:       "expired by ExpireToken",
			prepare:    func(e *env, s started) { e.srv.ExpireToken(s.JobID) },
			wantStatus: 401, wantCode: "UNAUTHORIZED", wantDetail: "expired",
		},
		{
			name:       "legacy wrong token",
			opts:       []bookstracktest.Option{bookstracktest.WithQuirks(bookstracktest.Quirks{LegacyErrors: true})},
			header:     bearer(other),
			wantStatus: 401, wantCode: "INVALID_TOKEN",
		},
		{
			name:       "legacy expired",
			opts:       []bookstracktest.Option{bookstracktest.WithQuirks(bookstracktest.Quirks{LegacyErrors: true})},
			prepare:    func(e *env, _ started) { e.clock.Advance(3 * time.Hour) },
			wantStatus: 401, wantCode: "TOKEN_EXPIRED",
		},
		{
			name: "no Accept header",
			header: func(s started) http.Header {
				return http.Header{"Authorization": {"Bearer " + s.Token}}
			},
			wantStatus: 400, wantCode: "INVALID_REQUEST",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, append(tc.opts, bookstracktest.WithJobTTL(100*time.Hour))...)
			s := e.startEnrichment(isbns(1)...)
			e.srv.PauseJob(s.JobID)
			if tc.prepare != nil {
				tc.prepare(e, s)
			}
			header := bearer(s.Token)(s)
			if tc.header != nil {
				header = tc.header(s)
			}
			path := strings.TrimPrefix(s.StreamURL, e.srv.URL)
			if tc.name == "token only in the query" {
				path += "?token=" + s.Token
			}
			resp, body := e.do(http.MethodGet, path, nil, header)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, body)
			}
			m := object(t, body)
			code := m["code"]
			if code == nil {
				code = field(m, "error", "code")
			}
			if code != tc.wantCode {
				t.Errorf("code %v, want %s: %s", code, tc.wantCode, body)
			}
			if !strings.Contains(string(body), tc.wantDetail) {
				t.Errorf("body %s does not say %q", body, tc.wantDetail)
			}
		})
	}
}

func bearer(token string) func(started) http.Header {
	return func(started) http.Header {
		return http.Header{"Accept": {"text/event-stream"}, "Authorization": {"Bearer " + token}}
	}
}

// TestAuthNotNeededElsewhere: status, results and cancel take no token,
// and the token is reusable across connections.
func TestAuthNotNeededElsewhere(t *testing.T) {
	e := setup(t)
	s := e.startEnrichment(isbns(1)...)
	e.get("/v3/jobs/enrichment/"+s.JobID, 200)
	e.get("/v3/jobs/enrichment/"+s.JobID+"/results", 404)
	for i := 0; i < 2; i++ {
		resp := e.dial(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, "")
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1))
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("connection %d: status %d", i, resp.StatusCode)
		}
	}
	if resp, body := e.do(http.MethodDelete, "/v3/jobs/enrichment/"+s.JobID, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("cancel: %d %s", resp.StatusCode, body)
	}
}
