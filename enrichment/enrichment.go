// Package enrichment enriches books by ISBN with BooksTrack: it starts an
// asynchronous batch, follows it, and reads the enriched books and the
// ISBNs that were not found.
//
//	c, err := enrichment.NewClient(bookstrack.WithBaseURL(url))
//	job, err := c.Start(ctx, []string{"978-0-14-143951-8", "0141439513"})
//	_, err = c.Watch(ctx, job, bookstrack.Handlers{Progress: show})
//	res, err := c.Results(ctx, job.ID)
//
// NewClient takes the bookstrack options, under the module's one option
// rule: a zero value keeps the default, a negative number turns the
// setting off where it can be off, and a value out of range makes
// NewClient fail with a *bookstrack.InputError naming the option and its
// range.
package enrichment

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"sync"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// Client starts and follows enrichment batches. It is safe for concurrent
// use.
type Client struct {
	jobs *jobs.Client

	mu    sync.Mutex
	asked map[string]map[string]string // job ID: ISBN sent -> ISBN the caller passed
	order []string                     // job IDs of asked, oldest first
}

// maxRemembered bounds how many batches' ISBN spellings a Client keeps.
const maxRemembered = 1024

// NewClient returns a Client configured by opts.
func NewClient(opts ...bookstrack.Option) (*Client, error) {
	jc, err := jobs.New(bookstrack.KindEnrichment, opts)
	if err != nil {
		return nil, err
	}
	return &Client{jobs: jc, asked: map[string]map[string]string{}}, nil
}

// remember keeps how the caller spelled the ISBNs of a batch it started,
// for the batch's not-found list.
func (c *Client) remember(jobID string, sent, passed []string) {
	spelled := make(map[string]string, len(sent))
	for i, s := range sent {
		if _, dup := spelled[s]; !dup {
			spelled[s] = passed[i]
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.asked[jobID]; !ok {
		c.order = append(c.order, jobID)
	}
	c.asked[jobID] = spelled
	for len(c.order) > maxRemembered {
		delete(c.asked, c.order[0])
		c.order = c.order[1:]
	}
}

// spelling returns the ISBN as the caller passed it in the batch, or isbn
// itself when the batch was not started by this client.
func (c *Client) spelling(jobID, isbn string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.asked[jobID][isbn]; ok {
		return s
	}
	return isbn
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
	job, err := c.jobs.Start(ctx, "application/json", body)
	if err == nil {
		c.remember(job.ID, norm, isbns)
	}
	return job, err
}

// Watch follows the batch until it ends, calling h as it goes, and
// returns its completion. A failed or canceled batch returns a
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

// Status reads the batch's status from the status route (the start
// response's statusUrl is not used here). A running or completed batch
// gives its Progress and a nil error. A failed or canceled batch gives
// its Progress (status, fraction and counts as the server sent them)
// together with a *bookstrack.JobFailedError carrying the server's code
// and message. A field of the status that cannot be read is left zero
// and reported by a *bookstrack.DecodeError beside the Progress (not for
// a failed batch, whose error is the JobFailedError). A refused call is
// a *bookstrack.APIError (404, an unknown or expired job, matches
// bookstrack.ErrNotFound) or, once the retries are used up, a
// *bookstrack.RateLimitError. With the V2 route set it returns an error
// matching bookstrack.ErrNoRoute without a request.
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
	res, err := decodeResults(jobID, data)
	if err != nil {
		return nil, err
	}
	for i, isbn := range res.NotFound {
		res.NotFound[i] = c.spelling(jobID, isbn)
	}
	return res, nil
}

// Results is what a batch found.
type Results struct {
	JobID string
	// Books are the enriched books.
	Books []Book
	// NotFound lists the ISBNs nothing was found for, spelled as they
	// were passed to Start when this Client started the batch (an
	// ISBN-10 stays an ISBN-10, hyphens stay), as the server sent them
	// otherwise.
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
