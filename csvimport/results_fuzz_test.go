package csvimport_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
)

// FuzzResults decodes any import results data. It must never panic,
// fail only with a *bookstrack.DecodeError, hold no more rows and books
// than the data could describe, and keep unchanged every field the
// server sent well-typed.
func FuzzResults(f *testing.F) {
	f.Add([]byte(fullResults))
	f.Add([]byte(`{"jobId":"j","status":"completed","results":` + fullResults + `}`))
	f.Add([]byte(`{"booksCreated":"2","errors":[{"row":"4","isbn":9780000000000}],"books":[{"authors":"One Author","pageCount":"12"}]}`))
	f.Add([]byte(`{"booksCreated":1.5}`))
	f.Add([]byte(`{"books":[{"authors":[{"name":"A"},{"name":"B"}]}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := csvimport.DecodeResults("job", data)
		if err != nil {
			var de *bookstrack.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is no *DecodeError: %v", err, err)
			}
			return
		}
		if len(res.Errors)+len(res.Books) > len(data) {
			t.Fatalf("%d rows and %d books from %d bytes", len(res.Errors), len(res.Books), len(data))
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(jobs.ResultsField(data), &obj) != nil || obj == nil {
			return
		}
		if m := jobtest.Mismatch(obj, nil, map[string]int{
			"booksCreated": res.BooksCreated, "booksUpdated": res.BooksUpdated, "duplicatesSkipped": res.DuplicatesSkipped,
			"enrichmentSucceeded": res.EnrichmentSucceeded, "enrichmentFailed": res.EnrichmentFailed,
		}); m != "" {
			t.Fatal(m)
		}
		if rows, ok := jobtest.SentObjects(obj, "errors"); ok && len(rows) == len(res.Errors) {
			for i, r := range rows {
				e := res.Errors[i]
				if m := jobtest.Mismatch(r, map[string]string{"isbn": e.ISBN, "error": e.Error}, map[string]int{"row": e.Row}); m != "" {
					t.Fatalf("errors[%d]: %s", i, m)
				}
			}
		}
		if books, ok := jobtest.SentObjects(obj, "books"); ok && len(books) == len(res.Books) {
			for i, raw := range books {
				b := res.Books[i]
				if m := jobtest.Mismatch(raw, map[string]string{
					"isbn": b.ISBN, "title": b.Title, "publisher": b.Publisher, "publishedDate": b.PublishedDate,
					"description": b.Description, "language": b.Language, "coverUrl": b.CoverURL,
				}, map[string]int{"pageCount": b.PageCount}); m != "" {
					t.Fatalf("books[%d]: %s", i, m)
				}
				for name, got := range map[string][]string{"authors": b.Authors, "categories": b.Categories} {
					if want, ok := jobtest.SentStrings(raw, name); ok && !slices.Equal(want, got) {
						t.Fatalf("books[%d].%s: sent %q, decoded %q", i, name, want, got)
					}
				}
			}
		}
	})
}
