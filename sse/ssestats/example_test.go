package ssestats_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The README's "Metrics": the figures of a job package's streams and
// results fetches, checked against the iOS plan's objectives.
func Example() {
	ctx := context.Background()
	srv := bookstracktest.New(bookstracktest.WithSteppedClock()) // the fake API; use the real base URL in production
	defer srv.Close()

	st := ssestats.New()
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(srv.URL),
		bookstrack.WithClock(ssetest.NewClock(time.Time{})), // stopped: the durations print as 0s
		bookstrack.WithStats(st))                            // every watch and results fetch, under "imports"
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.Start(ctx, strings.NewReader("Title,Author\nDracula,Bram Stoker\n"))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Watch(ctx, job, bookstrack.Handlers{}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Results(ctx, job.ID); err != nil {
		log.Fatal(err)
	}
	for _, v := range st.Snapshot().All.Check(ssestats.Plan()) {
		fmt.Printf("%s: %s (%s, %s)\n", v.Figure, v.Value, v.Target, v.Outcome)
	}
	// Output:
	// connection success: 100.0 % (1/1) (> 99 %, pass)
	// reconnection success: - (> 95 %, no data)
	// results-fetch success: 100.0 % (1/1) (> 99 %, pass)
	// connection time: 0s (n=1) (< 100ms, pass)
	// reconnection time: - (< 5s, no data)
	// progress latency: 0s (n=8) (< 50ms, pass)
	// time to first message: 0s (n=1) (< 500ms, pass)
}
