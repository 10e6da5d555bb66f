package bookstracktest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// importBook is a book of a CSV import's results.
type importBook struct {
	ISBN          string   `json:"isbn"`
	Title         string   `json:"title"`
	Authors       []string `json:"authors"`
	Publisher     string   `json:"publisher,omitempty"`
	PublishedDate string   `json:"publishedDate,omitempty"`
	Description   string   `json:"description,omitempty"`
	PageCount     int      `json:"pageCount,omitempty"`
	Categories    []string `json:"categories,omitempty"`
	Language      string   `json:"language"`
	CoverURL      string   `json:"coverUrl,omitempty"`
}

// importError is an entry of a CSV import's errors array.
type importError struct {
	Row   int    `json:"row"`
	ISBN  string `json:"isbn,omitempty"`
	Error string `json:"error"`
}

// importResults is what the results route returns for a CSV import.
type importResults struct {
	BooksCreated        int           `json:"booksCreated"`
	BooksUpdated        int           `json:"booksUpdated"`
	DuplicatesSkipped   int           `json:"duplicatesSkipped"`
	EnrichmentSucceeded int           `json:"enrichmentSucceeded"`
	EnrichmentFailed    int           `json:"enrichmentFailed"`
	Errors              []importError `json:"errors"`
	Books               []importBook  `json:"books"`
}

// parseImport reads a CSV in the layout of a Goodreads library export and
// enriches its books from the catalogue. Columns are found by header name,
// ignoring case and surrounding spaces; only Title is required. It returns
// an error when the file is not a CSV with a Title column.
func parseImport(data []byte) (importResults, error) {
	res := importResults{Errors: []importError{}, Books: []importBook{}}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true // Goodreads writes ISBNs as ="0439023483", a bare quote
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return res, errors.New("the CSV file has no header row")
	}
	if err != nil {
		return res, fmt.Errorf("the CSV file cannot be read: %v", err)
	}
	col := map[string]int{}
	for i, name := range header {
		col[strings.ToLower(strings.TrimSpace(name))] = i
	}
	if _, ok := col["title"]; !ok {
		return res, errors.New("the CSV file has no Title column")
	}
	seen := map[string]bool{}
	for row := 2; ; row++ { // the header is row 1
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("the CSV file cannot be read: %v", err)
		}
		field := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		isbn := goodreadsISBN(field("isbn13"))
		if isbn == "" {
			isbn = goodreadsISBN(field("isbn"))
		}
		title := field("title")
		if title == "" {
			res.Errors = append(res.Errors, importError{Row: row, ISBN: isbn, Error: "missing title"})
			continue
		}
		if isbn != "" {
			if seen[isbnKey(isbn)] {
				res.DuplicatesSkipped++
				continue
			}
			seen[isbnKey(isbn)] = true
		}
		b := importBook{
			ISBN:          isbn,
			Title:         title,
			Authors:       splitAuthors(field("author"), field("additional authors")),
			Publisher:     field("publisher"),
			PublishedDate: field("year published"),
			Language:      "en",
		}
		if b.PublishedDate == "" {
			b.PublishedDate = field("original publication year")
		}
		b.PageCount, _ = strconv.Atoi(field("number of pages"))
		if enrichImportBook(&b) {
			res.EnrichmentSucceeded++
		} else {
			res.EnrichmentFailed++
		}
		res.Books = append(res.Books, b)
	}
	res.BooksCreated = len(res.Books)
	return res, nil
}

// goodreadsISBN cleans an ISBN cell: Goodreads writes ="0439023483", or
// ="" when it has none. A cell that is not an ISBN gives "".
func goodreadsISBN(cell string) string {
	cell = strings.TrimPrefix(strings.TrimSpace(cell), "=")
	cell = strings.Trim(cell, `"`)
	if isbn, ok := normalizeISBN(cell); ok {
		return isbn
	}
	return ""
}

func splitAuthors(main, additional string) []string {
	authors := []string{}
	for _, a := range append([]string{main}, strings.Split(additional, ",")...) {
		if a = strings.TrimSpace(a); a != "" {
			authors = append(authors, a)
		}
	}
	return authors
}

// enrichImportBook completes b from the catalogue, keeping what the CSV
// gave, and reports whether its ISBN was found.
func enrichImportBook(b *importBook) bool {
	cb, ok := lookupCatalogue(b.ISBN)
	if !ok {
		return false
	}
	if b.Publisher == "" {
		b.Publisher = cb.Publisher
	}
	if b.PublishedDate == "" {
		b.PublishedDate = cb.PublishedDate
	}
	if b.PageCount == 0 {
		b.PageCount = cb.PageCount
	}
	if len(b.Authors) == 0 {
		b.Authors = append([]string{}, cb.Authors...)
	}
	b.Description = cb.Description
	b.Categories = append([]string{}, cb.Categories...)
	b.Language = cb.Language
	b.CoverURL = cb.CoverURL
	return true
}
