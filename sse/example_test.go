package sse_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"github.com/bookstrack/bookstrack-go/sse"
)

// exampleServer streams the given text on the first connection and answers
// 204 (the stream is over) on every later one.
func exampleServer(stream string) *httptest.Server {
	var conns atomic.Int32
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conns.Add(1) > 1 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, stream)
	}))
}

// progressHandler prints what it receives.
type progressHandler struct{}

func (progressHandler) HandleEvent(e sse.Event) { fmt.Printf("%s %s: %s\n", e.ID, e.Type, e.Data) }
func (progressHandler) HandleError(err error)   { fmt.Println("problem:", err) }

func ExampleNewClient() {
	srv := exampleServer("id: 1\nevent: progress\ndata: {\"progress\":0.5}\n\n" +
		"id: 2\nevent: completed\ndata: {\"progress\":1}\n\n")
	defer srv.Close()

	c, err := sse.NewClient(srv.URL, progressHandler{}, sse.WithBearerToken("secret"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Connect reconnects after the stream ends, and returns once the server
	// answers 204.
	err = c.Connect(context.Background())
	fmt.Println("done:", err)
	// Output:
	// 1 progress: {"progress":0.5}
	// 2 completed: {"progress":1}
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
		case sse.KindComment:
			fmt.Println("comment:", f.Comment)
		case sse.KindRetry:
			fmt.Println("retry:", f.Retry)
		case sse.KindEvent:
			fmt.Println("event:", f.Event.Type)
		}
	}
	// Output:
	// comment: connection established
	// retry: 5s
	// event: progress
	// end: EOF last event ID: 1-initial
}
