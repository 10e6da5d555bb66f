package sse_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// What the Client tells its Observer and its Handler's optional
// interfaces.

func TestObserverSeesTheLifeOfEachConnection(t *testing.T) {
	var mu sync.Mutex
	var log []string
	note := func(s string) {
		mu.Lock()
		log = append(log, s)
		mu.Unlock()
	}
	var firsts []sse.FirstEventInfo
	var closes []sse.CloseInfo
	obs := sse.Observer{
		Attempt:    func(i sse.AttemptInfo) { note("attempt " + i.LastEventID) },
		Open:       func(i sse.OpenInfo) { note("open " + i.Header.Get("X-Server")) },
		FirstEvent: func(i sse.FirstEventInfo) { note("first " + i.Event.Data); firsts = append(firsts, i) },
		Close:      func(i sse.CloseInfo) { note("close"); closes = append(closes, i) },
		Reconnect:  func(i sse.ReconnectInfo) { note("reconnect") },
	}
	srv := newServer(t,
		ssetest.Script{Header: map[string][]string{"X-Server": {"one"}}, Steps: []ssetest.Step{ssetest.Raw("id: 1\ndata: a\n\ndata: b\n\n")}},
		ssetest.Script{Status: 503},
		noContent,
	)
	c, err := sse.NewClient(srv.URL, newRecorder(), sse.WithObserver(obs), sse.WithNoDelay())
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, []string{
		"attempt ", "open one", "first a", "close", "reconnect",
		"attempt 1", "close", "reconnect",
		"attempt 1", "close",
	}, log)
	require.Len(t, closes, 3)
	assert.True(t, closes[0].Opened)
	assert.Equal(t, 2, closes[0].Events)
	assert.Equal(t, io.EOF, closes[0].Err)
	assert.False(t, closes[1].Opened)
	assert.Nil(t, closes[2].Err, "204 ends the stream without error")
	assert.GreaterOrEqual(t, firsts[0].Latency, firsts[0].SinceOpen)
}

func TestObserverTimesComeFromTheClock(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	gate := make(chan struct{})
	var opened sse.OpenInfo
	var first sse.FirstEventInfo
	var closed sse.CloseInfo
	srv := newServer(t, script(ssetest.Wait(gate), ssetest.Raw("data: x\n\n")), noContent)
	rec := newRecorder()
	c, err := sse.NewClient(srv.URL, rec, sse.WithClock(clk), sse.WithNoDelay(), sse.WithObserver(sse.Observer{
		Open:       func(i sse.OpenInfo) { opened = i },
		FirstEvent: func(i sse.FirstEventInfo) { first = i },
		Close: func(i sse.CloseInfo) {
			if i.Opened && closed.Attempt == 0 {
				closed = i
			}
		},
	}))
	require.NoError(t, err)
	done := connect(t, c)
	_, err = srv.WaitRequests(testContext(t), 1)
	require.NoError(t, err)
	clk.Advance(3 * time.Second)
	close(gate)
	receive(t, rec.eventCh)
	require.NoError(t, receive(t, done))
	assert.Equal(t, 1, opened.Attempt)
	assert.LessOrEqual(t, opened.Latency, 3*time.Second)
	assert.Equal(t, 3*time.Second, first.Latency)
	assert.Equal(t, 3*time.Second-opened.Latency, first.SinceOpen)
	assert.Equal(t, first.SinceOpen, closed.Duration)
}

func TestHandlerOptionalInterfaces(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{
		{Header: map[string][]string{"X-Request-Id": {"r1"}}, Steps: []ssetest.Step{ssetest.Raw(": hello\n:\n:  two spaces\ndata: x\n\n")}},
		noContent,
	})
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []string{"hello", "", " two spaces"}, rec.comments)
	require.Len(t, rec.opens, 1)
	assert.Equal(t, "r1", rec.opens[0].Header.Get("X-Request-Id"))
}

func TestHandlerFuncs(t *testing.T) {
	srv := newServer(t, script(ssetest.Raw(": c\ndata: x\n\n")), noContent)
	var got []string
	h := sse.HandlerFuncs{
		Event:   func(e sse.Event) { got = append(got, "event "+e.Data) },
		Comment: func(s string) { got = append(got, "comment "+s) },
		Open:    func(sse.OpenInfo) { got = append(got, "open") },
	}
	c, err := sse.NewClient(srv.URL, h, sse.WithNoDelay())
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	assert.Equal(t, []string{"open", "comment c", "event x"}, got)
	sse.HandlerFuncs{}.HandleError(nil) // nil fields are fine
}

func TestOversizedEventReportedAndSkipped(t *testing.T) {
	_, c, rec := setup(t, []ssetest.Script{
		script(ssetest.Raw("data: small\n\ndata: "), ssetest.Split(string(make([]byte, 5000)), 700), ssetest.Raw("\n\ndata: after\n\n")),
		noContent,
	}, sse.WithMaxEventSize(1024))
	require.NoError(t, receive(t, connect(t, c)))
	assert.Equal(t, []string{"small", "after"}, data(rec.Events()))
	require.Len(t, rec.Errors(), 1)
	var tl *sse.EventTooLargeError
	require.ErrorAs(t, rec.Errors()[0], &tl)
	assert.Equal(t, 1024, tl.Limit)
	assert.ErrorIs(t, rec.Errors()[0], sse.ErrEventTooLarge)
}

// ctxKey marks the context given to Connect.
type ctxKey struct{}

func TestObserverInfosOfOneAttemptShareItsIDAndCarryConnectsContext(t *testing.T) {
	var mu sync.Mutex
	ids := map[string][]uint64{}
	var values []any
	note := func(kind string, id uint64) {
		mu.Lock()
		ids[kind] = append(ids[kind], id)
		mu.Unlock()
	}
	obs := sse.Observer{
		Attempt: func(i sse.AttemptInfo) {
			note("attempt", i.ID)
			values = append(values, i.Context.Value(ctxKey{}))
		},
		Open:       func(i sse.OpenInfo) { note("open", i.ID) },
		FirstEvent: func(i sse.FirstEventInfo) { note("first", i.ID) },
		Close:      func(i sse.CloseInfo) { note("close", i.ID) },
	}
	srv := newServer(t, script(ssetest.Raw("data: a\n\n")), script(ssetest.Raw("data: b\n\n")), noContent)
	c, err := sse.NewClient(srv.URL, newRecorder(), sse.WithObserver(obs), sse.WithNoDelay())
	require.NoError(t, err)
	require.NoError(t, c.Connect(context.WithValue(testContext(t), ctxKey{}, "caller")))
	at := ids["attempt"]
	require.Len(t, at, 3)
	assert.NotZero(t, at[0])
	assert.Less(t, at[0], at[1])
	assert.Less(t, at[1], at[2])
	assert.Equal(t, at, ids["close"])
	assert.Equal(t, at[:2], ids["open"])
	assert.Equal(t, at[:2], ids["first"])
	assert.Equal(t, []any{"caller", "caller", "caller"}, values)
}

func TestObserverDownSinceIsWhenTheLastOpenedStreamEnded(t *testing.T) {
	clk := ssetest.NewClock(testStart)
	advance := func(d time.Duration) ssetest.Step {
		return func(*ssetest.Stream) error { clk.Advance(d); return nil }
	}
	var attempts []sse.AttemptInfo
	obs := sse.Observer{Attempt: func(i sse.AttemptInfo) { attempts = append(attempts, i) }}
	srv := newServer(t,
		script(ssetest.Raw("id: 1\ndata: a\n\n"), advance(2*time.Second), ssetest.Drop()),
		ssetest.Script{Status: http.StatusServiceUnavailable},
		script(ssetest.Raw("data: b\n\n"), advance(time.Second)),
		noContent,
	)
	c, err := sse.NewClient(srv.URL, newRecorder(), sse.WithObserver(obs), sse.WithClock(clk), sse.WithNoDelay())
	require.NoError(t, err)
	require.NoError(t, c.Connect(testContext(t)))
	require.Len(t, attempts, 4)
	dropped := testStart.Add(2 * time.Second)
	assert.True(t, attempts[0].DownSince.IsZero(), "no stream had opened")
	assert.Equal(t, dropped, attempts[1].DownSince, "the first stream ended at the drop")
	assert.Equal(t, dropped, attempts[2].DownSince, "a failed attempt leaves it alone")
	assert.Equal(t, testStart.Add(3*time.Second), attempts[3].DownSince, "the second stream ended a second later")
}
