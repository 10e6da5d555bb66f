package sse_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// bytesRecorder takes events as borrowed bytes; it copies each one into
// its recorder, notes the Client's LastEventID during the call, and counts
// the calls of HandleEvent, which must not come.
type bytesRecorder struct {
	*recorder
	client      *sse.Client[*bytesRecorder]
	idsDuring   []string
	stringCalls int
}

func (b *bytesRecorder) HandleEventBytes(e sse.EventBytes) {
	b.idsDuring = append(b.idsDuring, b.client.LastEventID())
	b.recorder.HandleEvent(e.Event())
}

func (b *bytesRecorder) HandleEvent(sse.Event) { b.stringCalls++ }

func TestClientGivesABytesHandlerBorrowedEventsInsteadOfHandleEvent(t *testing.T) {
	srv := newServer(t,
		script(ssetest.Raw("id: 1\ndata: a\n\nevent: x\ndata: b\ndata: b2\n\n"), ssetest.Drop()),
		script(ssetest.Raw("id: 3\ndata: \xFFc\n\n")),
		noContent,
	)
	h := &bytesRecorder{recorder: newRecorder()}
	var (
		mu    sync.Mutex
		first []sse.Event
	)
	obs := sse.Observer{FirstEvent: func(i sse.FirstEventInfo) {
		mu.Lock()
		first = append(first, i.Event)
		mu.Unlock()
	}}
	c, err := sse.NewClient(srv.URL, h, sse.WithNoDelay(), sse.WithObserver(obs))
	require.NoError(t, err)
	h.client = c
	require.NoError(t, c.Connect(testContext(t)))

	want := []sse.Event{{ID: "1", Type: "message", Data: "a"}, {ID: "1", Type: "x", Data: "b\nb2"}, {ID: "3", Type: "message", Data: "\uFFFDc"}}
	assert.Equal(t, want, h.Events())
	assert.Zero(t, h.stringCalls, "HandleEvent was called on a BytesHandler")
	assert.Equal(t, []string{"1", "1", "3"}, h.idsDuring, "LastEventID during each HandleEventBytes")
	assert.Equal(t, []sse.Event{want[0], want[2]}, first, "the Observer's first events")
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	id, _ := reqs[1].LastEventID()
	assert.Equal(t, "1", id)
	id, _ = reqs[2].LastEventID()
	assert.Equal(t, "3", id)
}

// countBytesHandler counts borrowed events.
type countBytesHandler struct{ n int }

func (h *countBytesHandler) HandleEvent(sse.Event)           {}
func (h *countBytesHandler) HandleEventBytes(sse.EventBytes) { h.n++ }
func (h *countBytesHandler) HandleError(error)               {}

// watchLastEventID reads get on another goroutine until stop is closed,
// and reports whether the IDs it saw (decimal numbers or empty) only grew.
func watchLastEventID(get func() string, stop <-chan struct{}) <-chan bool {
	ok := make(chan bool, 1)
	go func() {
		last := -1
		for {
			select {
			case <-stop:
				ok <- true
				return
			default:
			}
			if s := get(); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil || n < last {
					ok <- false
					return
				}
				last = n
			}
		}
	}()
	return ok
}

func TestClientLastEventIDCanBeReadFromAnotherGoroutineWhileEventsFlow(t *testing.T) {
	stream := smallEvents(3000, "\n")
	opts := []sse.Option{sse.WithHTTPClient(&http.Client{Transport: bodyTransport(stream)}), sse.WithStopAtEnd()}
	run := func(t *testing.T, get func() string, connect func(context.Context) error) {
		stop := make(chan struct{})
		ok := watchLastEventID(get, stop)
		require.NoError(t, connect(testContext(t)))
		close(stop)
		assert.True(t, <-ok, "LastEventID went back or returned a torn value")
		assert.Equal(t, "2999", get())
	}
	t.Run("string events", func(t *testing.T) {
		c, err := sse.NewClient("http://sse.invalid/", &countHandler{}, opts...)
		require.NoError(t, err)
		run(t, c.LastEventID, c.Connect)
		assert.Equal(t, 3000, c.Handler().n)
	})
	t.Run("borrowed events", func(t *testing.T) {
		c, err := sse.NewClient("http://sse.invalid/", &countBytesHandler{}, opts...)
		require.NoError(t, err)
		run(t, c.LastEventID, c.Connect)
		assert.Equal(t, 3000, c.Handler().n)
	})
}

// clientAllocsPerEvent measures the allocations a Client makes per event
// of a stream of small events with changing ids, read from memory, as the
// difference between n and 5n events so that the cost of a connection
// cancels out.
func clientAllocsPerEvent[H sse.Handler](t *testing.T, newHandler func() H) float64 {
	t.Helper()
	run := func(n int) float64 {
		opts := []sse.Option{sse.WithHTTPClient(&http.Client{Transport: bodyTransport(smallEvents(n, "\n"))}), sse.WithStopAtEnd()}
		return testing.AllocsPerRun(10, func() {
			c, err := sse.NewClient("http://sse.invalid/", newHandler(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
	const n = 500
	return (run(5*n) - run(n)) / (4 * n)
}

func TestClientAllocatesAtMostOncePerEventOnTheStringPath(t *testing.T) {
	got := clientAllocsPerEvent(t, func() *countHandler { return &countHandler{} })
	t.Logf("HandleEvent: %.3f allocations per event", got)
	if got > 1 {
		t.Errorf("the Client made %.3f allocations per event, want at most 1", got)
	}
}

func TestClientAllocatesAlmostNothingPerEventForABytesHandler(t *testing.T) {
	got := clientAllocsPerEvent(t, func() *countBytesHandler { return &countBytesHandler{} })
	t.Logf("HandleEventBytes: %.3f allocations per event", got)
	if got > 0.05 {
		t.Errorf("the Client made %.3f allocations per event for a BytesHandler, want at most 0.05", got)
	}
}

func TestClientResumesFromTheIDOfABlockWithoutDataAtTheEndOfAStream(t *testing.T) {
	// The last block has an id and no data: nothing is delivered, yet the
	// ID is the last event ID, for string and borrowed events alike.
	scripts := func() []ssetest.Script {
		return []ssetest.Script{script(ssetest.Raw("id: 1\ndata: a\n\nid: 2\n\n")), noContent}
	}
	t.Run("string events", func(t *testing.T) {
		srv, c, _ := setup(t, scripts())
		require.NoError(t, receive(t, connect(t, c)))
		id, _ := srv.Requests()[1].LastEventID()
		assert.Equal(t, "2", id)
		assert.Equal(t, "2", c.LastEventID())
	})
	t.Run("borrowed events", func(t *testing.T) {
		srv := newServer(t, scripts()...)
		h := &bytesRecorder{recorder: newRecorder()}
		c, err := sse.NewClient(srv.URL, h, sse.WithNoDelay())
		require.NoError(t, err)
		h.client = c
		require.NoError(t, c.Connect(testContext(t)))
		id, _ := srv.Requests()[1].LastEventID()
		assert.Equal(t, "2", id)
		assert.Equal(t, "2", c.LastEventID())
	})
}

func TestClientLastEventIDHoldsLongShortAndEmptyIDs(t *testing.T) {
	long := strings.Repeat("L", 300) // past the arena's limit for one ID
	cases := []struct{ stream, want string }{
		{"id: " + long + "\ndata: a\n\n", long},
		{"id: " + long + "\ndata: a\n\nid: 7\ndata: b\n\n", "7"},
		{"id: 7\ndata: a\n\nid\ndata: b\n\n", ""},
		{"id: 7\ndata: " + strings.Repeat("d", 20<<10) + "\n\n", "7"}, // a large event: ID allocated apart
	}
	for _, tc := range cases {
		opts := []sse.Option{sse.WithHTTPClient(&http.Client{Transport: bodyTransport(tc.stream)}), sse.WithStopAtEnd(), sse.WithLastEventID("start")}
		cs, err := sse.NewClient("http://sse.invalid/", &countHandler{}, opts...)
		require.NoError(t, err)
		assert.Equal(t, "start", cs.LastEventID())
		require.NoError(t, cs.Connect(testContext(t)))
		assert.Equal(t, tc.want, cs.LastEventID(), "string events")
		cb, err := sse.NewClient("http://sse.invalid/", &countBytesHandler{}, opts...)
		require.NoError(t, err)
		require.NoError(t, cb.Connect(testContext(t)))
		assert.Equal(t, tc.want, cb.LastEventID(), "borrowed events")
	}
}
