package ssestats_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// The figures of a job package's streams and results fetches, published
// through expvar and checked against the iOS plan's objectives.
func Example() {
	srv := bookstracktest.New(bookstracktest.WithStepInterval(time.Millisecond)) // the fake API
	defer srv.Close()
	st, err := importWithMetrics(context.Background(), srv.URL, io.Discard)
	if err != nil {
		fmt.Println(err)
		return
	}
	f := st.Snapshot().All
	fmt.Println("connections:", f.Connections)
	fmt.Println("results fetches:", f.Fetches)
	// Output:
	// connections: 100.0 % (1/1)
	// results fetches: 100.0 % (1/1)
}

// importWithMetrics is the README's "Metrics" snippet, with a CSV import
// where the snippet says "Start, Watch, Results".
func importWithMetrics(ctx context.Context, baseURL string, out io.Writer) (*ssestats.Stats, error) {
	st := ssestats.New()
	if err := st.Publish("bookstrack"); err != nil { // expvar: /debug/vars
		return nil, err
	}
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(baseURL),
		bookstrack.WithStreamOptions(sse.WithObserver(st.Observer(string(bookstrack.KindImport)))),
		bookstrack.WithFetchObserver(func(f bookstrack.FetchInfo) {
			st.Stream(string(f.Kind)).Fetch(f.StatusCode, f.Duration, f.Err)
		}))
	if err != nil {
		return nil, err
	}
	job, err := c.Start(ctx, strings.NewReader("Title,Author\nDracula,Bram Stoker\n"))
	if err != nil {
		return nil, err
	}
	if _, err := c.Watch(ctx, job, bookstrack.Handlers{}); err != nil {
		return nil, err
	}
	if _, err := c.Results(ctx, job.ID); err != nil {
		return nil, err
	}
	for _, v := range st.Snapshot().All.Check(ssestats.Plan()) {
		fmt.Fprintf(out, "%s: %s (%s, %s)\n", v.Figure, v.Value, v.Target, v.Outcome)
	}
	return st, nil
}
