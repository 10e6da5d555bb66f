package enrichment_test

import (
	"context"
	"fmt"
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
