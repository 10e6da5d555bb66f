package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

// results are a job's results, printable as a table or as JSON.
type results interface {
	// table writes the results for people.
	table(w io.Writer) error
	// value is what --json prints: the package's Results.
	value() any
	// books is the number of books of the results.
	books() int
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

type importResults struct{ r *csvimport.Results }

func (r importResults) value() any { return r.r }
func (r importResults) books() int { return len(r.r.Books) }

func (r importResults) table(w io.Writer) error {
	res := r.r
	fmt.Fprintf(w, "Import %s: %d books created, %d updated, %d duplicates skipped; enrichment %d succeeded, %d failed\n",
		res.JobID, res.BooksCreated, res.BooksUpdated, res.DuplicatesSkipped, res.EnrichmentSucceeded, res.EnrichmentFailed)
	tw := newTable(w)
	if len(res.Books) > 0 {
		fmt.Fprintln(tw, "ISBN\tTITLE\tAUTHORS\tPUBLISHED\tPAGES")
		for _, b := range res.Books {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", dash(b.ISBN), cell(b.Title), cell(strings.Join(b.Authors, ", ")), dash(b.PublishedDate), b.PageCount)
		}
	}
	if len(res.Errors) > 0 {
		fmt.Fprintln(tw, "\nROW\tISBN\tERROR")
		for _, e := range res.Errors {
			fmt.Fprintf(tw, "%d\t%s\t%s\n", e.Row, dash(e.ISBN), cell(e.Error))
		}
	}
	return tw.Flush()
}

type scanResults struct{ r *scan.Results }

func (r scanResults) value() any { return r.r }
func (r scanResults) books() int { return len(r.r.Books) }

func (r scanResults) table(w io.Writer) error {
	res := r.r
	fmt.Fprintf(w, "Scan %s: %d books detected, %d approved, %d to review (threshold %.2f)\n",
		res.JobID, len(res.Books), len(res.Approved), len(res.NeedsReview), res.Threshold)
	if len(res.Books) == 0 {
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "TITLE\tAUTHOR\tISBN\tCONFIDENCE\tREVIEW\tENRICHMENT")
	for _, b := range res.Books {
		conf, review := "unknown", "needs review"
		if b.ConfidenceKnown {
			conf = fmt.Sprintf("%.2f", b.Confidence)
			if b.Confidence >= res.Threshold {
				review = "approved"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(b.Title), cell(b.Author), dash(b.ISBN), conf, review, dash(string(b.EnrichmentStatus)))
	}
	return tw.Flush()
}

type enrichResults struct{ r *enrichment.Results }

func (r enrichResults) value() any { return r.r }
func (r enrichResults) books() int { return len(r.r.Books) }

func (r enrichResults) table(w io.Writer) error {
	res := r.r
	fmt.Fprintf(w, "Enrichment %s: %d books found, %d ISBNs not found\n", res.JobID, len(res.Books), len(res.NotFound))
	tw := newTable(w)
	if len(res.Books) > 0 {
		fmt.Fprintln(tw, "ISBN\tTITLE\tAUTHORS\tPUBLISHER\tPUBLISHED\tPROVIDER")
		for _, b := range res.Books {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", dash(b.ISBN), cell(b.Title), cell(strings.Join(b.Authors, ", ")), cell(b.Publisher), dash(b.PublishedDate), dash(b.Provider))
		}
	}
	if len(res.NotFound) > 0 {
		fmt.Fprintf(tw, "\nNOT FOUND\t%s\n", strings.Join(res.NotFound, ", "))
	}
	return tw.Flush()
}

// statusTable writes a job's status.
func statusTable(w io.Writer, k kind, id string, p bookstrack.Progress) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "JOB\t%s\n", id)
	fmt.Fprintf(tw, "KIND\t%s\n", k.name)
	fmt.Fprintf(tw, "STATUS\t%s\n", dash(string(p.Status)))
	fmt.Fprintf(tw, "PROGRESS\t%s\n", p.Percent())
	if p.Total > 0 || p.Processed > 0 {
		fmt.Fprintf(tw, "ITEMS\t%d of %d\n", p.Processed, p.Total)
	}
	fmt.Fprintf(tw, "MESSAGE\t%s\n", dash(cell(p.Message)))
	if !p.Started.IsZero() {
		fmt.Fprintf(tw, "STARTED\t%s\n", p.Started.Format("2006-01-02 15:04:05 MST"))
	}
	return tw.Flush()
}

// cell keeps a server's text on one table cell.
func cell(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return cell(s)
}
