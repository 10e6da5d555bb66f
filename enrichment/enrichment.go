// Package enrichment enriches books by ISBN with BooksTrack: it starts an
// asynchronous batch, follows it, and reads the enriched books and the
// ISBNs that were not found.
//
//	c, err := enrichment.NewClient(bookstrack.WithBaseURL(url))
//	job, err := c.Start(ctx, []string{"978-0-14-143951-8", "0141439513"})
//	_, err = c.Watch(ctx, job, bookstrack.Handlers{Progress: show})
//	res, err := c.Results(ctx, job.ID)
package enrichment

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// Client starts and follows enrichment batches. It is safe for concurrent
// use.
type Client struct{ jobs *jobs.Client }

// NewClient returns a Client configured by opts.
func NewClient(opts ...bookstrack.Option) (*Client, error) {
	jc, err := jobs.New(bookstrack.KindEnrichment, opts)
	if err != nil {
		return nil, err
	}
	return &Client{jobs: jc}, nil
}

// Start asks for the books of the ISBNs to be enriched (1 to MaxISBNs of
// them; see NormalizeISBN for what is accepted) and returns the started
// job. Bad input is refused with an *bookstrack.InputError naming the
// entry, before any request.
func (c *Client) Start(ctx context.Context, isbns []string) (bookstrack.Job, error) {
	norm, err := normalizeAll(isbns)
	if err != nil {
		return bookstrack.Job{}, err
	}
	body, err := json.Marshal(struct {
		ISBNs []string `json:"isbns"`
		Async bool     `json:"async"`
	}{norm, true})
	if err != nil {
		return bookstrack.Job{}, err
	}
	return c.jobs.Start(ctx, "application/json", body)
}

// Watch follows the batch until it ends, calling h as it goes, and
// returns its completion; a failed batch returns a
// *bookstrack.JobFailedError.
func (c *Client) Watch(ctx context.Context, job bookstrack.Job, h bookstrack.Handlers) (bookstrack.Completion, error) {
	return c.jobs.Watch(ctx, job, h)
}

// Updates is Watch as an iterator: each progress update, the last one
// completed, or a final error.
func (c *Client) Updates(ctx context.Context, job bookstrack.Job) iter.Seq2[bookstrack.Progress, error] {
	return c.jobs.Updates(ctx, job)
}

// Status reads the batch's status.
func (c *Client) Status(ctx context.Context, jobID string) (bookstrack.Progress, error) {
	return c.jobs.Status(ctx, jobID)
}

// Cancel cancels the batch.
func (c *Client) Cancel(ctx context.Context, jobID string) error {
	return c.jobs.Cancel(ctx, jobID)
}

// Results fetches the enriched books. It returns an error matching
// bookstrack.ErrResultsUnavailable while the batch runs and after the
// results expired.
func (c *Client) Results(ctx context.Context, jobID string) (*Results, error) {
	data, err := c.jobs.Results(ctx, jobID)
	if err != nil {
		return nil, err
	}
	return decodeResults(jobID, data)
}

// Results is what a batch found.
type Results struct {
	JobID string
	// Books are the enriched books.
	Books []Book
	// NotFound lists the ISBNs nothing was found for.
	NotFound []string
}

// Book is an enriched book.
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
	ThumbnailURL  string
	WorkKey       string
	EditionKey    string
	Provider      string
	Quality       float64
	Vectorized    bool
}

type wireBook struct {
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
	ThumbnailURL  string         `json:"thumbnailUrl"`
	WorkKey       string         `json:"workKey"`
	EditionKey    string         `json:"editionKey"`
	Provider      string         `json:"provider"`
	Quality       lenient.Float  `json:"quality"`
	Vectorized    bool           `json:"vectorized"`
}

// decodeResults reads the three shapes of enrichment results: an object
// {enrichedBooks, notFound}, a bare array of books, an empty array.
func decodeResults(jobID string, data json.RawMessage) (*Results, error) {
	raw := bytes.TrimSpace(jobs.ResultsField(data))
	var books []wireBook
	var notFound []lenient.String
	if bytes.HasPrefix(raw, []byte("[")) {
		if err := lenient.Decode(raw, &books, "enrichment results"); err != nil {
			return nil, err
		}
	} else {
		var obj struct {
			EnrichedBooks []wireBook       `json:"enrichedBooks"`
			NotFound      []lenient.String `json:"notFound"`
		}
		if err := lenient.Decode(raw, &obj, "enrichment results"); err != nil {
			return nil, err
		}
		books, notFound = obj.EnrichedBooks, obj.NotFound
	}
	res := &Results{JobID: jobID}
	for _, w := range books {
		res.Books = append(res.Books, Book{
			ISBN: string(w.ISBN), Title: w.Title, Authors: w.Authors, Publisher: w.Publisher,
			PublishedDate: string(w.PublishedDate), Description: w.Description, PageCount: int(w.PageCount),
			Categories: w.Categories, Language: w.Language, CoverURL: w.CoverURL, ThumbnailURL: w.ThumbnailURL,
			WorkKey: w.WorkKey, EditionKey: w.EditionKey, Provider: w.Provider, Quality: float64(w.Quality),
			Vectorized: w.Vectorized,
		})
	}
	for _, isbn := range notFound {
		res.NotFound = append(res.NotFound, string(isbn))
	}
	return res, nil
}
