package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

func table(out io.Writer, header string, rows [][]string) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func printImport(out io.Writer, r *csvimport.Results) {
	fmt.Fprintf(out, "created %d, updated %d, duplicates skipped %d, enriched %d, not enriched %d\n",
		r.BooksCreated, r.BooksUpdated, r.DuplicatesSkipped, r.EnrichmentSucceeded, r.EnrichmentFailed)
	var rows [][]string
	for _, b := range r.Books {
		rows = append(rows, []string{orDash(b.ISBN), b.Title, strings.Join(b.Authors, ", "), orDash(b.Publisher)})
	}
	table(out, "ISBN\tTitle\tAuthors\tPublisher", rows)
	for _, e := range r.Errors {
		fmt.Fprintf(out, "row %d: %s\n", e.Row, e.Error)
	}
}

func printEnrichment(out io.Writer, r *enrichment.Results) {
	var rows [][]string
	for _, b := range r.Books {
		rows = append(rows, []string{b.ISBN, b.Title, strings.Join(b.Authors, ", "), fmt.Sprint(b.PageCount), b.PublishedDate})
	}
	table(out, "ISBN\tTitle\tAuthors\tPages\tPublished", rows)
	if len(r.NotFound) > 0 {
		fmt.Fprintf(out, "not found: %s\n", strings.Join(r.NotFound, ", "))
	}
}

func printScan(out io.Writer, r *scan.Results) {
	fmt.Fprintf(out, "%d books detected: %d approved, %d to review (confidence threshold %.2f)\n",
		len(r.Books), len(r.Approved), len(r.NeedsReview), r.Threshold)
	var rows [][]string
	for _, b := range r.Books {
		verdict := "review"
		if b.ConfidenceKnown && b.Confidence >= r.Threshold {
			verdict = "approved"
		}
		conf := "?"
		if b.ConfidenceKnown {
			conf = fmt.Sprintf("%.2f", b.Confidence)
		}
		box := fmt.Sprintf("%.2f,%.2f %.2fx%.2f", b.BoundingBox.X, b.BoundingBox.Y, b.BoundingBox.Width, b.BoundingBox.Height)
		rows = append(rows, []string{verdict, conf, b.Title, b.Author, orDash(b.ISBN), string(b.EnrichmentStatus), box})
	}
	table(out, "\tConfidence\tTitle\tAuthor\tISBN\tEnrichment\tBox", rows)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
