package sse_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// exampleServer streams the given text, after a retry field of 0 (so that
// clients reconnect after the 100 ms floor), on the first connection and answers 204 (the
// stream is over) on every later one.
func exampleServer(stream string) *httptest.Server {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conns.Add(1) > 1 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "retry: 0\n"+stream)
	}))
	startOnSuiteTransport(srv) // TLS and HTTP/2 with BOOKSTRACK_SSE_TRANSPORT=h2
	return srv
}

// The README's "Using the SSE client on its own".
type printer struct{}

func (printer) HandleEvent(e sse.Event) { fmt.Println(e.ID, e.Type, e.Data) }
func (printer) HandleError(err error)   { log.Println("stream problem:", err) }

func ExampleNewClient() {
	ctx := context.Background()
	// A server that sends two events, ends the stream, then answers 204.
	srv := exampleServer("id: 1\nevent: progress\ndata: 50%\n\nid: 2\nevent: completed\ndata: done\n\n")
	defer srv.Close()

	c, err := sse.NewClient(srv.URL, printer{},
		sse.WithBearerToken("the stream token"),
		sse.WithIdleTimeout(90*time.Second),
		sse.WithGiveUp(10, 5*time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	err = c.Connect(ctx) // blocks; c.Close() from anywhere stops it
	fmt.Println("done:", err)
	// Output:
	// 1 progress 50%
	// 2 completed done
	// done: <nil>
}

// untilCompleted closes its Client when the job completes.
type untilCompleted struct {
	client *sse.Client[*untilCompleted]
}

func (h *untilCompleted) HandleEvent(e sse.Event) {
	fmt.Println(e.Type)
	if e.Type == "completed" {
		h.client.Close() // safe from inside the Handler
	}
}

func (h *untilCompleted) HandleError(error) {}

func ExampleClient_Close() {
	srv := exampleServer("event: progress\ndata: {}\n\nevent: completed\ndata: {}\n\nevent: completed\ndata: {\"final\":true}\n\n")
	defer srv.Close()

	h := &untilCompleted{}
	c, err := sse.NewClient(srv.URL, h)
	if err != nil {
		fmt.Println(err)
		return
	}
	h.client = c
	err = c.Connect(context.Background())
	fmt.Println(errors.Is(err, sse.ErrClosed))
	// Output:
	// progress
	// completed
	// true
}

func ExampleEvents() {
	srv := exampleServer("data: first\n\ndata: second\n\n")
	defer srv.Close()

	for ev, err := range sse.Events(context.Background(), srv.URL) {
		if err != nil {
			fmt.Println("stream failed:", err)
			return
		}
		fmt.Println(ev.Data)
	}
	// Output:
	// first
	// second
}

func ExampleDecoder() {
	stream := "\uFEFFid: 42\nevent: greeting\ndata: hello\ndata: world\r\n\r\n: comments are skipped\ndata: no type\n\n"
	dec := sse.NewDecoder(strings.NewReader(stream))
	for {
		ev, err := dec.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q %q %q\n", ev.ID, ev.Type, ev.Data)
	}
	// Output:
	// "42" "greeting" "hello\nworld"
	// "42" "message" "no type"
}

func ExampleDecoder_Next() {
	stream := ": connection established\nretry: 5000\n\nid: 1-initial\nevent: progress\ndata: {}\n\ndata: cut off mid-ev"
	dec := sse.NewDecoder(strings.NewReader(stream))
	for {
		f, err := dec.Next()
		if err != nil {
			fmt.Println("end:", err, "last event ID:", dec.LastEventID())
			return
		}
		switch f.Kind {
		case sse.FrameComment:
			fmt.Println("comment:", f.Comment)
		case sse.FrameRetry:
			fmt.Println("retry:", f.Retry)
		case sse.FrameEvent:
			fmt.Println("event:", f.Event.Type)
		}
	}
	// Output:
	// comment: connection established
	// retry: 5s
	// event: progress
	// end: EOF last event ID: 1-initial
}
