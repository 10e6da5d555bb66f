// Package csvimport imports a library export (the CSV that Goodreads
// exports: Title, Author, ISBN, ISBN13, Publisher, Number of Pages, Year
// Published, ...) into BooksTrack and follows the import to its results.
//
//	c, err := csvimport.NewClient(bookstrack.WithBaseURL(url))
//	job, err := c.Start(ctx, file)
//	_, err = c.Watch(ctx, job, bookstrack.Handlers{Progress: show})
//	res, err := c.Results(ctx, job.ID)
//
// An import's completion event carries no counts (0 and 0) and no books:
// the results route is where they are.
//
// NewClient takes the bookstrack options, under the module's one option
// rule: a zero value keeps the default, a negative number turns the
// setting off where it can be off, and a value out of range makes
// NewClient fail with a *bookstrack.InputError naming the option and its
// range.
package csvimport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// MaxFileSize is the largest CSV file the server accepts: 8 MiB.
const MaxFileSize = 8 << 20

// Client starts and follows CSV imports. It is safe for concurrent use.
type Client struct{ jobs *jobs.Client }

// NewClient returns a Client configured by opts.
func NewClient(opts ...bookstrack.Option) (*Client, error) {
	jc, err := jobs.New(bookstrack.KindImport, opts)
	if err != nil {
		return nil, err
	}
	return &Client{jobs: jc}, nil
}

// Start uploads the CSV read from r (at most MaxFileSize bytes; an empty
// or larger file is refused with an *bookstrack.InputError before any
// upload) and returns the started job.
func (c *Client) Start(ctx context.Context, r io.Reader) (bookstrack.Job, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return bookstrack.Job{}, fmt.Errorf("csvimport: reading the CSV: %w", err)
	}
	switch {
	case len(data) == 0:
		return bookstrack.Job{}, &bookstrack.InputError{Field: "file", Reason: "the CSV is empty"}
	case len(data) > MaxFileSize:
		return bookstrack.Job{}, &bookstrack.InputError{Field: "file", Reason: fmt.Sprintf("the CSV is over the %d MiB limit", MaxFileSize>>20)}
	}
	ct, body, err := jobs.Multipart(jobs.Part{Field: "file", Filename: "library.csv", ContentType: "text/csv", Data: data})
	if err != nil {
		return bookstrack.Job{}, err
	}
	return c.jobs.Start(ctx, ct, body)
}

// Watch follows the import until it ends, calling h as it goes, and
// returns its completion. A failed or canceled import returns a
// *bookstrack.JobFailedError; the other errors a watch can end with are
// listed under "Errors of a watch" in package bookstrack's docs: typed
// API errors (*bookstrack.APIError, bookstrack.ErrUnauthorized,
// bookstrack.ErrJobNotFound, bookstrack.ErrStalled), the context's error,
// and the sse package's (*sse.GiveUpError, *sse.RedirectError,
// *sse.ContentTypeError, *sse.ContentEncodingError, ...), all for
// errors.Is and errors.As.
func (c *Client) Watch(ctx context.Context, job bookstrack.Job, h bookstrack.Handlers) (bookstrack.Completion, error) {
	return c.jobs.Watch(ctx, job, h)
}

// Updates is Watch as an iterator: each progress update, the last one
// completed, or a final error. Its zero h calls nothing; h.Error and
// h.Completed receive the problems that do not end the watch and the
// completion (its results expiry and last event ID); h.Progress is not
// called, since the iterator yields the progress.
func (c *Client) Updates(ctx context.Context, job bookstrack.Job, h bookstrack.Handlers) iter.Seq2[bookstrack.Progress, error] {
	return c.jobs.Updates(ctx, job, h)
}

// Status reads the import's status from the status route (the start
// response's statusUrl is not used here). A running or completed import
// gives its Progress and a nil error. A failed or canceled import gives
// its Progress (status, fraction and counts as the server sent them)
// together with a *bookstrack.JobFailedError carrying the server's code
// and message. A field of the status that cannot be read is left zero
// and reported by a *bookstrack.DecodeError beside the Progress (not for
// a failed import, whose error is the JobFailedError). A refused call is
// a *bookstrack.APIError (404, an unknown or expired job, matches
// bookstrack.ErrNotFound) or, once the retries are used up, a
// *bookstrack.RateLimitError. With the V2 route set it returns an error
// matching bookstrack.ErrNoRoute without a request.
func (c *Client) Status(ctx context.Context, jobID string) (bookstrack.Progress, error) {
	return c.jobs.Status(ctx, jobID)
}

// Cancel cancels the import.
func (c *Client) Cancel(ctx context.Context, jobID string) error {
	return c.jobs.Cancel(ctx, jobID)
}

// Results fetches what the import did. It returns an error matching
// bookstrack.ErrResultsUnavailable while the import runs and after the
// results expired.
func (c *Client) Results(ctx context.Context, jobID string) (*Results, error) {
	data, err := c.jobs.Results(ctx, jobID)
	if err != nil {
		return nil, err
	}
	return decodeResults(jobID, data)
}

// Results is what an import did.
type Results struct {
	JobID               string
	BooksCreated        int
	BooksUpdated        int
	DuplicatesSkipped   int
	EnrichmentSucceeded int
	EnrichmentFailed    int
	// Errors lists the rows that could not be imported.
	Errors []RowError
	// Books are the imported books.
	Books []Book
}

// RowError is a CSV row that could not be imported.
type RowError struct {
	Row   int
	ISBN  string
	Error string
}

// Book is an imported book. ISBN is empty when unknown.
type Book struct {
	ISBN          string
	Title         string
	Authors       []string
	Publisher     string
	PublishedDate string
	Description   string
	PageCount     int
	Categories    []string
	Language      string
	CoverURL      string
}

type wireResults struct {
	BooksCreated        lenient.Int `json:"booksCreated"`
	BooksUpdated        lenient.Int `json:"booksUpdated"`
	DuplicatesSkipped   lenient.Int `json:"duplicatesSkipped"`
	EnrichmentSucceeded lenient.Int `json:"enrichmentSucceeded"`
	EnrichmentFailed    lenient.Int `json:"enrichmentFailed"`
	Errors              []struct {
		Row   lenient.Int    `json:"row"`
		ISBN  lenient.String `json:"isbn"`
		Error string         `json:"error"`
	} `json:"errors"`
	Books []struct {
		ISBN          lenient.String `json:"isbn"`
		Title         string         `json:"title"`
		Authors       lenient.Names  `json:"authors"`
		Publisher     string         `json:"publisher"`
		PublishedDate lenient.String `json:"publishedDate"`
		Description   string         `json:"description"`
		PageCount     lenient.Int    `json:"pageCount"`
		Categories    []string       `json:"categories"`
		Language      string         `json:"language"`
		CoverURL      string         `json:"coverUrl"`
	} `json:"books"`
}

func decodeResults(jobID string, data json.RawMessage) (*Results, error) {
	var w wireResults
	if err := lenient.Decode(jobs.ResultsField(data), &w, "import results"); err != nil {
		return nil, err
	}
	res := &Results{
		JobID:               jobID,
		BooksCreated:        int(w.BooksCreated),
		BooksUpdated:        int(w.BooksUpdated),
		DuplicatesSkipped:   int(w.DuplicatesSkipped),
		EnrichmentSucceeded: int(w.EnrichmentSucceeded),
		EnrichmentFailed:    int(w.EnrichmentFailed),
	}
	for _, e := range w.Errors {
		res.Errors = append(res.Errors, RowError{Row: int(e.Row), ISBN: string(e.ISBN), Error: e.Error})
	}
	for _, b := range w.Books {
		res.Books = append(res.Books, Book{
			ISBN: string(b.ISBN), Title: b.Title, Authors: b.Authors, Publisher: b.Publisher,
			PublishedDate: string(b.PublishedDate), Description: b.Description, PageCount: int(b.PageCount),
			Categories: b.Categories, Language: b.Language, CoverURL: b.CoverURL,
		})
	}
	return res, nil
}
