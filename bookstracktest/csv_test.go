package bookstracktest_test

import (
	"strings"
	"testing"

	"github.com/bookstrack/bookstrack-go/bookstracktest"
)

// goodreadsCSV is a Goodreads library export: a BOM, the full header,
// ISBNs as ="...", a quoted title with a comma, a row without title, and
// a duplicate (the first book again, by its ISBN-10 only).
const goodreadsCSV = "\ufeffBook Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,Average Rating,Publisher,Binding,Number of Pages,Year Published,Original Publication Year,Date Read,Date Added,Bookshelves,Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,Read Count,Owned Copies\n" +
	`1885,Pride and Prejudice,Jane Austen,"Austen, Jane",,="0141439513",="9780141439518",5,4.29,,Paperback,,2002,1813,2024/01/05,2023/12/01,classics,classics (#1),read,,,,1,0` + "\n" +
	`99999,"Notes, Letters and Lists",Ann Nobody,"Nobody, Ann","Bea Somebody, Cy Else",="",="",0,3.10,Small Press,Hardcover,212,2019,2019,,2024/02/02,,,to-read,,,,0,0` + "\n" +
	`5,,Someone,"One, Some",,="0486406512",="",0,0,,,,,,,2024/02/03,,,to-read,,,,0,0` + "\n" +
	`1886,Pride & Prejudice (again),Jane Austen,"Austen, Jane",,="0141439513",="",0,4.29,,,,,,,2024/02/04,,,to-read,,,,0,0` + "\n" +
	`345,Dracula,Bram Stoker,"Stoker, Bram",,="",="9780486406510",4,4.01,,,,,,,2024/02/05,,,read,,,,1,0` + "\n"

// TestCSVImport runs a Goodreads export through the import ladder and
// checks the parsed results.
func TestCSVImport(t *testing.T) {
	e := setup(t)
	s := e.startImport("/v3/jobs/imports", goodreadsCSV)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	for _, want := range []struct {
		progress float64
		message  string
	}{
		{0.02, "Validating CSV file..."},
		{0.05, "Uploading CSV for processing..."},
		{0.75, "Parsed 3 books"},
		{0.80, "Saving books to your library..."},
		{0.85, "Enriching 3 books..."},
		{0.95, "Enriched 2/3 books"},
	} {
		e.clock.Advance(step)
		_, d := c.event("progress")
		if d["progress"] != want.progress || d["message"] != want.message || d["processedCount"] != 0.0 || d["totalCount"] != 0.0 {
			t.Errorf("got %v, want %v", d, want)
		}
	}
	e.clock.Advance(step)
	_, d := c.event("completed")
	if books, ok := d["books"].([]any); !ok || len(books) != 0 || d["processedCount"] != 0.0 || d["totalCount"] != 0.0 {
		t.Errorf("queued completed %v, want counts 0 and an empty books array", d)
	}
	e.clock.Advance(bookstracktest.DefaultFinalDelay)
	_, d = c.event("completed")
	if books, _ := d["books"].([]any); len(books) != 3 {
		t.Errorf("final completed %v", d)
	}

	r := field(e.get("/v3/jobs/imports/"+s.JobID+"/results", 200), "data", "results").(map[string]any)
	for k, want := range map[string]float64{"booksCreated": 3, "booksUpdated": 0, "duplicatesSkipped": 1, "enrichmentSucceeded": 2, "enrichmentFailed": 1} {
		if r[k] != want {
			t.Errorf("%s = %v, want %v", k, r[k], want)
		}
	}
	errs := r["errors"].([]any)
	if len(errs) != 1 || field(errs[0], "row") != 4.0 || field(errs[0], "isbn") != "0486406512" || field(errs[0], "error") != "missing title" {
		t.Errorf("errors %v", errs)
	}
	books := r["books"].([]any)
	pride, notes, dracula := books[0], books[1], books[2]
	if field(pride, "isbn") != "9780141439518" || field(pride, "title") != "Pride and Prejudice" ||
		field(pride, "publishedDate") != "2002" || field(pride, "publisher") != "Harbour Lane Classics" ||
		field(pride, "pageCount") != 432.0 || field(pride, "coverUrl") == nil || field(pride, "description") == nil {
		t.Errorf("enriched book %v", pride)
	}
	if field(notes, "isbn") != "" || field(notes, "title") != "Notes, Letters and Lists" || field(notes, "publisher") != "Small Press" ||
		field(notes, "pageCount") != 212.0 || field(notes, "language") != "en" || field(notes, "coverUrl") != nil ||
		strings.Join(toStrings(field(notes, "authors")), "|") != "Ann Nobody|Bea Somebody|Cy Else" {
		t.Errorf("unenriched book %v", notes)
	}
	if field(dracula, "isbn") != "9780486406510" || field(dracula, "publishedDate") != "2000-10-23" {
		t.Errorf("book %v", dracula)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// TestCSVInvalid: a file without a header or a Title column fails the job after
// validation.
func TestCSVInvalid(t *testing.T) {
	for _, csv := range []string{"Name,ISBN\nDracula,0486406512\n", "\n\n"} {
		e := setup(t)
		s := e.startImport("/v3/jobs/imports", csv)
		c := e.openJob(s)
		c.event("progress")
		e.wait(s.JobID, 1)
		e.clock.Advance(step)
		if _, d := c.event("progress"); d["progress"] != 0.02 {
			t.Errorf("validation step %v", d)
		}
		e.clock.Advance(step)
		_, d := c.event("failed")
		if field(d, "error", "code") != "INVALID_CSV" || field(d, "error", "retryable") != false || d["progress"] != 0.02 {
			t.Errorf("%q: failed %v", csv, d)
		}
	}
}
