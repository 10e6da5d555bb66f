package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/settings"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// request is what a test server saw.
type request struct {
	Method, Path, RawQuery, ContentType, Accept string
	Body                                        string
}

// recorder is a test server that records each request and answers with
// status and body.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []request
}

func newRecorder(t testing.TB, status int, body func(r *http.Request) string) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, request{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			ContentType: r.Header.Get("Content-Type"), Accept: r.Header.Get("Accept"), Body: string(b),
		})
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body(r))
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (rec *recorder) requests() []request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]request(nil), rec.reqs...)
}

func TestStartJobParsesEveryResponseShape(t *testing.T) {
	const id = testJobID
	tests := []struct {
		name string
		kind bookstrack.Kind
		v2   bool
		body string
		want bookstrack.Job // StreamURL and StatusURL relative to the server's URL
	}{
		{
			name: "data with absolute streamUrl and token",
			kind: bookstrack.KindImport,
			body: `{"success":true,"data":{"jobId":"` + id + `","status":"queued","streamUrl":"https://stream.example/v3/jobs/imports/` + id + `/stream","token":"` + testToken + `"},"metadata":{"timestamp":"2026-01-15T12:00:00Z","requestId":"r1"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindImport, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "https://stream.example/v3/jobs/imports/" + id + "/stream", StatusURL: "/v3/jobs/imports/" + id},
		},
		{
			name: "legacy authToken, relative sseUrl and statusUrl",
			kind: bookstrack.KindScan,
			body: `{"success":true,"data":{"jobId":"` + id + `","status":"queued","sseUrl":"/v3/jobs/scans/` + id + `/stream","statusUrl":"/v3/jobs/scans/` + id + `","authToken":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindScan, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/v3/jobs/scans/" + id + "/stream", StatusURL: "/v3/jobs/scans/" + id},
		},
		{
			name: "token wins over authToken, streamUrl over sseUrl",
			kind: bookstrack.KindScan,
			body: `{"data":{"jobId":"` + id + `","streamUrl":"/a/stream","sseUrl":"/b/stream","token":"` + testToken + `","authToken":"other"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindScan, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/a/stream", StatusURL: "/v3/jobs/scans/" + id},
		},
		{
			name: "no stream URL: built from the v3 routes (import)",
			kind: bookstrack.KindImport,
			body: `{"success":true,"data":{"jobId":"` + id + `","status":"queued","token":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindImport, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/v3/jobs/imports/" + id + "/stream", StatusURL: "/v3/jobs/imports/" + id},
		},
		{
			name: "no stream URL: built from the v3 routes (scan)",
			kind: bookstrack.KindScan,
			body: `{"success":true,"data":{"jobId":"` + id + `","token":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindScan, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/v3/jobs/scans/" + id + "/stream", StatusURL: "/v3/jobs/scans/" + id},
		},
		{
			name: "no stream URL: built from the v3 routes (enrichment)",
			kind: bookstrack.KindEnrichment,
			body: `{"success":true,"data":{"jobId":"` + id + `","token":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindEnrichment, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/v3/jobs/enrichment/" + id + "/stream", StatusURL: "/v3/jobs/enrichment/" + id},
		},
		{
			name: "v2 routes: import stream built from the v2 template though the server gave one",
			kind: bookstrack.KindImport, v2: true,
			body: `{"success":true,"data":{"jobId":"` + id + `","streamUrl":"https://stream.example/v3/jobs/imports/` + id + `/stream","token":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindImport, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/api/v2/imports/" + id + "/stream"}, // v2 has no status route and the server gave no statusUrl,
		},
		{
			name: "v2 routes: scan stream built from the v2 template though the server gave one",
			kind: bookstrack.KindScan, v2: true,
			body: `{"success":true,"data":{"jobId":"` + id + `","sseUrl":"/v3/jobs/scans/` + id + `/stream","token":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindScan, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/api/v2/scans/" + id + "/stream"}, // v2 has no status route and the server gave no statusUrl,
		},
		{
			name: "v2 routes: enrichment stream built from the v2 template",
			kind: bookstrack.KindEnrichment, v2: true,
			body: `{"success":true,"data":{"jobId":"` + id + `","streamUrl":"https://stream.example/x","token":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindEnrichment, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/api/v2/enrichments/" + id + "/stream"}, // v2 has no status route and the server gave no statusUrl,
		},
		{
			name: "bare response without the data envelope",
			kind: bookstrack.KindImport,
			body: `{"jobId":"` + id + `","status":"queued","streamUrl":"/v3/jobs/imports/` + id + `/stream","token":"` + testToken + `"}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindImport, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/v3/jobs/imports/" + id + "/stream", StatusURL: "/v3/jobs/imports/" + id},
		},
		{
			name: "id instead of jobId, status other than queued kept",
			kind: bookstrack.KindImport,
			body: `{"data":{"id":"` + strings.ToUpper(id) + `","status":"processing","token":"` + testToken + `"}}`,
			want: bookstrack.Job{ID: strings.ToUpper(id), Kind: bookstrack.KindImport, Token: testToken, Status: bookstrack.StatusProcessing,
				StreamURL: "/v3/jobs/imports/" + strings.ToUpper(id) + "/stream", StatusURL: "/v3/jobs/imports/" + strings.ToUpper(id)},
		},
		{
			name: "unknown fields ignored",
			kind: bookstrack.KindEnrichment,
			body: `{"success":true,"data":{"jobId":"` + id + `","token":"` + testToken + `","expiresIn":7200,"extra":{"a":[1,2]}}}`,
			want: bookstrack.Job{ID: id, Kind: bookstrack.KindEnrichment, Token: testToken, Status: bookstrack.StatusQueued,
				StreamURL: "/v3/jobs/enrichment/" + id + "/stream", StatusURL: "/v3/jobs/enrichment/" + id},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusAccepted, func(*http.Request) string { return tt.body })
			var opts []bookstrack.Option
			if tt.v2 {
				opts = append(opts, bookstrack.WithRoutes(bookstrack.V2))
			}
			c := newClient(t, rec.srv.URL, append(opts, bookstrack.WithHTTPClient(rec.srv.Client()))...)
			job, err := c.StartJob(context.Background(), tt.kind, "application/json", []byte(`{"isbns":["9780141439518"],"async":true}`))
			require.NoError(t, err)
			want := tt.want
			for _, u := range []*string{&want.StreamURL, &want.StatusURL} {
				if strings.HasPrefix(*u, "/") {
					*u = rec.srv.URL + *u
				}
			}
			assert.Equal(t, want, job)

			reqs := rec.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, http.MethodPost, reqs[0].Method)
			assert.Equal(t, "application/json", reqs[0].ContentType)
			assert.Equal(t, "application/json", reqs[0].Accept)
			assert.Equal(t, `{"isbns":["9780141439518"],"async":true}`, reqs[0].Body)
		})
	}
}

func TestStartJobRefusesBadResponses(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		field string
		what  string // the DecodeError's What, "start response" when empty
	}{
		{name: "non-UUID jobId", body: `{"success":true,"data":{"jobId":"job-42","token":"` + testToken + `"}}`, field: "jobId"},
		{name: "jobId with a path in it", body: `{"success":true,"data":{"jobId":"../../admin","token":"` + testToken + `"}}`, field: "jobId"},
		{name: "no jobId", body: `{"success":true,"data":{"status":"queued","token":"` + testToken + `"}}`, field: "jobId"},
		{name: "jobId of an odd type", body: `{"success":true,"data":{"jobId":42,"token":"` + testToken + `"}}`, field: "jobId"},
		{name: "malformed JSON", body: `{"success":true,"data":{"jobId":`, field: "", what: "response envelope"},
		{name: "empty body", body: ``, field: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, http.StatusAccepted, func(*http.Request) string { return tt.body })
			c := newClient(t, rec.srv.URL, bookstrack.WithHTTPClient(rec.srv.Client()))
			job, err := c.StartJob(context.Background(), bookstrack.KindImport, "text/csv", []byte("a,b\n"))
			var de *bookstrack.DecodeError
			require.True(t, errors.As(err, &de), "want a *DecodeError, got %T %v", err, err)
			assert.Equal(t, tt.field, de.Field)
			want := tt.what
			if want == "" {
				want = "start response"
			}
			assert.Equal(t, want, de.What)
			assert.Equal(t, bookstrack.Job{}, job)
		})
	}
}

func TestStartJobErrorResponse(t *testing.T) {
	rec := newRecorder(t, http.StatusUnprocessableEntity, func(*http.Request) string {
		return `{"status":422,"code":"INVALID_REQUEST","detail":"isbns must hold 1 to 500 entries"}`
	})
	c := newClient(t, rec.srv.URL, bookstrack.WithHTTPClient(rec.srv.Client()))
	_, err := c.StartJob(context.Background(), bookstrack.KindEnrichment, "application/json", []byte(`{}`))
	assert.True(t, errors.Is(err, bookstrack.ErrInvalidRequest), "%v", err)
	var ae *bookstrack.APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, http.MethodPost, ae.Method)
	assert.Equal(t, rec.srv.URL+"/v3/books/enrich", ae.URL)
}

func TestRoutes(t *testing.T) {
	const id = testJobID
	type call struct {
		name   string
		do     func(c *api.Client, kind bookstrack.Kind) error
		method string
	}
	calls := []call{
		{name: "start", method: http.MethodPost, do: func(c *api.Client, k bookstrack.Kind) error {
			_, err := c.StartJob(context.Background(), k, "application/json", []byte(`{}`))
			return err
		}},
		{name: "status", method: http.MethodGet, do: func(c *api.Client, k bookstrack.Kind) error {
			_, err := c.Status(context.Background(), k, id)
			return err
		}},
		{name: "results", method: http.MethodGet, do: func(c *api.Client, k bookstrack.Kind) error {
			_, err := c.Results(context.Background(), k, id)
			return err
		}},
		{name: "cancel", method: http.MethodDelete, do: func(c *api.Client, k bookstrack.Kind) error {
			return c.Cancel(context.Background(), k, id)
		}},
	}
	// want[routes][kind][call] is the path the server must see.
	want := map[bookstrack.Routes]map[bookstrack.Kind]map[string]string{
		bookstrack.V3: {
			bookstrack.KindImport:     {"start": "/v3/jobs/imports", "status": "/v3/jobs/imports/" + id, "results": "/v3/jobs/imports/" + id + "/results", "cancel": "/v3/jobs/imports/" + id, "stream": "/v3/jobs/imports/" + id + "/stream"},
			bookstrack.KindScan:       {"start": "/v3/jobs/scans", "status": "/v3/jobs/scans/" + id, "results": "/v3/jobs/scans/" + id + "/results", "cancel": "/v3/jobs/scans/" + id, "stream": "/v3/jobs/scans/" + id + "/stream"},
			bookstrack.KindEnrichment: {"start": "/v3/books/enrich", "status": "/v3/jobs/enrichment/" + id, "results": "/v3/jobs/enrichment/" + id + "/results", "cancel": "/v3/jobs/enrichment/" + id, "stream": "/v3/jobs/enrichment/" + id + "/stream"},
		},
		bookstrack.V2: {
			bookstrack.KindImport:     {"start": "/api/v2/imports", "status": "", "results": "/api/v2/imports/" + id + "/results", "cancel": "", "stream": "/api/v2/imports/" + id + "/stream"},
			bookstrack.KindScan:       {"start": "/v3/jobs/scans", "status": "", "results": "/api/v2/scans/" + id + "/results", "cancel": "", "stream": "/api/v2/scans/" + id + "/stream"},
			bookstrack.KindEnrichment: {"start": "/v3/books/enrich", "status": "", "results": "/api/v2/enrichments/" + id + "/results", "cancel": "", "stream": "/api/v2/enrichments/" + id + "/stream"},
		},
	}
	body := func(*http.Request) string {
		return `{"success":true,"data":{"jobId":"` + id + `","token":"` + testToken + `"}}`
	}
	for _, prefix := range []string{"", "/prefix", "/a/b"} {
		for routes, kinds := range want {
			name := map[bookstrack.Routes]string{bookstrack.V3: "v3", bookstrack.V2: "v2"}[routes]
			for kind, paths := range kinds {
				for _, cl := range calls {
					t.Run(fmt.Sprintf("%s %s %s base path %q", name, kind, cl.name, prefix), func(t *testing.T) {
						rec := newRecorder(t, http.StatusOK, body)
						c := newClient(t, rec.srv.URL+prefix+"/", bookstrack.WithRoutes(routes), bookstrack.WithHTTPClient(rec.srv.Client()))
						if paths[cl.name] == "" {
							require.ErrorIs(t, cl.do(c, kind), bookstrack.ErrNoRoute)
							assert.Empty(t, rec.requests(), "a call without a route sent a request")
							return
						}
						require.NoError(t, cl.do(c, kind))
						reqs := rec.requests()
						require.Len(t, reqs, 1)
						assert.Equal(t, cl.method, reqs[0].Method)
						assert.Equal(t, prefix+paths[cl.name], reqs[0].Path)
						assert.Empty(t, reqs[0].RawQuery)
					})
				}
				t.Run(fmt.Sprintf("%s %s stream and status URLs base path %q", name, kind, prefix), func(t *testing.T) {
					c := newClient(t, "https://api.example"+prefix, bookstrack.WithRoutes(routes))
					assert.Equal(t, "https://api.example"+prefix+paths["stream"], c.StreamURL(kind, id))
					wantStatus := ""
					if paths["status"] != "" {
						wantStatus = "https://api.example" + prefix + paths["status"]
					}
					assert.Equal(t, wantStatus, c.StatusURL(kind, id))
					assert.Equal(t, routes == bookstrack.V2, c.V2())
				})
			}
		}
	}
}

func TestNewRefusesBadBaseURL(t *testing.T) {
	for _, base := range []string{
		"api.oooefam.net",
		"/v3",
		"ftp://api.oooefam.net",
		"http://",
		"https:///v3",
		"://bad",
		"http://[::1",
		"mailto:someone@example.com",
	} {
		t.Run(fmt.Sprintf("base URL %q", base), func(t *testing.T) {
			cfg := settings.MustNew([]bookstrack.Option{bookstrack.WithBaseURL(base)})
			c, err := api.New(&cfg)
			assert.Nil(t, c)
			var ie *bookstrack.InputError
			require.True(t, errors.As(err, &ie), "want an *InputError, got %T %v", err, err)
			assert.Equal(t, "base URL", ie.Field)
			assert.True(t, errors.As(err, new(*bookstrack.InputError)))
		})
	}
	for _, base := range []string{"" /* the zero value: DefaultBaseURL */, "http://localhost:8080", "https://api.oooefam.net/", "https://api.oooefam.net/prefix/"} {
		t.Run(fmt.Sprintf("base URL %q accepted", base), func(t *testing.T) {
			cfg := settings.MustNew([]bookstrack.Option{bookstrack.WithBaseURL(base)})
			_, err := api.New(&cfg)
			assert.NoError(t, err)
		})
	}
}

func TestCheckID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{testJobID, true},
		{strings.ToUpper(testJobID), true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"", false},
		{"42", false},
		{"3f2b8c1e9a4d4e6f8b2a1c0d9e8f7a6b", false},
		{"{" + testJobID + "}", false},
		{testJobID + "\n", false},
		{" " + testJobID, false},
		{testJobID + "/results", false},
		{"../" + testJobID, false},
		{"3f2b8c1e-9a4d-4e6f-8b2a-1c0d9e8f7a6g", false},
		{"3f2b8c1e-9a4d-4e6f-8b2a-1c0d9e8f7a6", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q ok=%v", tt.id, tt.ok), func(t *testing.T) {
			err := api.CheckID(tt.id)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			var ie *bookstrack.InputError
			require.True(t, errors.As(err, &ie), "%T %v", err, err)
			assert.Equal(t, "job ID", ie.Field)
			assert.True(t, errors.As(err, new(*bookstrack.InputError)))
		})
	}
}
