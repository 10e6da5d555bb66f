package api_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

// FuzzErrorBody maps any error response: both body formats (RFC 9457
// problem details and the older {"success":false,"error":{...}}
// envelope, with the rate-limit variant), or anything else. It must
// never panic, always give an *APIError (a *RateLimitError for 429) with
// the status and request ID as sent, bound what it keeps of a text body
// and the wait it reports, and keep unchanged the fields the server sent
// well-typed.
func FuzzErrorBody(f *testing.F) {
	for _, seed := range []struct {
		status     int
		body, wait string
	}{
		{404, `{"type":"https://api.oooefam.net/problems/not-found","title":"Not Found","status":404,"detail":"No job 123","instance":"/v3/jobs/scans/123","code":"JOB_NOT_FOUND","retryable":false,"errors":[{"field":"isbns","message":"required","code":"REQUIRED"}],"metadata":{"requestId":"req-1"}}`, ""},
		{400, `{"success":false,"error":{"code":"INVALID_REQUEST","message":"isbns must be an array","retryable":false,"details":{"field":"isbns"}},"meta":{"timestamp":"2026-12-02T12:00:00Z"}}`, ""},
		{429, `{"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down","details":{"retryAfter":30}}}`, ""},
		{429, `{"error":"Too many requests","code":"RATE_LIMIT_EXCEEDED","details":{"retryAfterMs":1500}}`, ""},
		{429, `{"title":"Too Many Requests","retryAfterMs":2500}`, "3"},
		{429, `{}`, "Wed, 21 Oct 2099 07:28:00 GMT"},
		{503, `{"title":5,"detail":"odd title","retryable":"true"}`, "99999999999"},
		{502, `<html><body>Bad Gateway</body></html>`, ""},
		{500, "\xff\xfeplain text", ""},
		{500, ``, ""},
		{401, `null`, ""},
		{403, `[1,2]`, ""},
	} {
		f.Add(seed.status, seed.body, seed.wait, "hdr-req")
	}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, body, wait, requestID string) {
		status = 400 + (status%200+200)%200 // an error status, 400 to 599
		header := http.Header{}
		if wait != "" {
			header.Set("Retry-After", wait)
		}
		if requestID != "" {
			header.Set("X-Request-ID", requestID)
		}
		err := api.Error(http.MethodGet, "https://api.example/v3/jobs/x", status, header, []byte(body), now)
		var ae *bookstrack.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%T is no *APIError", err)
		}
		if ae.StatusCode != status || ae.Method != http.MethodGet || ae.URL != "https://api.example/v3/jobs/x" {
			t.Fatalf("status %d, method %q, URL %q not as given", ae.StatusCode, ae.Method, ae.URL)
		}
		if got := header.Get("X-Request-ID"); got != "" && ae.RequestID != got {
			t.Fatalf("X-Request-ID %q reported as %q", got, ae.RequestID)
		}
		_ = err.Error() // never panics
		var rl *bookstrack.RateLimitError
		if isRL := errors.As(err, &rl); isRL != (status == http.StatusTooManyRequests) {
			t.Fatalf("status %d: *RateLimitError %v", status, isRL)
		}
		if rl != nil && (rl.RetryAfter < 0 || rl.RetryAfter > 24*time.Hour) {
			t.Fatalf("RetryAfter %v outside 0..24h", rl.RetryAfter)
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &obj) != nil || obj == nil {
			if strings.TrimSpace(body) != "" && !json.Valid([]byte(body)) {
				if len(ae.Detail) > 203 || !utf8.ValidString(ae.Detail) {
					t.Fatalf("a text body kept as %d bytes (valid UTF-8: %v)", len(ae.Detail), utf8.ValidString(ae.Detail))
				}
			}
			return
		}
		for name, got := range map[string]string{"type": ae.Type, "title": ae.Title, "instance": ae.Instance} {
			if s, ok := jobtest.SentString(obj, name); ok && got != s {
				t.Fatalf("%s %q reported as %q", name, s, got)
			}
		}
		code, hasCode := jobtest.SentString(obj, "code")
		detail, _ := jobtest.SentString(obj, "detail")
		message, _ := jobtest.SentString(obj, "message")
		if hasCode && code != "" && ae.Code != code {
			t.Fatalf("code %q reported as %q", code, ae.Code)
		}
		if top := detail + message; top != "" {
			want := detail
			if want == "" {
				want = message
			}
			if ae.Detail != want {
				t.Fatalf("detail %q / message %q reported as %q", detail, message, ae.Detail)
			}
		}
		if legacy, ok := jobtest.SentObject(obj, "error"); ok {
			lc, _ := jobtest.SentString(legacy, "code")
			lm, _ := jobtest.SentString(legacy, "message")
			if lc != "" && (!hasCode || code == "") && ae.Code != lc {
				t.Fatalf("error.code %q reported as %q", lc, ae.Code)
			}
			if lm != "" && detail+message == "" && ae.Detail != lm {
				t.Fatalf("error.message %q reported as %q", lm, ae.Detail)
			}
		}
	})
}
