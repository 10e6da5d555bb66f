package scan_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/scan"
)

// FuzzResults decodes any scan results data. It must never panic, fail
// only with a *bookstrack.DecodeError, hold no more books than the data
// could describe, and keep unchanged every field the server sent
// well-typed, confidence and bounding box as sent.
func FuzzResults(f *testing.F) {
	f.Add([]byte(detected))
	f.Add([]byte(`{"jobId":"j","results":` + detected + `}`))
	f.Add([]byte(`[{"confidence":"0.9","boundingBox":{"x":"0.1"},"publicationYear":"1999-01-01","isbn":9780000000002}]`))
	f.Add([]byte(`[{"confidence":1e400}]`))
	f.Add([]byte(`[{"publicationYear":"soon"}]`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		books, err := scan.DecodeBooks(data)
		if err != nil {
			var de *bookstrack.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is no *DecodeError: %v", err, err)
			}
			return
		}
		if len(books) > len(data) {
			t.Fatalf("%d books from %d bytes", len(books), len(data))
		}
		var sent []map[string]json.RawMessage
		if json.Unmarshal(jobs.ResultsField(data), &sent) != nil || len(sent) != len(books) {
			return
		}
		for i, raw := range sent {
			b := books[i]
			if m := jobtest.Mismatch(raw, map[string]string{
				"title": b.Title, "author": b.Author, "isbn": b.ISBN, "enrichmentStatus": string(b.EnrichmentStatus),
				"coverUrl": b.CoverURL, "publisher": b.Publisher,
			}, map[string]int{"publicationYear": b.PublicationYear}); m != "" {
				t.Fatalf("books[%d]: %s", i, m)
			}
			if c, ok := jobtest.SentNumber(raw, "confidence"); ok && (!b.ConfidenceKnown || b.Confidence != c) {
				t.Fatalf("books[%d]: confidence %v decoded as %v (known %v)", i, c, b.Confidence, b.ConfidenceKnown)
			}
			if box, ok := jobtest.SentObject(raw, "boundingBox"); ok {
				for name, got := range map[string]float64{"x": b.BoundingBox.X, "y": b.BoundingBox.Y, "width": b.BoundingBox.Width, "height": b.BoundingBox.Height} {
					if v, ok := jobtest.SentNumber(box, name); ok && v != got {
						t.Fatalf("books[%d]: boundingBox.%s %v decoded as %v", i, name, v, got)
					}
				}
			}
		}
	})
}
