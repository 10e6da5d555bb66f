package sse_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// Each response case of the Client's response policy.

func TestResponse200WithMediaTypeParametersOpens(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		{Header: http.Header{"Content-Type": {"Text/Event-Stream; charset=utf-8"}}, Steps: []ssetest.Step{ssetest.Raw("data: hi\n\n")}},
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []sse.Event{{Type: "message", Data: "hi"}}, rec.Events())
	assert.Len(t, srv.Requests(), 2)
}

func TestResponse204StopsForGood(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{noContent, script(ssetest.Raw("data: never\n\n"))})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Len(t, srv.Requests(), 1, "no reconnection after 204")
	assert.Empty(t, rec.Events())
	assert.Empty(t, rec.Errors())
}

func TestResponseRedirectFollowed(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		{Status: http.StatusTemporaryRedirect, Header: http.Header{"Location": {"/moved"}}},
		script(ssetest.Raw("data: moved\n\n")),
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, "moved", rec.Events()[0].Data)
	assert.Equal(t, "/moved", srv.Requests()[1].URL.Path)
}

func TestResponseRedirectWithoutUsableLocationStops(t *testing.T) {
	cases := []struct {
		name, location, reason string
	}{
		{"no Location", "", "no usable Location"},
		{"unsupported scheme", "ftp://example.com/stream", `scheme "ftp"`},
		{"unparsable", "http://[::1", "does not parse"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.location != "" {
				h.Set("Location", tc.location)
			}
			srv, c, rec := setup(t, []ssetest.Script{{Status: http.StatusFound, Header: h}})
			err := receive(t, connect(t, c))
			var re *sse.RedirectError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.StatusFound, re.StatusCode)
			assert.Equal(t, tc.location, re.Location)
			assert.Contains(t, re.Reason, tc.reason)
			assert.Len(t, srv.Requests(), 1, "not retried")
			assert.Empty(t, rec.Errors())
		})
	}
}

func TestResponseTooManyRedirectsStops(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{{Status: http.StatusFound, Header: http.Header{"Location": {"/again"}}}})
	err := receive(t, connect(t, c))
	var re *sse.RedirectError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, re.Reason, "10 redirects")
	assert.Len(t, srv.Requests(), 10, "as net/http: the tenth redirect response is not followed")
}

func TestResponseClientErrorsStopWithStatusError(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 410, 202, 206} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			srv, c, rec := setup(t, []ssetest.Script{{
				Status: code,
				Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}},
				Steps:  []ssetest.Step{ssetest.Raw(`{"error":"nope"}`)},
			}})
			err := receive(t, connect(t, c))
			var se *sse.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, code, se.StatusCode)
			assert.Equal(t, "req-1", se.Header.Get("X-Request-Id"))
			if code != 206 && code != 202 {
				assert.Equal(t, `{"error":"nope"}`, string(se.Body))
			}
			assert.False(t, se.Temporary())
			assert.Len(t, srv.Requests(), 1, "not retried")
			assert.Empty(t, rec.Errors())
		})
	}
}

func TestResponseErrorBodyIsBounded(t *testing.T) {
	_, c, _ := setup(t, []ssetest.Script{{Status: 404, Steps: []ssetest.Step{ssetest.Raw(strings.Repeat("x", 64<<10))}}})
	var se *sse.StatusError
	require.ErrorAs(t, receive(t, connect(t, c)), &se)
	assert.Len(t, se.Body, 4<<10)
	assert.Less(t, len(se.Error()), 400, "the message quotes only the start of the body")
}

func TestResponseRetriedStatuses(t *testing.T) {
	for _, code := range []int{408, 429, 500, 502, 503, 504} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			srv, c, rec := setup(t, []ssetest.Script{
				{Status: code},
				script(ssetest.Raw("data: back\n\n")),
				noContent,
			})
			require.NoError(t, receive(t, connect(t, c)))
			assert.Len(t, srv.Requests(), 3)
			assert.Equal(t, "back", rec.Events()[0].Data)
			require.Len(t, rec.Errors(), 1)
			var se *sse.StatusError
			require.ErrorAs(t, rec.Errors()[0], &se)
			assert.Equal(t, code, se.StatusCode)
			assert.True(t, se.Temporary())
		})
	}
}

func TestResponseWrongContentTypeStops(t *testing.T) {
	for _, ct := range []string{"text/html", "application/json", "text/event-streamx", "", "text/event-stream; =broken"} {
		t.Run(ct, func(t *testing.T) {
			h := http.Header{"Content-Type": {ct}}
			if ct == "" {
				h["Content-Type"] = nil
			}
			srv, c, _ := setup(t, []ssetest.Script{{Header: h, Steps: []ssetest.Step{ssetest.Raw("data: x\n\n")}}})
			var cte *sse.ContentTypeError
			require.ErrorAs(t, receive(t, connect(t, c)), &cte)
			assert.Equal(t, ct, cte.ContentType)
			assert.Len(t, srv.Requests(), 1)
		})
	}
}

func TestResponseNetworkErrorRetried(t *testing.T) {
	srv, c, rec := setup(t, nil, sse.WithGiveUp(3, 0))
	srv.Close() // nothing listens any more
	err := receive(t, connect(t, c))
	var gu *sse.GiveUpError
	require.ErrorAs(t, err, &gu)
	assert.Equal(t, 3, gu.Attempts)
	var ue *url.Error
	assert.ErrorAs(t, err, &ue, "the last failure is inside")
	assert.Len(t, rec.Errors(), 3, "each failed attempt reaches HandleError")
}

func TestResponseTruncatedBodyRetried(t *testing.T) {
	srv, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("id: 1\ndata: one\n\nid: 2\ndata: tw"), ssetest.Drop()),
		script(ssetest.Raw("id: 2\ndata: two\n\n")),
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []string{"one", "two"}, data(rec.Events()))
	require.Len(t, rec.Errors(), 1)
	if sse.TestOverHTTP2 {
		// Over HTTP/2 Drop resets the stream (RST_STREAM), which net/http
		// reports with an error type of its own, not exported.
		assert.ErrorContains(t, rec.Errors()[0], "stream error")
	} else {
		assert.ErrorIs(t, rec.Errors()[0], io.ErrUnexpectedEOF)
	}
	id, ok := srv.Requests()[1].LastEventID()
	assert.True(t, ok)
	assert.Equal(t, "1", id)
}

func TestResponseSecretsNeverInErrors(t *testing.T) {
	_, c, _ := setup(t, []ssetest.Script{{Status: 404}}, sse.WithQueryToken("token", "s3cret"))
	err := receive(t, connect(t, c))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")

	srv := newServer(t)
	srv.Close()
	rec := newRecorder()
	c2, err := sse.NewClient(srv.URL+"/x?token=s3cret", rec, sse.WithGiveUp(1, 0))
	require.NoError(t, err)
	err = receive(t, connect(t, c2))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret")
	assert.False(t, errors.Is(err, sse.ErrClosed))
}

func data(events []sse.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Data
	}
	return out
}
