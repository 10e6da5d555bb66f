package sse_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// A test that stops reading its recorder's channels (it failed, or got
// more events than they buffer) must still end: the cleanup of connect
// closes the Client and releases the recorder, so Connect returns. Before,
// the Handler blocked on the full channel and the cleanup waited for ever,
// until go test's 10-minute timeout.
func TestConnectCleanupEndsAHandlerBlockedOnAFullChannel(t *testing.T) {
	var stream strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&stream, "id: %d\ndata: e\n\n", i)
	}
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	srv := newServer(t, script(ssetest.Raw(stream.String()), ssetest.Wait(hold)))
	rec := newRecorder()
	full := make(chan struct{})
	n := 0
	rec.onEvent = func(sse.Event) {
		if n++; n == cap(rec.eventCh)+1 {
			close(full) // this event's send finds the channel full
		}
	}
	c, err := sse.NewClient(srv.URL, rec, sse.WithNoDelay())
	if err != nil {
		t.Fatal(err)
	}
	inner := make(chan struct{})
	go func() {
		defer close(inner)
		t.Run("stops reading", func(t *testing.T) {
			connect(t, c)
			<-full // nobody reads eventCh: the Handler is stuck, until cleanup
		})
	}()
	select {
	case <-inner:
	case <-time.After(testTimeout + 5*time.Second):
		t.Fatal("the cleanup of connect hung on a Handler blocked on a full channel")
	}
}
