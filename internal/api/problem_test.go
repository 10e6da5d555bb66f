package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

const testJobID = "3f2b8c1e-9a4d-4e6f-8b2a-1c0d9e8f7a6b"

// now is the time every test's clock shows.
var now = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// newClient returns an api.Client for base, configured by opts after the
// base URL and a fake clock showing now.
func newClient(t testing.TB, base string, opts ...bookstrack.Option) *api.Client {
	t.Helper()
	cfg := settings.MustNew(append([]bookstrack.Option{
		bookstrack.WithBaseURL(base),
		bookstrack.WithClock(ssetest.NewClock(now)),
		bookstrack.WithCallRetries(-1), // retries sleep on the fake clock; their tests turn them on
	}, opts...))
	c, err := api.New(&cfg)
	require.NoError(t, err)
	return c
}

// respond is an error response to serve.
type respond struct {
	status      int
	contentType string
	header      map[string]string
	body        string
}

// serve starts a server answering every request with r, and returns a
// client of it.
func serve(t testing.TB, r respond) (*api.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if r.contentType != "" {
			w.Header().Set("Content-Type", r.contentType)
		}
		for k, v := range r.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(r.status)
		_, _ = io.WriteString(w, r.body)
	}))
	t.Cleanup(srv.Close)
	return newClient(t, srv.URL, bookstrack.WithHTTPClient(srv.Client())), srv
}

// mapError gets the error of r both ways: through api.Error directly, and
// through a real GET of a job's status.
func mapError(t *testing.T, r respond) (url string, direct, real error) {
	t.Helper()
	h := http.Header{}
	for k, v := range r.header {
		h.Set(k, v)
	}
	if r.contentType != "" {
		h.Set("Content-Type", r.contentType)
	}
	c, srv := serve(t, r)
	url = srv.URL + "/v3/jobs/imports/" + testJobID
	direct = c.Error(bookstrack.OpStatus, http.MethodGet, url, r.status, h, []byte(r.body))
	_, real = c.Status(context.Background(), bookstrack.KindImport, testJobID)
	return url, direct, real
}

// bodyFormat is one of the error bodies of the contract.
type bodyFormat struct {
	name        string
	contentType string
	body        func(status int) string
	// want holds the fields read from the body; the test fills in
	// Method, URL and StatusCode.
	want bookstrack.APIError
	// wait is what the body asks a 429 to wait.
	wait time.Duration
}

var bodyFormats = []bodyFormat{
	{
		name:        "problem+json",
		contentType: "application/problem+json",
		body: func(s int) string {
			return fmt.Sprintf(`{"type":"https://api.oooefam.net/problems/x","title":"Some title","status":%d,"detail":"some detail","instance":"/v3/jobs/imports/%s","code":"SOME_CODE","retryable":true,"retryAfterMs":1500,"metadata":{"timestamp":"2026-01-15T12:00:00Z","requestId":"req-body"}}`, s, testJobID)
		},
		want: bookstrack.APIError{Type: "https://api.oooefam.net/problems/x", Title: "Some title", Detail: "some detail", Instance: "/v3/jobs/imports/" + testJobID, Code: "SOME_CODE", Retryable: true, RequestID: "req-body"},
		wait: 1500 * time.Millisecond,
	},
	{
		name:        "problem as application/json with success:false",
		contentType: "application/json",
		body: func(s int) string {
			return fmt.Sprintf(`{"success":false,"type":"about:blank","title":"Some title","status":%d,"detail":"some detail","code":"SOME_CODE","retryable":false,"metadata":{"requestId":"req-body"}}`, s)
		},
		want: bookstrack.APIError{Type: "about:blank", Title: "Some title", Detail: "some detail", Code: "SOME_CODE", RequestID: "req-body"},
	},
	{
		name:        "problem as application/json without success",
		contentType: "application/json; charset=utf-8",
		body: func(s int) string {
			return fmt.Sprintf(`{"title":"Some title","status":%d,"detail":"some detail","code":"SOME_CODE","retryable":true}`, s)
		},
		want: bookstrack.APIError{Title: "Some title", Detail: "some detail", Code: "SOME_CODE", Retryable: true},
	},
	{
		name:        "problem with errors[] field errors",
		contentType: "application/problem+json",
		body: func(s int) string {
			return fmt.Sprintf(`{"title":"Validation failed","status":%d,"code":"INVALID_REQUEST","errors":[{"field":"isbns[0]","message":"not an ISBN","code":"INVALID_ISBN"},{"field":"async","message":"must be a boolean"}]}`, s)
		},
		want: bookstrack.APIError{Title: "Validation failed", Code: "INVALID_REQUEST", Fields: []bookstrack.FieldError{
			{Field: "isbns[0]", Message: "not an ISBN", Code: "INVALID_ISBN"},
			{Field: "async", Message: "must be a boolean"},
		}},
	},
	{
		name:        "problem whose body status disagrees with the HTTP status",
		contentType: "application/problem+json",
		body: func(s int) string {
			other := 404
			if s == 404 {
				other = 500
			}
			return fmt.Sprintf(`{"status":%d,"code":"SOME_CODE","detail":"some detail"}`, other)
		},
		want: bookstrack.APIError{Code: "SOME_CODE", Detail: "some detail"},
	},
	{
		name:        "older envelope",
		contentType: "application/json",
		body: func(int) string {
			return `{"success":false,"error":{"code":"SOME_CODE","message":"some message","retryable":true,"details":{"retryAfter":7,"hint":"x"}},"metadata":{"timestamp":"2026-01-15T12:00:00Z","requestId":"req-body"}}`
		},
		want: bookstrack.APIError{Code: "SOME_CODE", Detail: "some message", Retryable: true, RequestID: "req-body"},
		wait: 7 * time.Second,
	},
	{
		name:        "older rate-limit body",
		contentType: "application/json",
		body: func(int) string {
			return `{"error":"Too many requests","code":"RATE_LIMIT_EXCEEDED","details":{"retryAfter":30,"limit":10}}`
		},
		want: bookstrack.APIError{Code: "RATE_LIMIT_EXCEEDED", Detail: "Too many requests"},
		wait: 30 * time.Second,
	},
	{
		name:        "plain text",
		contentType: "text/plain; charset=utf-8",
		body:        func(int) string { return "  upstream connect error or disconnect/reset before headers\n" },
		want:        bookstrack.APIError{Detail: "upstream connect error or disconnect/reset before headers"},
	},
	{
		name:        "empty body",
		contentType: "",
		body:        func(int) string { return "" },
	},
	{
		name:        "invalid JSON",
		contentType: "application/json",
		body:        func(int) string { return `{"code":"SOME_CODE","detail":"cut` },
		want:        bookstrack.APIError{Detail: `{"code":"SOME_CODE","detail":"cut`},
	},
	{
		name:        "problem with retryable of an odd type",
		contentType: "application/problem+json",
		body: func(s int) string {
			return fmt.Sprintf(`{"retryable":"yes","title":"Some title","status":%d,"detail":"some detail","code":"SOME_CODE","metadata":{"requestId":"req-body"}}`, s)
		},
		want: bookstrack.APIError{Title: "Some title", Detail: "some detail", Code: "SOME_CODE", RequestID: "req-body"},
	},
}

var statusClasses = []int{400, 401, 403, 404, 409, 422, 429, 500, 503}

// sentinels lists which category sentinels an error of the status matches.
func sentinels(status int) map[error]bool {
	return map[error]bool{
		bookstrack.ErrInvalidRequest: status == 400 || status == 422,
		bookstrack.ErrUnauthorized:   status == 401 || status == 403,
		bookstrack.ErrNotFound:       status == 404,
		bookstrack.ErrJobNotFound:    status == 404,
		// never matched by an API error
		bookstrack.ErrResultsUnavailable: false,
	}
}

func TestErrorMapsEveryStatusAndBodyFormat(t *testing.T) {
	for _, f := range bodyFormats {
		for _, status := range statusClasses {
			t.Run(fmt.Sprintf("%s %d", f.name, status), func(t *testing.T) {
				r := respond{status: status, contentType: f.contentType, body: f.body(status)}
				url, direct, real := mapError(t, r)
				for how, err := range map[string]error{"api.Error": direct, "GET": real} {
					want := f.want
					want.Method, want.URL, want.StatusCode, want.Op = http.MethodGet, url, status, bookstrack.OpStatus
					checkAPIError(t, how, err, want)
					for target, match := range sentinels(status) {
						assert.Equal(t, match, errors.Is(err, target), "%s: errors.Is(err, %v)", how, target)
					}
					var rl *bookstrack.RateLimitError
					if status == http.StatusTooManyRequests {
						require.True(t, errors.As(err, &rl), "%s: want a *RateLimitError, got %T", how, err)
						assert.Equal(t, f.wait, rl.RetryAfter, "%s: RetryAfter", how)
						assert.Equal(t, -1, rl.Limit, "%s: Limit", how)
						assert.Equal(t, -1, rl.Remaining, "%s: Remaining", how)
						assert.True(t, rl.Reset.IsZero(), "%s: Reset", how)
					} else {
						assert.False(t, errors.As(err, &rl), "%s: a %d is no *RateLimitError", how, status)
					}
				}
			})
		}
	}
}

// checkAPIError asserts that err is or wraps want, and that its text
// carries the code (or the status text), the detail and the request id.
func checkAPIError(t *testing.T, how string, err error, want bookstrack.APIError) {
	t.Helper()
	var ae *bookstrack.APIError
	require.True(t, errors.As(err, &ae), "%s: want an *APIError, got %T %v", how, err, err)
	assert.Equal(t, want, *ae, "%s", how)
	text := err.Error()
	if want.Code != "" {
		assert.Contains(t, text, want.Code, "%s: Error()", how)
	} else {
		assert.Contains(t, text, http.StatusText(want.StatusCode), "%s: Error()", how)
	}
	assert.Contains(t, text, want.Detail, "%s: Error()", how)
	assert.Contains(t, text, fmt.Sprint(want.StatusCode), "%s: Error()", how)
	if want.RequestID != "" {
		assert.Contains(t, text, want.RequestID, "%s: Error()", how)
	}
}

func TestErrorRequestID(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		body   string
		want   string
	}{
		{
			name: "problem+json 404 with request id in metadata",
			body: `{"status":404,"code":"NOT_FOUND","metadata":{"requestId":"req-meta"}}`,
			want: "req-meta",
		},
		{
			name:   "X-Request-ID header wins over metadata",
			header: map[string]string{"X-Request-ID": "req-header"},
			body:   `{"status":404,"code":"NOT_FOUND","metadata":{"requestId":"req-meta"}}`,
			want:   "req-header",
		},
		{
			name:   "X-Request-ID header with a plain-text body",
			header: map[string]string{"X-Request-ID": "req-header"},
			body:   "not found",
			want:   "req-header",
		},
		{
			name: "older envelope with request id in metadata",
			body: `{"success":false,"error":{"code":"NOT_FOUND","message":"gone"},"metadata":{"requestId":"req-meta"}}`,
			want: "req-meta",
		},
		{
			name: "no request id anywhere",
			body: `{"status":404,"code":"NOT_FOUND"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := respond{status: 404, contentType: "application/problem+json", header: tt.header, body: tt.body}
			_, direct, real := mapError(t, r)
			for how, err := range map[string]error{"api.Error": direct, "GET": real} {
				var ae *bookstrack.APIError
				require.True(t, errors.As(err, &ae), how)
				assert.Equal(t, tt.want, ae.RequestID, how)
				if tt.want != "" {
					assert.Contains(t, err.Error(), "(request "+tt.want+")", how)
				} else {
					assert.NotContains(t, err.Error(), "request", how)
				}
			}
		})
	}
}

func TestErrorRateLimit(t *testing.T) {
	problem := `{"status":429,"code":"RATE_LIMIT_EXCEEDED","detail":"slow down","retryAfterMs":5000,"details":{"retryAfter":30}}`
	tests := []struct {
		name      string
		header    map[string]string
		body      string
		wait      time.Duration
		limit     int
		remaining int
		reset     time.Time
	}{
		{
			name:   "Retry-After seconds wins over retryAfterMs and details.retryAfter",
			header: map[string]string{"Retry-After": "120"},
			body:   problem,
			wait:   120 * time.Second, limit: -1, remaining: -1,
		},
		{
			name:   "Retry-After HTTP date is relative to now",
			header: map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)},
			body:   problem,
			wait:   90 * time.Second, limit: -1, remaining: -1,
		},
		{
			name:   "Retry-After HTTP date in the past waits zero",
			header: map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)},
			body:   problem,
			wait:   0, limit: -1, remaining: -1,
		},
		{
			name:   "Retry-After 0 wins over the body",
			header: map[string]string{"Retry-After": "0"},
			body:   problem,
			wait:   0, limit: -1, remaining: -1,
		},
		{
			name:   "unreadable Retry-After falls back to retryAfterMs",
			header: map[string]string{"Retry-After": "soon"},
			body:   problem,
			wait:   5 * time.Second, limit: -1, remaining: -1,
		},
		{
			name: "retryAfterMs wins over details.retryAfter",
			body: problem,
			wait: 5 * time.Second, limit: -1, remaining: -1,
		},
		{
			name: "retryAfterMs as a numeric string",
			body: `{"status":429,"code":"RATE_LIMIT_EXCEEDED","retryAfterMs":"2500"}`,
			wait: 2500 * time.Millisecond, limit: -1, remaining: -1,
		},
		{
			name: "details.retryAfter in seconds alone",
			body: `{"error":"Too many requests","code":"RATE_LIMIT_EXCEEDED","details":{"retryAfter":30}}`,
			wait: 30 * time.Second, limit: -1, remaining: -1,
		},
		{
			name: "older envelope error.details.retryAfter",
			body: `{"success":false,"error":{"code":"RATE_LIMIT_EXCEEDED","message":"slow down","retryable":true,"details":{"retryAfter":7}}}`,
			wait: 7 * time.Second, limit: -1, remaining: -1,
		},
		{
			name: "no wait given",
			body: `{"status":429,"code":"RATE_LIMIT_EXCEEDED"}`,
			wait: 0, limit: -1, remaining: -1,
		},
		{
			name: "X-RateLimit headers read, Reset in epoch milliseconds",
			header: map[string]string{
				"Retry-After":           "12",
				"X-RateLimit-Limit":     "100",
				"X-RateLimit-Remaining": "0",
				"X-RateLimit-Reset":     "1768478412345",
			},
			body:  problem,
			wait:  12 * time.Second,
			limit: 100, remaining: 0,
			reset: time.UnixMilli(1768478412345),
		},
		{
			name:   "unreadable X-RateLimit headers read as absent",
			header: map[string]string{"X-RateLimit-Limit": "many", "X-RateLimit-Remaining": "", "X-RateLimit-Reset": "tomorrow"},
			body:   problem,
			wait:   5 * time.Second, limit: -1, remaining: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := respond{status: 429, contentType: "application/problem+json", header: tt.header, body: tt.body}
			_, direct, real := mapError(t, r)
			for how, err := range map[string]error{"api.Error": direct, "GET": real} {
				var rl *bookstrack.RateLimitError
				require.True(t, errors.As(err, &rl), "%s: %T", how, err)
				assert.True(t, errors.As(err, new(*bookstrack.RateLimitError)), how)
				assert.Equal(t, tt.wait, rl.RetryAfter, "%s: RetryAfter", how)
				assert.Equal(t, tt.limit, rl.Limit, "%s: Limit", how)
				assert.Equal(t, tt.remaining, rl.Remaining, "%s: Remaining", how)
				assert.True(t, tt.reset.Equal(rl.Reset), "%s: Reset %v, want %v", how, rl.Reset, tt.reset)
				assert.Equal(t, 429, rl.StatusCode, how)
				assert.Contains(t, err.Error(), "retry after "+tt.wait.String(), how)
				var ae *bookstrack.APIError
				require.True(t, errors.As(err, &ae), how)
				assert.Equal(t, "RATE_LIMIT_EXCEEDED", ae.Code, how)
			}
		})
	}
}

// A field of an odd type spoils only that field: the code, detail and
// request id that follow it in the body are kept.
func TestErrorOddTypesKeepTheOtherFields(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   bookstrack.APIError // Code, Detail, RequestID checked
	}{
		{
			name:   "problem with retryable \"yes\"",
			status: 503,
			body:   `{"retryable":"yes","code":"INTERNAL_ERROR","detail":"try later","metadata":{"requestId":"req-1"}}`,
			want:   bookstrack.APIError{Code: "INTERNAL_ERROR", Detail: "try later", RequestID: "req-1"},
		},
		{
			name:   "problem with a string errors field",
			status: 422,
			body:   `{"errors":"isbns is bad","code":"INVALID_REQUEST","detail":"bad input","metadata":{"requestId":"req-1"}}`,
			want:   bookstrack.APIError{Code: "INVALID_REQUEST", Detail: "bad input", RequestID: "req-1"},
		},
		{
			name:   "problem with a numeric requestId",
			status: 500,
			body:   `{"metadata":{"requestId":42},"code":"INTERNAL_ERROR","detail":"boom"}`,
			want:   bookstrack.APIError{Code: "INTERNAL_ERROR", Detail: "boom"},
		},
		{
			name:   "problem with retryAfterMs \"soon\" before the other fields",
			status: 429,
			body:   `{"retryAfterMs":"soon","code":"RATE_LIMIT_EXCEEDED","detail":"slow down","metadata":{"requestId":"req-1"}}`,
			want:   bookstrack.APIError{Code: "RATE_LIMIT_EXCEEDED", Detail: "slow down", RequestID: "req-1"},
		},
		{
			name:   "older rate-limit body with details.retryAfter \"soon\" before the other fields",
			status: 429,
			body:   `{"details":{"retryAfter":"soon"},"error":"Too many requests","code":"RATE_LIMIT_EXCEEDED"}`,
			want:   bookstrack.APIError{Code: "RATE_LIMIT_EXCEEDED", Detail: "Too many requests"},
		},
		{
			name:   "older envelope with retryable \"yes\"",
			status: 401,
			body:   `{"success":false,"error":{"code":"TOKEN_EXPIRED","message":"token expired","retryable":"yes"},"metadata":{"requestId":"req-1"}}`,
			want:   bookstrack.APIError{Code: "TOKEN_EXPIRED", Detail: "token expired", RequestID: "req-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := respond{status: tt.status, contentType: "application/json", body: tt.body}
			_, direct, real := mapError(t, r)
			for how, err := range map[string]error{"api.Error": direct, "GET": real} {
				var ae *bookstrack.APIError
				require.True(t, errors.As(err, &ae), how)
				assert.Equal(t, tt.status, ae.StatusCode, how)
				assert.Equal(t, tt.want.Code, ae.Code, "%s: Code", how)
				assert.Equal(t, tt.want.Detail, ae.Detail, "%s: Detail", how)
				assert.Equal(t, tt.want.RequestID, ae.RequestID, "%s: RequestID", how)
				assert.False(t, ae.Retryable, "%s: Retryable", how)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		contains []string
	}{
		{
			name:     "problem with code, detail and request id",
			err:      api.Error("GET", "https://api.example/v3/jobs/scans/x", 404, http.Header{"X-Request-Id": {"req-7"}}, []byte(`{"code":"NOT_FOUND","detail":"Job not found"}`), now),
			contains: []string{"GET https://api.example/v3/jobs/scans/x", "404 NOT_FOUND", "Job not found", "(request req-7)"},
		},
		{
			name:     "no code: the status text",
			err:      api.Error("DELETE", "https://api.example/v3/jobs/scans/x", 503, nil, nil, now),
			contains: []string{"503 Service Unavailable"},
		},
		{
			name:     "title when there is no detail",
			err:      api.Error("GET", "https://api.example/x", 400, nil, []byte(`{"title":"Bad Request","code":"INVALID_REQUEST"}`), now),
			contains: []string{"INVALID_REQUEST: Bad Request"},
		},
		{
			name:     "field errors listed",
			err:      api.Error("POST", "https://api.example/v3/books/enrich", 422, nil, []byte(`{"code":"INVALID_REQUEST","detail":"invalid","errors":[{"field":"isbns[2]","message":"not an ISBN"}]}`), now),
			contains: []string{"isbns[2]: not an ISBN"},
		},
		{
			name:     "rate limit with its wait",
			err:      api.Error("POST", "https://api.example/v3/jobs/scans", 429, http.Header{"Retry-After": {"30"}}, []byte(`{"code":"RATE_LIMIT_EXCEEDED"}`), now),
			contains: []string{"429 RATE_LIMIT_EXCEEDED", "retry after 30s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.contains {
				assert.Contains(t, tt.err.Error(), s)
			}
		})
	}
}

// The query string of the base URL (where a user may put a key) never
// reaches an error's text or URL.
func TestErrorTextHasNoQueryString(t *testing.T) {
	t.Run("error response", func(t *testing.T) {
		var gotQuery atomic.Value
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gotQuery.Store(r.URL.RawQuery)
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"code":"NOT_FOUND","detail":"no such job"}`)
		}))
		t.Cleanup(srv.Close)
		c := newClient(t, srv.URL+"/prefix?api_key=s3cret", bookstrack.WithHTTPClient(srv.Client()))
		_, err := c.Results(context.Background(), bookstrack.KindScan, testJobID)
		require.Error(t, err)
		assert.Equal(t, "api_key=s3cret", gotQuery.Load(), "the query was sent")
		assert.NotContains(t, err.Error(), "s3cret")
		assert.NotContains(t, err.Error(), "?")
		var ae *bookstrack.APIError
		require.True(t, errors.As(err, &ae))
		assert.Equal(t, srv.URL+"/prefix/v3/jobs/scans/"+testJobID+"/results", ae.URL)
	})
	t.Run("transport failure", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		hc := srv.Client()
		srv.Close()
		c := newClient(t, base+"/?api_key=s3cret", bookstrack.WithHTTPClient(hc))
		_, err := c.Status(context.Background(), bookstrack.KindScan, testJobID)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cret")
	})
}

// countingBody is a response body of n bytes that counts what is read.
type countingBody struct {
	src    io.Reader
	read   atomic.Int64
	closed atomic.Bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.src.Read(p)
	b.read.Add(int64(n))
	return n, err
}

func (b *countingBody) Close() error { b.closed.Store(true); return nil }

type fillReader byte

func (f fillReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(f)
	}
	return len(p), nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestErrorBodyIsBounded(t *testing.T) {
	const limit = 64 << 10
	tests := []struct {
		name   string
		prefix string
		check  func(t *testing.T, ae *bookstrack.APIError)
	}{
		{
			name:   "plain text of 16 MiB: detail cut to 200 bytes",
			prefix: "",
			check: func(t *testing.T, ae *bookstrack.APIError) {
				assert.Equal(t, strings.Repeat("a", 200)+"...", ae.Detail)
			},
		},
		{
			name:   "JSON whose detail runs past 64 KiB: read as text",
			prefix: `{"code":"INTERNAL_ERROR","detail":"`,
			check: func(t *testing.T, ae *bookstrack.APIError) {
				assert.LessOrEqual(t, len(ae.Detail), 203)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingBody{src: io.MultiReader(strings.NewReader(tt.prefix), io.LimitReader(fillReader('a'), 16<<20))}
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				return &http.Response{
					StatusCode: 500, Status: "500 Internal Server Error", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
					Header: http.Header{"Content-Type": {"text/plain"}}, Body: body, Request: r, ContentLength: -1,
				}, nil
			})}
			c := newClient(t, "https://api.example", bookstrack.WithHTTPClient(hc))
			_, err := c.Status(context.Background(), bookstrack.KindImport, testJobID)
			var ae *bookstrack.APIError
			require.True(t, errors.As(err, &ae), "%T %v", err, err)
			assert.Equal(t, 500, ae.StatusCode)
			assert.LessOrEqual(t, body.read.Load(), int64(limit), "bytes read of the error body")
			assert.Positive(t, body.read.Load())
			assert.True(t, body.closed.Load(), "body closed")
			tt.check(t, ae)
		})
	}
}

// A long plain-text body is cut to 200 bytes; the cut must not split a
// UTF-8 sequence, or the error text is not valid UTF-8.
func TestErrorPlainTextCutOnRuneBoundary(t *testing.T) {
	body := strings.Repeat("€", 100) // 300 bytes, 3 per rune: byte 200 is inside a rune
	err := api.Error("GET", "https://api.example/x", 502, nil, []byte(body), now)
	var ae *bookstrack.APIError
	require.True(t, errors.As(err, &ae))
	assert.True(t, utf8.ValidString(ae.Detail), "Detail is not valid UTF-8: %q", ae.Detail[len(ae.Detail)-6:])
	assert.True(t, strings.HasPrefix(body, strings.TrimSuffix(ae.Detail, "...")))
}
