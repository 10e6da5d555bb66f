package sse_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// What the Client sends.

func TestRequestDefaults(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{noContent})
	require.NoError(t, receive(t, connect(t, c)))
	r := srv.Requests()[0]
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
	assert.Equal(t, "no-cache", r.Header.Get("Cache-Control"))
	_, sent := r.LastEventID()
	assert.False(t, sent)
	assert.Empty(t, r.Header.Get("Authorization"))
}

func TestRequestInitialLastEventID(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{noContent}, sse.WithLastEventID("1700000000000-progress"))
	require.NoError(t, receive(t, connect(t, c)))
	id, _ := srv.Requests()[0].LastEventID()
	assert.Equal(t, "1700000000000-progress", id)
	assert.Equal(t, "1700000000000-progress", c.LastEventID())
}

func TestRequestHeadersAndBearer(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{noContent},
		sse.WithHeader("X-Client", "bookstrack-go"), sse.WithHeader("X-Client", "tests"),
		sse.WithHeader("Accept", "application/json"), // the Client's own wins
		sse.WithBearerToken("abc123"))
	require.NoError(t, receive(t, connect(t, c)))
	r := srv.Requests()[0]
	assert.Equal(t, []string{"bookstrack-go", "tests"}, r.Header.Values("X-Client"))
	assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
	assert.Equal(t, "Bearer abc123", r.Header.Get("Authorization"))
}

func TestRequestQueryToken(t *testing.T) {
	srv := newServer(t, noContent)
	c, err := sse.NewClient(srv.URL+"/stream?job=7", newRecorder(), sse.WithQueryToken("token", "a b&c"))
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	q := srv.Requests()[0].URL.Query()
	assert.Equal(t, "a b&c", q.Get("token"))
	assert.Equal(t, "7", q.Get("job"))
	assert.Empty(t, srv.Requests()[0].Header.Get("Authorization"))
}

func TestRequestMethodAndBodyResentOnReconnect(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{script(), {Status: 307, Header: http.Header{"Location": {"/other"}}}, noContent},
		sse.WithMethod("REPORT"), sse.WithBody([]byte(`{"since":1}`)), sse.WithHeader("Content-Type", "application/json"))
	require.NoError(t, receive(t, connect(t, c)))
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, "REPORT", r.Method)
		assert.Equal(t, `{"since":1}`, string(r.Body), "the body is sent in full every time, through a 307 too")
	}
}

func TestRequestOptionsAreCopied(t *testing.T) {
	body := []byte("original")
	srv := newServer(t, noContent)
	c, err := sse.NewClient(srv.URL, newRecorder(), sse.WithMethod("POST"), sse.WithBody(body))
	require.NoError(t, err)
	copy(body, "changed!")
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, "original", string(srv.Requests()[0].Body))
}

func TestRequestHookEditsEveryAttempt(t *testing.T) {
	var mu sync.Mutex
	var refreshes []bool
	n := 0
	hook := func(r *http.Request, refresh bool) error {
		mu.Lock()
		defer mu.Unlock()
		refreshes = append(refreshes, refresh)
		n++
		r.Header.Set("Authorization", "Bearer token-"+strings.Repeat("x", n))
		return nil
	}
	srv, c, _ := setup(t, []ssetest.Script{script(), {Status: 401}, noContent}, sse.WithRequestHook(hook))
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []bool{false, false, true}, refreshes, "a 401 gets one refresh and an immediate retry")
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "Bearer token-xxx", reqs[2].Header.Get("Authorization"))
}

func TestRequestHookRefreshOnlyOnce(t *testing.T) {
	calls := 0
	hook := func(r *http.Request, refresh bool) error { calls++; return nil }
	srv, c, rec := setup(t, []ssetest.Script{{Status: 401}}, sse.WithRequestHook(hook))
	var se *sse.StatusError
	require.ErrorAs(t, receive(t, connect(t, c)), &se)
	assert.Equal(t, 401, se.StatusCode)
	assert.Equal(t, 2, calls)
	assert.Len(t, srv.Requests(), 2)
	assert.Empty(t, rec.Errors())
}

func TestRequestHookErrorEndsConnect(t *testing.T) {
	errNoToken := errors.New("token service down")
	srv, c, _ := setup(t, nil, sse.WithRequestHook(func(*http.Request, bool) error { return errNoToken }))
	err := receive(t, connect(t, c))
	assert.ErrorIs(t, err, errNoToken)
	assert.Empty(t, srv.Requests())
}

func TestRequestInjectedHTTPClient(t *testing.T) {
	srv := newServer(t, noContent)
	rt := &countingTransport{rt: http.DefaultTransport}
	c, err := sse.NewClient(srv.URL, newRecorder(), sse.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, 1, rt.count())
}

type countingTransport struct {
	rt http.RoundTripper
	mu sync.Mutex
	n  int
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
	return t.rt.RoundTrip(r)
}

func (t *countingTransport) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

func TestRequestServerIDThatCannotBeAHeader(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{script(ssetest.Raw("id: a\x01b\ndata: x\n\n")), noContent})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, "a\x01b", rec.Events()[0].ID)
	_, sent := srv.Requests()[1].LastEventID()
	assert.False(t, sent)
	require.Len(t, rec.Errors(), 1)
	assert.ErrorIs(t, rec.Errors()[0], sse.ErrInvalidLastEventID)
}

func TestNewClientRejectsBadInput(t *testing.T) {
	h := newRecorder()
	for _, u := range []string{"", "/relative", "ftp://host/x", "http://", "http://[::1", "localhost:8080"} {
		_, err := sse.NewClient(u, h)
		assert.ErrorIs(t, err, sse.ErrInvalidURL, u)
	}
	_, err := sse.NewClient("http://localhost", h, sse.WithMethod("BAD METHOD"))
	assert.Error(t, err)
	_, err = sse.NewClient("http://localhost", h, sse.WithLastEventID("a\nb"))
	assert.ErrorIs(t, err, sse.ErrInvalidLastEventID)
	var nilHandler sse.Handler
	_, err = sse.NewClient("http://localhost", nilHandler)
	assert.Error(t, err)
}
