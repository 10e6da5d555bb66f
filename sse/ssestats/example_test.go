package ssestats_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// The figures of a job package's streams and results fetches, published
// through expvar and checked against the iOS plan's objectives (the
// README's "Metrics" snippet).
func Example() {
	srv := bookstracktest.New(bookstracktest.WithStepInterval(time.Millisecond)) // the fake API
	defer srv.Close()
	ctx := context.Background()

	st := ssestats.New()
	if err := st.Publish("bookstrack"); err != nil { // served at /debug/vars
		fmt.Println(err)
		return
	}
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(srv.URL),
		bookstrack.WithStreamOptions(sse.WithObserver(st.Observer(string(bookstrack.KindImport)))),
		bookstrack.WithFetchObserver(func(f bookstrack.FetchInfo) {
			st.Stream(string(f.Kind)).Fetch(f.StatusCode, f.Duration, f.Err)
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := c.Start(ctx, strings.NewReader("Title,Author\nDracula,Bram Stoker\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Watch(ctx, job, bookstrack.Handlers{}); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Results(ctx, job.ID); err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range st.Snapshot().All.Check(ssestats.Plan())[:3] {
		fmt.Printf("%s: %s (%s)\n", v.Figure, v.Value, v.Outcome)
	}
	// Output:
	// connection success: 100.0 % (1/1) (pass)
	// reconnection success: - (no data)
	// results-fetch success: 100.0 % (1/1) (pass)
}
