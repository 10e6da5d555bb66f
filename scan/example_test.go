package scan_test

import (
	"context"
	"fmt"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/scan"
)

func Example() {
	srv := bookstracktest.New() // the fake API; use the real base URL in production
	defer srv.Close()
	ctx := context.Background()

	c, err := scan.NewClient(bookstrack.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := c.Start(ctx, []byte("photo of the left shelf"), []byte("photo of the right shelf"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for p, err := range c.Updates(ctx, job, bookstrack.Handlers{}) {
		if err != nil {
			fmt.Println("scan failed:", err)
			return
		}
		_ = scan.StageOf(p) // queued, detecting, enriching, done: show it with p.Fraction
	}
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d books: %d approved, %d to review\n", len(res.Books), len(res.Approved), len(res.NeedsReview))
	for _, b := range res.Approved {
		fmt.Printf("%.2f %s\n", b.Confidence, b.Title)
	}
	// Output:
	// 7 books: 3 approved, 4 to review
	// 0.90 Anna Karenina
	// 0.88 The War of the Worlds
	// 0.90 The Scarlet Letter
}
