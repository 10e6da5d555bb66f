// Command stream prints the events of a text/event-stream.
//
// With no flags it starts a small server in the process that streams five
// events, cuts the connection in the middle of the fourth, and resumes
// from Last-Event-ID when the client reconnects: the output shows each
// event exactly once. With -url it reads a real stream instead:
//
//	go run ./examples/stream
//	go run ./examples/stream -url https://example.com/stream -token "$TOKEN"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

func main() {
	url := flag.String("url", "", "stream URL (default: an in-process demo server)")
	token := flag.String("token", "", "bearer token")
	verbose := flag.Bool("v", false, "log connection events")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *url == "" {
		srv := httptest.NewServer(resumingServer(5))
		defer srv.Close()
		*url = srv.URL
	}
	if err := run(ctx, os.Stdout, *url, *token, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "stream:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, url, token string, verbose bool) error {
	opts := []sse.Option{
		sse.WithIdleTimeout(time.Minute),
		sse.WithGiveUp(10, 0),
		sse.WithObserver(sse.Observer{
			Open: func(i sse.OpenInfo) {
				fmt.Fprintf(out, "connected in %v (attempt %d, Last-Event-ID %q)\n", i.Latency.Round(time.Millisecond), i.Attempt, i.LastEventID)
			},
			Reconnect: func(i sse.ReconnectInfo) {
				fmt.Fprintf(out, "connection ended (%v); reconnecting in %v\n", i.Cause, i.Delay.Round(time.Millisecond))
			},
		}),
	}
	if token != "" {
		opts = append(opts, sse.WithBearerToken(token))
	}
	if verbose {
		opts = append(opts, sse.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	for ev, err := range sse.Events(ctx, url, opts...) {
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "event id=%q type=%q data=%s\n", ev.ID, ev.Type, ev.Data)
	}
	fmt.Fprintln(out, "the server ended the stream (204)")
	return nil
}

// resumingServer streams n events. It cuts the first connection in the
// middle of the fourth event and resumes after Last-Event-ID on the next;
// once every event is sent it answers 204.
func resumingServer(n int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := 1
		if id := r.Header.Get("Last-Event-ID"); id != "" {
			last, err := strconv.Atoi(id)
			if err != nil {
				http.Error(w, "bad Last-Event-ID", http.StatusBadRequest)
				return
			}
			next = last + 1
		}
		if next > n {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		io.WriteString(w, "retry: 100\n\n")
		for i := next; i <= n; i++ {
			if i == 4 && next == 1 {
				io.WriteString(w, "id: 4\ndata: {\"step\":4,\"of\"")
				rc.Flush()
				if conn, _, err := rc.Hijack(); err == nil {
					conn.Close() // an abrupt drop, mid-event
				}
				return
			}
			fmt.Fprintf(w, "id: %d\nevent: progress\ndata: {\"step\":%d,\"of\":%d}\n\n", i, i, n)
			if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return
			}
		}
	})
}
