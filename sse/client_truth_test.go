package sse_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// Errors that tell the truth, and the headers the Client owns.

func TestRestartDuringErrorBodyIsNotReturned(t *testing.T) {
	reading := make(chan struct{})
	signal := func(s *ssetest.Stream) error { close(reading); return nil }
	_, c, rec := setup(t, []ssetest.Script{
		{Status: 403, Steps: []ssetest.Step{ssetest.Raw("forbidden"), signal, ssetest.Hang()}},
		noContent,
	})
	done := connect(t, c)
	<-reading
	// The Client may still be waiting for headers or reading the body;
	// either way a Restart must lead to a new attempt, not to ErrRestart.
	c.Restart()
	require.NoError(t, receive(t, done), "the restart reconnects, and the 204 ends the stream")
	rs := rec.Reconnects()
	require.Len(t, rs, 1)
	assert.Equal(t, sse.ErrRestart, rs[0].Cause)
}

func TestStatusErrorExcerptIsNotCutMidRune(t *testing.T) {
	body := strings.Repeat("a", 199) + "é" + strings.Repeat("b", 50)
	se := &sse.StatusError{StatusCode: 500, Status: "500 Internal Server Error", Body: []byte(body)}
	msg := se.Error()
	assert.True(t, utf8.ValidString(msg), "%q", msg)
	assert.NotContains(t, msg, `\xc3`)
	assert.Contains(t, msg, strings.Repeat("a", 199)+"...")
}

func gzipped(t *testing.T, s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.String()
}

func TestUndecodedGzipBodyIsDecoded(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{
		{Header: http.Header{"Content-Encoding": {"gzip"}}, Steps: []ssetest.Step{ssetest.Raw(gzipped(t, "id: 1\ndata: zipped\n\n"))}},
		noContent,
	}, sse.WithHeader("Accept-Encoding", "gzip"), sse.WithStopAtEnd())
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []sse.Event{{ID: "1", Type: "message", Data: "zipped"}}, rec.Events())
	assert.Empty(t, rec.Errors())
}

func TestUnknownContentEncodingIsATypedError(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{
		{Header: http.Header{"Content-Encoding": {"br"}}, Steps: []ssetest.Step{ssetest.Raw("\x0b\x02\x80data")}},
	}, sse.WithHeader("Accept-Encoding", "br"))
	err := receive(t, connect(t, c))
	var ce *sse.ContentEncodingError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "br", ce.Encoding)
	assert.Len(t, srv.Requests(), 1, "not retried")
}

func TestLastEventIDHeaderIsOwnedByTheClient(t *testing.T) {
	srv, c, _ := setup(t, []ssetest.Script{
		script(ssetest.Raw("data: no id\n\n")),
		noContent,
	}, sse.WithHeader("Last-Event-ID", "forged"), sse.WithHeader("Referer", "http://x/?token=t"))
	require.NoError(t, receive(t, connect(t, c)))
	for _, r := range srv.Requests() {
		_, sent := r.LastEventID()
		assert.False(t, sent, "a Last-Event-ID from WithHeader is never sent")
		assert.Empty(t, r.Header.Values("Referer"))
	}
}

func TestCloseWithCauseIsReturnedByConnect(t *testing.T) {
	found := errors.New("found what I was waiting for")
	srv := newServer(t, script(ssetest.Raw("data: a\n\nevent: done\ndata: b\n\n"), ssetest.Hang()))
	var c *sse.Client[sse.TypeRouter]
	var got []string
	c, err := sse.NewClient(srv.URL, sse.TypeRouter{
		Routes: map[string]func(sse.Event){
			"done": func(e sse.Event) { got = append(got, "done:"+e.Data); c.CloseWithCause(found) },
		},
		Fallback: func(e sse.Event) { got = append(got, "other:"+e.Data) },
	})
	require.NoError(t, err)
	err = c.Connect(testContext(t))
	assert.ErrorIs(t, err, found)
	assert.Equal(t, []string{"other:a", "done:b"}, got)
	assert.ErrorIs(t, c.Connect(testContext(t)), found, "a closed Client stays closed with its cause")
}

func TestTypeRouterRoutesByTypeWithFallback(t *testing.T) {
	var got []string
	r := sse.TypeRouter{
		Routes: map[string]func(sse.Event){
			"message": func(e sse.Event) { got = append(got, "m:"+e.Data) },
			"x":       func(e sse.Event) { got = append(got, "x:"+e.Data) },
			"ignored": nil,
		},
		Fallback: func(e sse.Event) { got = append(got, "f:"+e.Type) },
	}
	for _, e := range []sse.Event{{Type: "message", Data: "1"}, {Type: "x", Data: "2"}, {Type: "y"}, {Type: "ignored"}} {
		r.HandleEvent(e)
	}
	r.HandleError(errors.New("no Error func: ignored"))
	assert.Equal(t, []string{"m:1", "x:2", "f:y"}, got)
}
