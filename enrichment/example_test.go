package enrichment_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/enrichment"
)

func Example() {
	srv := bookstracktest.New() // the fake API; use the real base URL in production
	defer srv.Close()
	ctx := context.Background()

	c, err := enrichment.NewClient(bookstrack.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := c.Start(ctx, []string{"978-0-14-143951-8", "0141439629", "9781234567897"})
	if err != nil {
		fmt.Println(err)
		return
	}
	comp, err := c.Watch(ctx, job, bookstrack.Handlers{
		Progress: func(p bookstrack.Progress) { /* show p.Fraction, p.Message */ },
	})
	if err != nil {
		fmt.Println("watch:", err)
		return
	}
	fmt.Println("status:", comp.Status)
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range res.Books {
		fmt.Printf("%s: %s by %s\n", b.ISBN, b.Title, strings.Join(b.Authors, ", "))
	}
	fmt.Println("not found:", res.NotFound)
	// Output:
	// status: completed
	// 9780141439518: Pride and Prejudice by Jane Austen
	// 0141439629: Frankenstein by Mary Shelley
	// not found: [9781234567897]
}

// The README's "Watching a job": start a job, follow its progress in a
// for-range loop, read its results.
func ExampleClient_Updates() {
	ctx := context.Background()
	srv := bookstracktest.New(bookstracktest.WithSteppedClock()) // the fake API; use the real base URL in production
	defer srv.Close()

	c, err := enrichment.NewClient(bookstrack.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.Start(ctx, []string{"9780141439518", "0-14-143962-9"})
	if err != nil {
		log.Fatal(err)
	}
	for p, err := range c.Updates(ctx, job, bookstrack.Handlers{}) {
		if err != nil {
			log.Fatal(err) // *bookstrack.JobFailedError, bookstrack.ErrUnauthorized, ...
		}
		fmt.Printf("%s %q\n", p.Percent(), p.Message)
	}
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range res.Books {
		fmt.Println(b.ISBN, b.Title)
	}
	// Output:
	// 0.0% ""
	// 100.0% "Processing 2/2"
	// 100.0% "Enrichment complete: 2 books"
	// 9780141439518 Pride and Prejudice
	// 0141439629 Frankenstein
}
