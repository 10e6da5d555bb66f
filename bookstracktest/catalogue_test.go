package bookstracktest_test

import (
	"strings"
	"testing"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// TestCatalogue: about 30 books with valid, distinct ISBNs and complete
// metadata; Catalogue returns a copy.
func TestCatalogue(t *testing.T) {
	books := bookstracktest.Catalogue()
	if len(books) < 25 || len(books) > 40 {
		t.Fatalf("%d books", len(books))
	}
	seen := map[string]bool{}
	for _, b := range books {
		if !validISBN13(b.ISBN13) || seen[b.ISBN13] {
			t.Errorf("%s: ISBN-13 %q invalid or repeated", b.Title, b.ISBN13)
		}
		seen[b.ISBN13] = true
		switch {
		case strings.HasPrefix(b.ISBN13, "978"):
			if !validISBN10(b.ISBN10) || b.ISBN10[:9] != b.ISBN13[3:12] {
				t.Errorf("%s: ISBN-10 %q does not match %s", b.Title, b.ISBN10, b.ISBN13)
			}
		case b.ISBN10 != "":
			t.Errorf("%s: a 979 ISBN with ISBN-10 %q", b.Title, b.ISBN10)
		}
		if b.Title == "" || len(b.Authors) == 0 || b.Publisher == "" || len(b.PublishedDate) < 4 || b.PageCount <= 0 ||
			len(b.Categories) == 0 || b.Language == "" || b.Description == "" || b.WorkKey == "" || b.EditionKey == "" ||
			b.Provider != "fake" || b.Quality <= 0 || b.Quality > 1 ||
			!strings.HasPrefix(b.CoverURL, "https://covers.bookstrack.test/") || !strings.HasPrefix(b.ThumbnailURL, "https://covers.bookstrack.test/") {
			t.Errorf("incomplete book %+v", b)
		}
	}
	books[0].Authors[0] = "changed"
	books[0].Title = "changed"
	if again := bookstracktest.Catalogue(); again[0].Authors[0] == "changed" || again[0].Title == "changed" {
		t.Error("Catalogue shares its data")
	}
}

func validISBN13(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for i, c := range s {
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return sum%10 == 0
}

func validISBN10(s string) bool {
	if len(s) != 10 {
		return false
	}
	sum := 0
	for i, c := range s {
		d := int(c - '0')
		switch {
		case c == 'X' && i == 9:
			d = 10
		case c < '0' || c > '9':
			return false
		}
		sum += (10 - i) * d
	}
	return sum%11 == 0
}
