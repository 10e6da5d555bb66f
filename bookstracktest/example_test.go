package bookstracktest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// A test drives a job with a fake clock: each Advance of one step interval
// makes the job take one step, so the test never sleeps.
func Example() {
	clock := ssetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := bookstracktest.New(bookstracktest.WithClock(clock))
	defer srv.Close()

	// Start an enrichment of a catalogue book and an unknown ISBN.
	known := bookstracktest.Catalogue()[0].ISBN13
	resp, err := srv.Client().Post(srv.URL+"/v3/books/enrich", "application/json",
		strings.NewReader(`{"isbns":["`+known+`","9780000000002"],"async":true}`))
	if err != nil {
		panic(err)
	}
	var start struct {
		Data struct{ JobID, StreamURL, Token string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&start)
	resp.Body.Close()

	// Follow its stream.
	req, _ := http.NewRequest(http.MethodGet, start.Data.StreamURL, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+start.Data.Token)
	stream, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer stream.Body.Close()
	dec := sse.NewDecoder(stream.Body)
	show := func() {
		ev, err := dec.Decode()
		if err != nil {
			fmt.Println(err)
			return
		}
		var d struct {
			Status   string
			Progress float64
			Books    []struct{ Title string }
		}
		_ = json.Unmarshal([]byte(ev.Data), &d)
		fmt.Println(ev.Type, ev.ID, d.Status, d.Progress, len(d.Books))
	}
	show() // the snapshot
	_ = srv.WaitStreams(context.Background(), start.Data.JobID, 1)
	clock.Advance(bookstracktest.DefaultStepInterval)
	show()
	clock.Advance(bookstracktest.DefaultStepInterval)
	show() // the queued completed event
	clock.Advance(bookstracktest.DefaultFinalDelay)
	show() // the final one, with the books
	show()
	// Output:
	// progress 1767323045000-initial queued 0 0
	// progress 1767323045100-progress processing 1 0
	// completed 1767323045200-completed completed 1 0
	// completed 1767323047200-final completed 1 1
	// EOF
}

func ExampleServer_InjectRateLimit() {
	srv := bookstracktest.New()
	defer srv.Close()
	srv.InjectRateLimit(bookstracktest.RateLimit{RetryAfter: 1500 * time.Millisecond, Limit: 60})
	for i := 0; i < 2; i++ {
		resp, err := srv.Client().Get(srv.URL + "/v3/jobs/imports/3f0e2a1b-7c4d-4e8f-9a0b-1c2d3e4f5a6b")
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("X-RateLimit-Limit"))
	}
	// Output:
	// 429 2 60
	// 404
}

func ExampleCatalogue() {
	for _, b := range bookstracktest.Catalogue()[:3] {
		fmt.Println(b.ISBN13, b.ISBN10, b.Title)
	}
	// Output:
	// 9780141439518 0141439513 Pride and Prejudice
	// 9780141439624 0141439629 Frankenstein
	// 9780141439662 0141439661 Great Expectations
}
