package sse_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bookstrack/bookstrack-go/sse"
)

func ExampleTypeRouter() {
	srv := exampleServer("event: progress\ndata: 50%\n\nevent: completed\ndata: done\n\nevent: other\ndata: ?\n\n")
	defer srv.Close()

	errDone := errors.New("job completed")
	var c *sse.Client[sse.TypeRouter]
	c, err := sse.NewClient(srv.URL, sse.TypeRouter{
		Routes: map[string]func(sse.Event){
			"progress": func(e sse.Event) { fmt.Println("progress", e.Data) },
			"completed": func(e sse.Event) {
				fmt.Println("completed", e.Data)
				c.CloseWithCause(errDone) // Connect returns it
			},
		},
		Fallback: func(e sse.Event) { fmt.Println("unexpected", e.Type) },
	})
	if err != nil {
		panic(err)
	}
	err = c.Connect(context.Background())
	fmt.Println(errors.Is(err, errDone))
	// Output:
	// progress 50%
	// completed done
	// true
}

func ExampleRead() {
	body := strings.NewReader("id: 1\ndata: first\n\n: heartbeat\n\nid: 2\ndata: second\n\n")
	for ev, err := range sse.Read(body) {
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(ev.ID, ev.Data)
	}
	// Output:
	// 1 first
	// 2 second
}

func ExampleWithStopAtEnd() {
	srv := exampleServer("data: only once\n\n")
	defer srv.Close()
	for ev, err := range sse.Events(context.Background(), srv.URL, sse.WithStopAtEnd()) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(ev.Data)
	}
	// Output:
	// only once
}
