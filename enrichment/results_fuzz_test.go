package enrichment_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

// FuzzResults decodes any enrichment results data, in its three shapes.
// It must never panic, fail only with a *bookstrack.DecodeError, hold no
// more books and ISBNs than the data could describe, and keep unchanged
// every field the server sent well-typed.
func FuzzResults(f *testing.F) {
	f.Add([]byte(`{"enrichedBooks":[` + fullBook + `,` + objectAuthors + `,` + mixedAuthors + `,` + oneAuthor + `],"notFound":["9780000000001",9780000000003]}`))
	f.Add([]byte(`{"jobId":"j","results":[` + fullBook + `]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[{"pageCount":"many"}]`))
	f.Add([]byte(`{"enrichedBooks":[{"authors":[1]}]}`))
	f.Add([]byte(`{"notFound":["0-306-40615-2"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := enrichment.DecodeResults("job", data)
		if err != nil {
			var de *bookstrack.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is no *DecodeError: %v", err, err)
			}
			return
		}
		if len(res.Books)+len(res.NotFound) > len(data) {
			t.Fatalf("%d books and %d ISBNs from %d bytes", len(res.Books), len(res.NotFound), len(data))
		}
		inner := bytes.TrimSpace(jobs.ResultsField(data))
		var sent []map[string]json.RawMessage
		if json.Unmarshal(inner, &sent) != nil {
			var obj map[string]json.RawMessage
			if json.Unmarshal(inner, &obj) != nil {
				return
			}
			sent, _ = jobtest.SentObjects(obj, "enrichedBooks")
			if isbns, ok := jobtest.SentStrings(obj, "notFound"); ok && !slices.Equal(isbns, res.NotFound) {
				t.Fatalf("notFound %q decoded as %q", isbns, res.NotFound)
			}
		}
		if len(sent) != len(res.Books) {
			return
		}
		for i, raw := range sent {
			b := res.Books[i]
			if m := jobtest.Mismatch(raw, map[string]string{
				"isbn": b.ISBN, "title": b.Title, "publisher": b.Publisher, "publishedDate": b.PublishedDate,
				"description": b.Description, "language": b.Language, "coverUrl": b.CoverURL, "thumbnailUrl": b.ThumbnailURL,
				"workKey": b.WorkKey, "editionKey": b.EditionKey, "provider": b.Provider,
			}, map[string]int{"pageCount": b.PageCount}); m != "" {
				t.Fatalf("books[%d]: %s", i, m)
			}
			if q, ok := jobtest.SentNumber(raw, "quality"); ok && q != b.Quality {
				t.Fatalf("books[%d]: quality %v decoded as %v", i, q, b.Quality)
			}
			for name, got := range map[string][]string{"authors": b.Authors, "categories": b.Categories} {
				if want, ok := jobtest.SentStrings(raw, name); ok && !slices.Equal(want, got) {
					t.Fatalf("books[%d].%s: sent %q, decoded %q", i, name, want, got)
				}
			}
		}
	})
}
