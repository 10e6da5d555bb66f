package csvimport_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
)

func Example() {
	srv := bookstracktest.New() // the fake API; use the real base URL in production
	defer srv.Close()
	ctx := context.Background()

	export := `Book Id,Title,Author,ISBN,ISBN13
1,Dracula,Bram Stoker,"=""0486406512""","=""9780486406510"""
2,The Time Machine,H. G. Wells,"=""""","=""9780486411248"""
3,,nobody,,
`
	c, err := csvimport.NewClient(bookstrack.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := c.Start(ctx, strings.NewReader(export))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Watch(ctx, job, bookstrack.Handlers{}); err != nil {
		var failed *bookstrack.JobFailedError
		if errors.As(err, &failed) {
			fmt.Println("import failed:", failed.Code, failed.Message)
		}
		return
	}
	res, err := c.Results(ctx, job.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("created %d, enriched %d\n", res.BooksCreated, res.EnrichmentSucceeded)
	for _, b := range res.Books {
		fmt.Println(b.ISBN, b.Title)
	}
	for _, e := range res.Errors {
		fmt.Printf("row %d: %s\n", e.Row, e.Error)
	}
	// Output:
	// created 2, enriched 2
	// 9780486406510 Dracula
	// 9780486411248 The Time Machine
	// row 4: missing title
}
