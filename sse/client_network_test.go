package sse_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The Client over a degraded network, with the ssetest.Conditioner on the
// client's dialer.

func TestNetworkCutMidEventResumes(t *testing.T) {
	two := strings.Repeat("2", 400)
	stream := "id: 1\ndata: one\n\nid: 2\ndata: " + two + "\n\nid: 3\ndata: three\n\n"
	// The server honours Last-Event-ID: it sends what follows it.
	resume := func(s *ssetest.Stream) error {
		switch id := s.Request().Header.Get("Last-Event-ID"); id {
		case "":
			return s.Write([]byte(stream))
		case "1":
			return s.Write([]byte(stream[len("id: 1\ndata: one\n\n"):]))
		default:
			t.Errorf("resumed from %q, want after the last complete event", id)
			return nil
		}
	}
	// A plaintext HTTP/1.1 server on every transport of the suite: the
	// cut below counts the bytes of its framing. Over HTTP/2 a stream cut
	// mid-event is TestResponseTruncatedBodyRetried (a reset stream) and
	// TestH2DroppedConnectionResumesEveryStream (a dropped
	// connection).
	srv := ssetest.NewServer(t, script(resume), script(resume), noContent)
	// The first connection is cut after 200 bytes: the status line and
	// headers (about 140 bytes) and the first event are through, the
	// second event (over 400 bytes) is not.
	cond := &ssetest.Conditioner{CutAfter: 200, Connections: 1}
	tr := cond.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithNoDelay(), sse.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, []string{"one", two, "three"}, data(rec.Events()), "each event exactly once")
	require.NotEmpty(t, rec.Errors(), "the cut is reported")
}

func TestNetworkSlowLinkDeliversEverything(t *testing.T) {
	var events []sse.Event
	for i := range 20 {
		events = append(events, sse.Event{ID: string(rune('a' + i)), Type: "tick", Data: "payload"})
	}
	srv := newServer(t, script(ssetest.Emit(events...)), noContent)
	cond := &ssetest.Conditioner{BytesPerSecond: 64 << 10}
	tr := cond.Transport()
	t.Cleanup(tr.CloseIdleConnections)
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithNoDelay(), sse.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, events, rec.Events())
}
