package ssetest_test

import (
	"bufio"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

func TestStepBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		step ssetest.Step
		want string
	}{
		{"Raw", ssetest.Raw("data: a", "\n\n", ""), "data: a\n\n"},
		{"Raw nothing", ssetest.Raw(), ""},
		{"Split", ssetest.Split("data: abc\n\n", 4), "data: abc\n\n"},
		{"Emit", ssetest.Emit(
			sse.Event{Data: "plain"},
			sse.Event{ID: "7", Type: "book", Data: "line 1\nline 2"},
		), "data: plain\n\nid: 7\nevent: book\ndata: line 1\ndata: line 2\n\n"},
		{"Comment empty", ssetest.Comment(""), ":\n"},
		{"Comment", ssetest.Comment("keep-alive"), ": keep-alive\n"},
		{"Comment lines", ssetest.Comment("a\r\nb\rc\n"), ": a\n: b\n: c\n:\n"},
		{"Retry", ssetest.Retry(1500 * time.Millisecond), "retry: 1500\n\n"},
		{"Retry rounds down", ssetest.Retry(2*time.Second + 999*time.Microsecond), "retry: 2000\n\n"},
		{"Retry zero", ssetest.Retry(0), "retry: 0\n\n"},
		{"Pause", ssetest.Pause(time.Millisecond), ""},
		{"Wait closed", ssetest.Wait(closedChan()), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, ssetest.Script{Steps: []ssetest.Step{tc.step}})
			body, err := readBody(t, get(t, newClient(t), s.URL))
			require.NoError(t, err)
			assert.Equal(t, tc.want, body)
			s.Close()
			assert.Empty(t, s.Errors())
		})
	}
}

func closedChan() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

func TestStepsFlushEachPiece(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []ssetest.Step
		want  []string
	}{
		{"Raw", []ssetest.Step{ssetest.Raw("ab", "cd", "e")}, []string{"ab", "cd", "e"}},
		{"Split", []ssetest.Step{ssetest.Split("abcdefg", 3)}, []string{"abc", "def", "g"}},
		{"Split exact", []ssetest.Step{ssetest.Split("abcdef", 3)}, []string{"abc", "def"}},
		{"Split larger than string", []ssetest.Step{ssetest.Split("ab", 10)}, []string{"ab"}},
		{"Emit", []ssetest.Step{ssetest.Emit(sse.Event{Data: "1"}, sse.Event{Data: "2"})}, []string{"data: 1\n\n", "data: 2\n\n"}},
		{"Comment lines", []ssetest.Step{ssetest.Comment("a\nb")}, []string{": a\n: b\n"}},
		{"Retry", []ssetest.Step{ssetest.Retry(time.Second)}, []string{"retry: 1000\n\n"}},
		{"several steps", []ssetest.Step{ssetest.Retry(time.Second), ssetest.Comment("hi"), ssetest.Raw("x")}, []string{"retry: 1000\n\n", ": hi\n", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Plaintext HTTP/1.1 on every transport: the chunks of the
			// chunked body show each flush.
			s := ssetest.NewServer(t, ssetest.Script{Steps: tc.steps})
			res := rawGet(t, addr(s.URL), "/")
			assert.Equal(t, tc.want, res.Chunks)
		})
	}
}

func TestEmitRoundTripsThroughDecoder(t *testing.T) {
	events := []sse.Event{
		{ID: "1", Type: "progress", Data: `{"done":1}`},
		{ID: "2", Type: "message", Data: "two\nlines"},
		{ID: "2", Type: "message", Data: ""},
	}
	s := newServer(t, ssetest.Script{Steps: []ssetest.Step{ssetest.Emit(events...)}})
	resp := get(t, newClient(t), s.URL)

	var got []sse.Event
	dec := sse.NewDecoder(resp.Body)
	for {
		e, err := dec.Decode()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, events, got)
}

func TestEmitStopsAtInvalidEvent(t *testing.T) {
	s := newServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Emit(sse.Event{Data: "ok"}, sse.Event{ID: "a\nb", Data: "bad"}, sse.Event{Data: "never"}),
	}})
	body, err := readBody(t, get(t, newClient(t), s.URL))
	require.NoError(t, err)
	assert.Equal(t, "data: ok\n\n", body)

	s.Close()
	errs := s.Errors()
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], sse.ErrInvalidEvent)
}

func TestWaitHoldsScriptUntilClosed(t *testing.T) {
	gate := make(chan struct{})
	s := newServer(t, ssetest.Script{Steps: []ssetest.Step{
		ssetest.Raw("data: one\n\n"),
		ssetest.Wait(gate),
		ssetest.Raw("data: two\n\n"),
	}})
	resp := get(t, newClient(t), s.URL)
	br := bufio.NewReader(resp.Body)

	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "data: one\n", line)
	line, err = br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "\n", line)

	close(gate)
	rest, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Equal(t, "data: two\n\n", string(rest))
}

func TestDropBreaksResponse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []ssetest.Step
		want  string
	}{
		{"after data", []ssetest.Step{ssetest.Raw("data: a\n\n"), ssetest.Drop(), ssetest.Raw("never")}, "data: a\n\n"},
		{"before any data", []ssetest.Step{ssetest.Drop()}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// HTTP/1.1 on every transport: Drop over HTTP/2 is
			// TestDropOverHTTP2ResetsStream.
			s := ssetest.NewServer(t, ssetest.Script{Steps: tc.steps})
			resp := get(t, newClient(t), s.URL)
			assert.Equal(t, http.StatusOK, resp.StatusCode)

			body, err := readBody(t, resp)
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			assert.Equal(t, tc.want, body)

			s.Close()
			assert.Empty(t, s.Errors(), "Drop is not an error")
		})
	}
}

func TestDropOverHTTP2ResetsStream(t *testing.T) {
	s := ssetest.NewUnstartedServer(t, ssetest.Script{Steps: []ssetest.Step{ssetest.Raw("data: a\n\n"), ssetest.Drop()}})
	s.EnableHTTP2 = true
	s.StartTLS()

	resp := get(t, s.Client(), s.URL)
	require.Equal(t, 2, resp.ProtoMajor)
	body, err := readBody(t, resp)
	assert.Error(t, err, "the stream is reset")
	assert.Equal(t, "data: a\n\n", body)
}

func TestStepConstructorsRejectInvalidArguments(t *testing.T) {
	assert.PanicsWithValue(t, "ssetest: Split size 0 is less than 1", func() { ssetest.Split("abc", 0) })
	assert.PanicsWithValue(t, "ssetest: negative Retry -1s", func() { ssetest.Retry(-time.Second) })
}
