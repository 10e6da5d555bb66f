package sse_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestReadDecodesAReaderOnce(t *testing.T) {
	in := "id: 1\ndata: a\n\n: comment\nretry: 5\n\nevent: x\ndata: b\n\ndata: cut"
	var got []sse.Event
	for ev, err := range sse.Read(iotest.OneByteReader(strings.NewReader(in)), sse.WithLastEventID("0")) {
		require.NoError(t, err)
		got = append(got, ev)
	}
	assert.Equal(t, []sse.Event{{ID: "1", Type: "message", Data: "a"}, {ID: "1", Type: "x", Data: "b"}}, got,
		"the incomplete block at the end is discarded")
}

func TestReadYieldsTooLargeAndGoesOn(t *testing.T) {
	in := "data: " + strings.Repeat("x", 100) + "\n\ndata: ok\n\n"
	var errs []error
	var got []string
	for ev, err := range sse.Read(strings.NewReader(in), sse.WithMaxEventSize(32)) {
		if err != nil {
			assert.Zero(t, ev, "never an event together with an error")
			errs = append(errs, err)
			continue
		}
		got = append(got, ev.Data)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], sse.ErrEventTooLarge)
	assert.Equal(t, []string{"ok"}, got)
}

func TestReadYieldsAReadErrorLast(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("data: a\n\n"), iotest.ErrReader(boom))
	var got []error
	n := 0
	for _, err := range sse.Read(r) {
		if err != nil {
			got = append(got, err)
		} else {
			n++
		}
	}
	assert.Equal(t, 1, n)
	require.Len(t, got, 1)
	assert.ErrorIs(t, got[0], boom)
}

func TestEventsStopsAtTheFirstCleanEndWithStopAtEnd(t *testing.T) {
	srv := newServer(t, script(ssetest.Raw("data: a\n\ndata: b\n\n")), script(ssetest.Raw("data: again\n\n")))
	var got []string
	for ev, err := range sse.Events(testContext(t), srv.URL, sse.WithStopAtEnd()) {
		require.NoError(t, err)
		got = append(got, ev.Data)
	}
	assert.Equal(t, []string{"a", "b"}, got)
	assert.Len(t, srv.Requests(), 1)
}
