package ssetest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestServerWithoutScriptsSendsEmptyStream(t *testing.T) {
	s := newServer(t)
	resp := get(t, newClient(t), s.URL)

	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	body, err := readBody(t, resp)
	require.NoError(t, err)
	assert.Empty(t, body)
}

func TestServerScriptPerConnection(t *testing.T) {
	conn := func(s *ssetest.Stream) error { return s.Write([]byte(strconv.Itoa(s.Conn()))) }
	s := newServer(t,
		ssetest.Script{Steps: []ssetest.Step{ssetest.Raw("first:"), conn}},
		ssetest.Script{Steps: []ssetest.Step{ssetest.Raw("last:"), conn}},
	)
	c := newClient(t)

	var got []string
	for range 4 {
		body, err := readBody(t, get(t, c, s.URL))
		require.NoError(t, err)
		got = append(got, body)
	}
	assert.Equal(t, []string{"first:0", "last:1", "last:2", "last:3"}, got)
}

func TestServerRecordsRequests(t *testing.T) {
	s := newServer(t)
	c := newClient(t)

	req := mustRequest(t, context.Background(), http.MethodGet, s.URL+"/events?topic=books", "")
	req.Header.Set("Last-Event-ID", "42")
	req.Header.Set("Authorization", "Bearer token")
	do(t, c, req)
	do(t, c, mustRequest(t, context.Background(), http.MethodGet, s.URL+"/events", ""))
	req = mustRequest(t, context.Background(), http.MethodGet, s.URL+"/events", "")
	req.Header.Set("Last-Event-ID", "")
	do(t, c, req)
	do(t, c, mustRequest(t, context.Background(), http.MethodPost, s.URL+"/subscribe", `{"topics":["books"]}`))

	reqs := s.Requests()
	require.Len(t, reqs, 4)

	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/events", reqs[0].URL.Path)
	assert.Equal(t, "topic=books", reqs[0].URL.RawQuery)
	assert.Equal(t, "Bearer token", reqs[0].Header.Get("Authorization"))
	id, ok := reqs[0].LastEventID()
	assert.True(t, ok)
	assert.Equal(t, "42", id)
	assert.Empty(t, reqs[0].Body)

	id, ok = reqs[1].LastEventID()
	assert.False(t, ok, "no Last-Event-ID header")
	assert.Empty(t, id)

	id, ok = reqs[2].LastEventID()
	assert.True(t, ok, "an empty Last-Event-ID header is present")
	assert.Empty(t, id)

	assert.Equal(t, http.MethodPost, reqs[3].Method)
	assert.Equal(t, "/subscribe", reqs[3].URL.Path)
	assert.Equal(t, `{"topics":["books"]}`, string(reqs[3].Body))
}

func TestServerRequestsReturnsCopies(t *testing.T) {
	s := newServer(t)
	do(t, newClient(t), mustRequest(t, context.Background(), http.MethodPost, s.URL+"/a", "body"))

	first := s.Requests()
	first[0].Header.Set("X-Changed", "yes")
	first[0].URL.Path = "/changed"
	first[0].Body[0] = 'B'

	again := s.Requests()
	assert.Empty(t, again[0].Header.Get("X-Changed"))
	assert.Equal(t, "/a", again[0].URL.Path)
	assert.Equal(t, "body", string(again[0].Body))
}

func TestServerCapsRecordedBody(t *testing.T) {
	s := newServer(t)
	const limit = 1 << 20
	do(t, newClient(t), mustRequest(t, context.Background(), http.MethodPost, s.URL, strings.Repeat("x", limit+100)))

	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Len(t, reqs[0].Body, limit)
}

func TestServerWaitRequests(t *testing.T) {
	s := newServer(t)
	c := newClient(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, path := range []string{"/one", "/two"} {
			resp, err := c.Get(s.URL + path)
			if assert.NoError(t, err) {
				resp.Body.Close()
			}
		}
	}()

	reqs, err := s.WaitRequests(context.Background(), 2)
	require.NoError(t, err)
	require.Len(t, reqs, 2)
	assert.Equal(t, "/one", reqs[0].URL.Path)
	assert.Equal(t, "/two", reqs[1].URL.Path)
	<-done
}

func TestServerWaitRequestsReturnsContextError(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	reqs, err := s.WaitRequests(ctx, 1)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Nil(t, reqs)
}

func TestServerStatusAndHeaders(t *testing.T) {
	s := newServer(t, ssetest.Script{
		Status: http.StatusServiceUnavailable,
		Header: http.Header{
			"Content-Type":  {"application/json"},
			"retry-after":   {"3"}, // keys are canonicalised
			"Cache-Control": {},    // removes a default
			"Date":          nil,   // removes what net/http adds
			"X-Request-Id":  {"a", "b"},
		},
		Steps: []ssetest.Step{ssetest.Raw(`{"error":"overloaded"}`)},
	})
	resp := get(t, newClient(t), s.URL)

	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	assert.NotContains(t, resp.Header, "Cache-Control")
	assert.NotContains(t, resp.Header, "Date")
	assert.Equal(t, []string{"a", "b"}, resp.Header.Values("X-Request-Id"))
	body, err := readBody(t, resp)
	require.NoError(t, err)
	assert.Equal(t, `{"error":"overloaded"}`, body)
	assert.Empty(t, s.Errors())
}

func TestServerStatusWithoutBodyFailsWrites(t *testing.T) {
	stepErr := make(chan error, 1)
	write := ssetest.Raw("never")
	s := newServer(t, ssetest.Script{
		Status: http.StatusNoContent,
		Steps: []ssetest.Step{func(s *ssetest.Stream) error {
			err := write(s)
			stepErr <- err
			return err
		}},
	})
	resp := get(t, newClient(t), s.URL)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	body, err := readBody(t, resp)
	require.NoError(t, err)
	assert.Empty(t, body)

	assert.ErrorIs(t, <-stepErr, http.ErrBodyNotAllowed)
	s.Close() // waits for the handler, so its error is recorded
	errs := s.Errors()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], http.ErrBodyNotAllowed)
}

func TestServerRecordsStepError(t *testing.T) {
	errBoom := errors.New("boom")
	ran := false
	s := newServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Raw("data: a\n\n"),
		func(*ssetest.Stream) error { return errBoom },
		func(*ssetest.Stream) error { ran = true; return nil },
	}})
	resp := get(t, newClient(t), s.URL)

	body, err := readBody(t, resp)
	require.NoError(t, err, "a step error ends the response cleanly")
	assert.Equal(t, "data: a\n\n", body)

	s.Close()
	assert.False(t, ran, "steps after an error do not run")
	errs := s.Errors()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], errBoom)
	assert.Equal(t, 0, errs[0].Conn)
	assert.Equal(t, 1, errs[0].Step)
	assert.Equal(t, "ssetest: connection 0: step 1: boom", errs[0].Error())
}

func TestServerCloseReleasesBlockedSteps(t *testing.T) {
	for _, tc := range []struct {
		name string
		step ssetest.Step
	}{
		{"Hang", ssetest.Hang()},
		{"Wait", ssetest.Wait(make(chan struct{}))},
		{"Wait nil", ssetest.Wait(nil)},
		{"Pause", ssetest.Pause(time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			started := make(chan struct{})
			ran := false
			s := newServer(t, ssetest.Script{Steps: []ssetest.Step{
				func(*ssetest.Stream) error { close(started); return nil },
				tc.step,
				func(*ssetest.Stream) error { ran = true; return nil },
			}})
			resp := get(t, newClient(t), s.URL)
			<-started

			s.Close()
			_, _ = readBody(t, resp) // EOF or a broken connection: either is fine
			assert.False(t, ran, "steps after the release do not run")
			errs := s.Errors()
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], http.ErrServerClosed)
			assert.Equal(t, 1, errs[0].Step)
		})
	}
}

func TestServerStreamContextEndsWhenClientGoes(t *testing.T) {
	started := make(chan struct{})
	hung := make(chan error, 1)
	hang := ssetest.Hang()
	s := newServer(t, ssetest.Script{Steps: []ssetest.Step{
		func(s *ssetest.Stream) error {
			close(started)
			err := hang(s)
			hung <- err
			return err
		},
	}})
	ctx, cancel := context.WithCancel(context.Background())
	resp := do(t, newClient(t), mustRequest(t, ctx, http.MethodGet, s.URL, ""))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	<-started

	cancel()
	err := <-hung
	require.Error(t, err)
	assert.NotErrorIs(t, err, http.ErrServerClosed)
}

func TestServerCloseIsIdempotent(t *testing.T) {
	s := newServer(t, ssetest.Script{Steps: []ssetest.Step{ssetest.Hang()}})
	resp := get(t, newClient(t), s.URL)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Close()
		}()
	}
	wg.Wait()
	s.Close() // and once more from the cleanup
}

func TestServerCloseWithoutStart(t *testing.T) {
	s := ssetest.NewUnstartedServer(t)
	s.Close()
	s.Close()
}

func TestNewUnstartedServerStartsLater(t *testing.T) {
	s := ssetest.NewUnstartedServer(t, ssetest.Script{Steps: []ssetest.Step{ssetest.Raw("hello")}})
	s.Start()
	body, err := readBody(t, get(t, newClient(t), s.URL))
	require.NoError(t, err)
	assert.Equal(t, "hello", body)
}

func TestServerStreamRequest(t *testing.T) {
	s := newServer(t, ssetest.Script{Steps: []ssetest.Step{
		func(s *ssetest.Stream) error {
			return s.Write([]byte(s.Request().URL.Query().Get("echo")))
		},
	}})
	body, err := readBody(t, get(t, newClient(t), s.URL+"/?echo=hi"))
	require.NoError(t, err)
	assert.Equal(t, "hi", body)
}

// fatalTB records the first Fatalf and stops its goroutine, as testing.T
// does.
type fatalTB struct {
	testing.TB
	msg string
}

func (tb *fatalTB) Helper()        {}
func (tb *fatalTB) Cleanup(func()) {}
func (tb *fatalTB) Fatalf(format string, args ...any) {
	tb.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestNewServerRejectsInvalidScripts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script ssetest.Script
		want   string
	}{
		{"status 100", ssetest.Script{Status: 100}, "ssetest: script 1: invalid status 100: want 0 or 200 to 999"},
		{"status 1000", ssetest.Script{Status: 1000}, "ssetest: script 1: invalid status 1000: want 0 or 200 to 999"},
		{"nil step", ssetest.Script{Steps: []ssetest.Step{ssetest.Hang(), nil}}, "ssetest: script 1: step 1 is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fatalTB{}
			done := make(chan struct{})
			go func() {
				defer close(done)
				ssetest.NewServer(tb, ssetest.Script{}, tc.script)
				t.Error("NewServer returned")
			}()
			<-done
			assert.Equal(t, tc.want, tb.msg)
		})
	}
}
