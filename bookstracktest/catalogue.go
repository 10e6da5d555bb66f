package bookstracktest

import (
	_ "embed"
	"encoding/json"
	"slices"
	"sync"
)

//go:embed catalogue.json
var catalogueJSON []byte

// CatalogueBook is a book of the fake catalogue that enrichment, CSV
// imports and scans draw from. The books are public-domain classics; the
// editions, ISBNs, publishers, keys and descriptions are made up (ISBNs
// carry valid check digits), and cover URLs point at the unresolvable
// host covers.bookstrack.test.
type CatalogueBook struct {
	// ISBN13 is the 13-digit ISBN.
	ISBN13 string `json:"isbn13"`
	// ISBN10 is the 10-character equivalent, empty for 979 ISBNs, which
	// have none.
	ISBN10 string `json:"isbn10,omitempty"`
	// Title and Authors name the book.
	Title   string   `json:"title"`
	Authors []string `json:"authors"`
	// Publisher, PublishedDate ("2003-04-29" or just "1994"), PageCount,
	// Categories, Language (ISO 639-1) and Description describe the
	// edition.
	Publisher     string   `json:"publisher"`
	PublishedDate string   `json:"publishedDate"`
	PageCount     int      `json:"pageCount"`
	Categories    []string `json:"categories"`
	Language      string   `json:"language"`
	Description   string   `json:"description"`
	// CoverURL and ThumbnailURL are the cover images.
	CoverURL     string `json:"coverUrl"`
	ThumbnailURL string `json:"thumbnailUrl"`
	// WorkKey and EditionKey are Open Library style keys.
	WorkKey    string `json:"workKey"`
	EditionKey string `json:"editionKey"`
	// Provider is always "fake".
	Provider string `json:"provider"`
	// Quality is a metadata quality score in 0..1.
	Quality float64 `json:"quality"`
	// Vectorized says whether the book has search embeddings.
	Vectorized bool `json:"vectorized"`
}

type catalogueIndex struct {
	books  []CatalogueBook
	byISBN map[string]int // both ISBN-13 and ISBN-10
}

var loadCatalogue = sync.OnceValue(func() *catalogueIndex {
	idx := &catalogueIndex{byISBN: map[string]int{}}
	if err := json.Unmarshal(catalogueJSON, &idx.books); err != nil {
		panic("bookstracktest: bad catalogue.json: " + err.Error())
	}
	for i, b := range idx.books {
		idx.byISBN[b.ISBN13] = i
		if b.ISBN10 != "" {
			idx.byISBN[b.ISBN10] = i
		}
	}
	return idx
})

// Catalogue returns a copy of the fake catalogue, in a fixed order. Tests
// and demos use it to pick ISBNs that enrichment will find.
func Catalogue() []CatalogueBook {
	books := loadCatalogue().books
	out := make([]CatalogueBook, len(books))
	for i, b := range books {
		b.Authors = slices.Clone(b.Authors)
		b.Categories = slices.Clone(b.Categories)
		out[i] = b
	}
	return out
}

// lookupCatalogue finds a normalised ISBN-10 or ISBN-13 in the
// catalogue. The returned book shares its slices with the catalogue: do
// not modify them.
func lookupCatalogue(isbn string) (CatalogueBook, bool) {
	idx := loadCatalogue()
	i, ok := idx.byISBN[isbn]
	if !ok {
		i, ok = idx.byISBN[isbnKey(isbn)]
	}
	if !ok || isbn == "" {
		return CatalogueBook{}, false
	}
	return idx.books[i], true
}
