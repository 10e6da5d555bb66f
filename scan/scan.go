// Package scan detects the books on one to five bookshelf photos with
// BooksTrack and follows the scan to its results: each detected book with
// its bounding box and confidence, split into approved and needs-review
// by a confidence threshold (WithApprovalThreshold, default 0.8).
//
//	c, err := scan.NewClient(bookstrack.WithBaseURL(url))
//	job, err := c.Start(ctx, photo1, photo2)
//	for p, err := range c.Updates(ctx, job, bookstrack.Handlers{}) { ... scan.StageOf(p) ... }
//	res, err := c.Results(ctx, job.ID)
//
// NewClient takes the bookstrack options, under the module's one option
// rule: a zero value keeps the default, a negative number turns the
// setting off where it can be off, and a value out of range makes
// NewClient fail with a *bookstrack.InputError naming the option and its
// range.
package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// Limits of a scan, checked before any upload.
const (
	MaxPhotos     = 5
	MaxPhotoSize  = 10_000_000 // 10 MB
	MaxPhotosSize = 50_000_000 // 50 MB in all
)

// Client starts and follows bookshelf scans. It is safe for concurrent
// use.
type Client struct {
	jobs      *jobs.Client
	threshold float64
}

// NewClient returns a Client configured by opts.
func NewClient(opts ...bookstrack.Option) (*Client, error) {
	jc, err := jobs.New(bookstrack.KindScan, opts)
	if err != nil {
		return nil, err
	}
	return &Client{jobs: jc, threshold: jc.Settings().ApprovalThreshold}, nil
}

// Start uploads the photos (1 to MaxPhotos, each at most MaxPhotoSize
// bytes, MaxPhotosSize in all; anything else is refused with an
// *bookstrack.InputError before any upload) and returns the started job.
func (c *Client) Start(ctx context.Context, photos ...[]byte) (bookstrack.Job, error) {
	if len(photos) == 0 || len(photos) > MaxPhotos {
		return bookstrack.Job{}, &bookstrack.InputError{Field: "photos", Reason: fmt.Sprintf("%d photos given, want 1 to %d", len(photos), MaxPhotos)}
	}
	parts := make([]jobs.Part, len(photos))
	total := 0
	for i, p := range photos {
		field := fmt.Sprintf("photos[%d]", i)
		switch {
		case len(p) == 0:
			return bookstrack.Job{}, &bookstrack.InputError{Field: field, Reason: "the photo is empty"}
		case len(p) > MaxPhotoSize:
			return bookstrack.Job{}, &bookstrack.InputError{Field: field, Reason: fmt.Sprintf("%d bytes, over the %d limit", len(p), MaxPhotoSize)}
		}
		total += len(p)
		parts[i] = jobs.Part{Field: "photos[]", Filename: fmt.Sprintf("photo%d", i+1), ContentType: http.DetectContentType(p), Data: p}
	}
	if total > MaxPhotosSize {
		return bookstrack.Job{}, &bookstrack.InputError{Field: "photos", Reason: fmt.Sprintf("%d bytes in all, over the %d limit", total, MaxPhotosSize)}
	}
	ct, body, err := jobs.Multipart(parts...)
	if err != nil {
		return bookstrack.Job{}, err
	}
	return c.jobs.Start(ctx, ct, body)
}

// Watch follows the scan until it ends, calling h as it goes, and
// returns its completion. A failed or canceled scan returns a
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

// Status reads the scan's status from the status route (the start
// response's statusUrl is not used here). A running or completed scan
// gives its Progress and a nil error. A failed or canceled scan gives
// its Progress (status, fraction and counts as the server sent them)
// together with a *bookstrack.JobFailedError carrying the server's code
// and message. A field of the status that cannot be read is left zero
// and reported by a *bookstrack.DecodeError beside the Progress (not for
// a failed scan, whose error is the JobFailedError). A refused call is
// a *bookstrack.APIError (404, an unknown or expired job, matches
// bookstrack.ErrNotFound) or, once the retries are used up, a
// *bookstrack.RateLimitError. With the V2 route set it returns an error
// matching bookstrack.ErrNoRoute without a request.
func (c *Client) Status(ctx context.Context, jobID string) (bookstrack.Progress, error) {
	return c.jobs.Status(ctx, jobID)
}

// Cancel cancels the scan.
func (c *Client) Cancel(ctx context.Context, jobID string) error {
	return c.jobs.Cancel(ctx, jobID)
}

// Results fetches the detected books. It returns an error matching
// bookstrack.ErrResultsUnavailable while the scan runs and after the
// results expired.
func (c *Client) Results(ctx context.Context, jobID string) (*Results, error) {
	data, err := c.jobs.Results(ctx, jobID)
	if err != nil {
		return nil, err
	}
	books, err := decodeBooks(data)
	if err != nil {
		return nil, err
	}
	res := &Results{JobID: jobID, Books: books, Threshold: c.threshold}
	res.Approved, res.NeedsReview = Split(books, c.threshold)
	return res, nil
}

// Results are the books a scan detected.
type Results struct {
	JobID string
	// Books are every detected book, in the server's order.
	Books []DetectedBook
	// Approved holds the books detected with a confidence of at least
	// Threshold; NeedsReview the others, unknown confidence included.
	Approved, NeedsReview []DetectedBook
	Threshold             float64
}

// Split divides books by confidence: at least threshold is approved.
func Split(books []DetectedBook, threshold float64) (approved, needsReview []DetectedBook) {
	for _, b := range books {
		if b.ConfidenceKnown && b.Confidence >= threshold {
			approved = append(approved, b)
		} else {
			needsReview = append(needsReview, b)
		}
	}
	return approved, needsReview
}

// DetectedBook is a book found on a photo.
type DetectedBook struct {
	Title, Author string
	// ISBN is empty when the server found none.
	ISBN string
	// Confidence is from 0 to 1; ConfidenceKnown is false when the server
	// sent null.
	Confidence      float64
	ConfidenceKnown bool
	// BoundingBox locates the spine on the photo, normalised to 0..1.
	BoundingBox      Box
	EnrichmentStatus EnrichmentStatus
	CoverURL         string
	Publisher        string
	// PublicationYear is 0 when unknown (one server version sends a date:
	// its year is kept).
	PublicationYear int
}

// Box is a rectangle in coordinates normalised to 0..1.
type Box struct{ X, Y, Width, Height float64 }

// EnrichmentStatus says how the server's lookup of a detected book went.
type EnrichmentStatus string

// The enrichment statuses the server sends.
const (
	EnrichmentPending     EnrichmentStatus = "pending"
	EnrichmentSuccess     EnrichmentStatus = "success"
	EnrichmentNotFound    EnrichmentStatus = "not_found"
	EnrichmentError       EnrichmentStatus = "error"
	EnrichmentCircuitOpen EnrichmentStatus = "circuit_open"
)

type wireBook struct {
	Title       string         `json:"title"`
	Author      lenient.String `json:"author"`
	ISBN        lenient.String `json:"isbn"`
	Confidence  *lenient.Float `json:"confidence"`
	BoundingBox struct {
		X      lenient.Float `json:"x"`
		Y      lenient.Float `json:"y"`
		Width  lenient.Float `json:"width"`
		Height lenient.Float `json:"height"`
	} `json:"boundingBox"`
	EnrichmentStatus string       `json:"enrichmentStatus"`
	CoverURL         string       `json:"coverUrl"`
	Publisher        string       `json:"publisher"`
	PublicationYear  lenient.Year `json:"publicationYear"`
}

func decodeBooks(data json.RawMessage) ([]DetectedBook, error) {
	var wire []wireBook
	if err := lenient.Decode(jobs.ResultsField(data), &wire, "scan results"); err != nil {
		return nil, err
	}
	books := make([]DetectedBook, len(wire))
	for i, w := range wire {
		b := DetectedBook{
			Title: w.Title, Author: string(w.Author), ISBN: string(w.ISBN),
			BoundingBox:      Box{float64(w.BoundingBox.X), float64(w.BoundingBox.Y), float64(w.BoundingBox.Width), float64(w.BoundingBox.Height)},
			EnrichmentStatus: EnrichmentStatus(w.EnrichmentStatus),
			CoverURL:         w.CoverURL, Publisher: w.Publisher, PublicationYear: int(w.PublicationYear),
		}
		if w.Confidence != nil {
			b.Confidence, b.ConfidenceKnown = float64(*w.Confidence), true
		}
		books[i] = b
	}
	return books, nil
}
