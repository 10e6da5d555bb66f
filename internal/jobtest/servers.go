package jobtest

import (
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// JobID and Token are the job ID and stream token the job packages' unit
// tests use: a well-formed UUID and a well-formed 64-hex-digit token.
const (
	JobID = "3f2b8c1e-9a4d-4e6f-8b2a-1c0d9e8f7a6b"
	Token = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// Route is a test server of one GET route: it counts the requests it gets.
type Route struct {
	*httptest.Server
	requests atomic.Int64
}

// NewRoute starts a Route that answers GET path with status and body, and
// any other method or path with 418 and a WRONG_ROUTE problem naming it,
// both as JSON. It closes with the test.
func NewRoute(tb testing.TB, path string, status int, body string) *Route {
	tb.Helper()
	s := &Route{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodGet || r.URL.Path != path {
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.WriteString(w, `{"code":"WRONG_ROUTE","detail":"`+r.Method+" "+r.URL.Path+`"}`)
			return
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	tb.Cleanup(s.Close)
	return s
}

// Requests returns how many requests the server got, on any route.
func (s *Route) Requests() int64 { return s.requests.Load() }

// Part is one part of a request body an Upload received.
type Part struct {
	Name, Filename, ContentType string
	Data                        []byte
}

// Upload is a test server of a start route that records each request.
type Upload struct {
	*httptest.Server
	mu       sync.Mutex
	requests int
	paths    []string
	parts    [][]Part
}

// NewUpload starts an Upload. It records each request's method and path
// and the parts of its body: those of a multipart/form-data body, or else
// the whole body as one part with the request's Content-Type and no name
// (none for an empty body). It answers a multipart body it cannot read
// with 400 and anything else with 202 and response(its URL), as JSON. It
// closes with the test.
func NewUpload(tb testing.TB, response func(baseURL string) string) *Upload {
	tb.Helper()
	u := &Upload{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, perr := readParts(r)
		u.mu.Lock()
		u.requests++
		u.paths = append(u.paths, r.Method+" "+r.URL.Path)
		u.parts = append(u.parts, got)
		u.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if perr != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"code":"INVALID_REQUEST","detail":"bad multipart"}`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, response(u.URL))
	}))
	tb.Cleanup(u.Close)
	return u
}

// readParts returns the parts of r's body as NewUpload records them, with
// the parts read before a multipart error and that error.
func readParts(r *http.Request) ([]Part, error) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "multipart/form-data" {
		data, _ := io.ReadAll(r.Body)
		if len(data) == 0 {
			return nil, nil
		}
		return []Part{{ContentType: ct, Data: data}}, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, err
	}
	var got []Part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		data, _ := io.ReadAll(p)
		got = append(got, Part{Name: p.FormName(), Filename: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
	}
}

// Seen returns how many requests the server got, their methods and paths
// ("POST /v3/jobs/scans") and their parts, in order.
func (u *Upload) Seen() (n int, paths []string, parts [][]Part) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.requests, append([]string(nil), u.paths...), append([][]Part(nil), u.parts...)
}
