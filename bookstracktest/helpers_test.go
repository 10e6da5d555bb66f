package bookstracktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// t0 is the fake clock's start: 2026-01-02T03:04:05Z.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const step = bookstracktest.DefaultStepInterval

// env is a Server on a fake clock.
type env struct {
	t     *testing.T
	clock *ssetest.Clock
	srv   *bookstracktest.Server
	ctx   context.Context // bounds every request, so that a bug fails instead of hanging
}

func setup(t *testing.T, opts ...bookstracktest.Option) *env {
	t.Helper()
	clock := ssetest.NewClock(t0)
	srv := bookstracktest.NewServer(t, append([]bookstracktest.Option{bookstracktest.WithClock(clock)}, opts...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return &env{t: t, clock: clock, srv: srv, ctx: ctx}
}

// do sends a request and returns the response with its body read.
func (e *env) do(method, path string, body io.Reader, header http.Header) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return resp, b
}

// get sends a GET and checks its status.
func (e *env) get(path string, want int) map[string]any {
	e.t.Helper()
	resp, body := e.do(http.MethodGet, path, nil, nil)
	if resp.StatusCode != want {
		e.t.Fatalf("GET %s: status %d, want %d; body %s", path, resp.StatusCode, want, body)
	}
	return object(e.t, body)
}

// started is the data of a start response.
type started struct {
	JobID     string `json:"jobId"`
	Status    string `json:"status"`
	StreamURL string `json:"streamUrl"`
	Token     string `json:"token"`
	AuthToken string `json:"authToken"`
	SSEURL    string `json:"sseUrl"`
	StatusURL string `json:"statusUrl"`
}

func (e *env) startEnrichment(isbns ...string) started {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"isbns": isbns, "async": true})
	return e.start(http.MethodPost, "/v3/books/enrich", bytes.NewReader(body), http.Header{"Content-Type": {"application/json"}})
}

func (e *env) startImport(path, csv string) started {
	e.t.Helper()
	body, ct := multipartBody(e.t, "file", []byte(csv))
	return e.start(http.MethodPost, path, body, http.Header{"Content-Type": {ct}})
}

func (e *env) startScan(photos ...[]byte) started {
	e.t.Helper()
	body, ct := multipartBody(e.t, "photos[]", photos...)
	return e.start(http.MethodPost, "/v3/jobs/scans", body, http.Header{"Content-Type": {ct}})
}

func (e *env) start(method, path string, body io.Reader, header http.Header) started {
	e.t.Helper()
	resp, b := e.do(method, path, body, header)
	if resp.StatusCode != http.StatusAccepted {
		e.t.Fatalf("%s %s: status %d, want 202; body %s", method, path, resp.StatusCode, b)
	}
	var env struct {
		Success bool    `json:"success"`
		Data    started `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil || !env.Success {
		e.t.Fatalf("start response %s: %v", b, err)
	}
	return env.Data
}

// multipartBody encodes files as parts named field.
func multipartBody(t *testing.T, field string, files ...[]byte) (io.Reader, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i, f := range files {
		part, err := w.CreateFormFile(field, "file"+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(f)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, w.FormDataContentType()
}

// conn is an open stream.
type conn struct {
	t    *testing.T
	resp *http.Response
	dec  *sse.Decoder
}

// open connects to a stream path with the token and, when not empty,
// Last-Event-ID, and checks for 200.
func (e *env) open(path, token, lastID string) *conn {
	e.t.Helper()
	resp := e.dial(path, token, lastID)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e.t.Fatalf("GET %s: status %d; body %s", path, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		e.t.Fatalf("Content-Type %q", ct)
	}
	c := &conn{t: e.t, resp: resp, dec: sse.NewDecoder(resp.Body)}
	e.t.Cleanup(func() { resp.Body.Close() })
	return c
}

func (e *env) dial(path, token, lastID string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// openJob opens the stream of a started job and reads its preamble.
func (e *env) openJob(s started) *conn {
	e.t.Helper()
	c := e.open(strings.TrimPrefix(s.StreamURL, e.srv.URL), s.Token, "")
	c.preamble("connection established")
	return c
}

// wait waits until n streams of the job are open.
func (e *env) wait(jobID string, n int) {
	e.t.Helper()
	if err := e.srv.WaitStreams(e.ctx, jobID, n); err != nil {
		e.t.Fatalf("WaitStreams(%d): %v", n, err)
	}
}

// preamble reads the opening comment and retry field.
func (c *conn) preamble(comment string) {
	c.t.Helper()
	f := c.frame()
	if f.Kind != sse.FrameComment || f.Comment != comment {
		c.t.Fatalf("first frame %+v, want comment %q", f, comment)
	}
	f = c.frame()
	if f.Kind != sse.FrameRetry || f.Retry != 5*time.Second {
		c.t.Fatalf("second frame %+v, want retry 5s", f)
	}
}

func (c *conn) frame() sse.Frame {
	c.t.Helper()
	f, err := c.dec.Next()
	if err != nil {
		c.t.Fatalf("reading the stream: %v", err)
	}
	return f
}

// event reads the next event and checks its type.
func (c *conn) event(typ string) (sse.Event, map[string]any) {
	c.t.Helper()
	ev, err := c.dec.Decode()
	if err != nil {
		c.t.Fatalf("reading a %s event: %v", typ, err)
	}
	if ev.Type != typ {
		c.t.Fatalf("event %+v, want type %s", ev, typ)
	}
	return ev, object(c.t, []byte(ev.Data))
}

// end checks that the stream ends cleanly.
func (c *conn) end() {
	c.t.Helper()
	if f, err := c.dec.Next(); err != io.EOF {
		c.t.Fatalf("got %+v, %v; want the end of the stream", f, err)
	}
}

func object(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %s: %v", b, err)
	}
	return m
}

// idAt is the event id a job gives at d after t0.
func idAt(d time.Duration, suffix string) string {
	return itoa(t0.Add(d).UnixMilli()) + "-" + suffix
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// isbns returns the ISBN-13s of the first n catalogue books.
func isbns(n int) []string {
	out := make([]string, n)
	for i, b := range bookstracktest.Catalogue()[:n] {
		out[i] = b.ISBN13
	}
	return out
}

// field walks a decoded JSON value along keys.
func field(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}
