package main

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"

	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

// readInput reads the file at path, or stdin for "-", at most limit
// bytes (one more tells that it is too large).
func readInput(path string, stdin io.Reader, limit int64, what string) ([]byte, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fileError(err, path, what)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fileError(err, path, what)
	}
	if int64(len(data)) > limit {
		return nil, usagef("the server takes at most "+humanBytes(limit), "%s %s is too large", what, path)
	}
	if len(data) == 0 {
		return nil, usagef("check the path", "%s %s is empty", what, path)
	}
	return data, nil
}

// fileError says why path cannot be read, in one line.
func fileError(err error, path, what string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	hint := "check the path and its permissions"
	if errors.Is(err, fs.ErrNotExist) {
		hint = "check the path"
	}
	return usagef(hint, "cannot read %s %s: %v", what, path, err)
}

func humanBytes(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%1_000_000 == 0:
		return fmt.Sprintf("%d MB", n/1_000_000)
	}
	return fmt.Sprintf("%d bytes", n)
}

// The input checks, the same for every kind of job, all before anything
// is uploaded: each file is read whole (within the server's size limit)
// and its type checked by its first bytes (http.DetectContentType);
// repeats count once, against limits that name their number.

// readCSV reads the library export of an import and checks that it is
// text.
func readCSV(path string, stdin io.Reader) ([]byte, error) {
	data, err := readInput(path, stdin, csvimport.MaxFileSize, "CSV file")
	if err != nil {
		return nil, err
	}
	if ct := http.DetectContentType(data); !strings.HasPrefix(ct, "text/") {
		return nil, usagef("give a library export in CSV (text), such as Goodreads' goodreads_library_export.csv", "CSV file %s is not text (it looks like %s)", path, ct)
	}
	return data, nil
}

// readPhotos reads the photos of a scan and checks that they are images;
// the same photo given twice (the same bytes) is sent once.
func readPhotos(paths []string, stdin io.Reader) ([][]byte, error) {
	limit := fmt.Sprintf("a scan takes at most %d photos; scan the others in another job", scan.MaxPhotos)
	if len(paths) > 10*scan.MaxPhotos {
		return nil, usagef(limit, "%d photos given", len(paths)) // not read: too many even with repeats
	}
	var photos [][]byte
	seen := map[[sha256.Size]byte]bool{}
	distinct, total := 0, 0
	for _, p := range paths {
		data, err := readInput(p, stdin, scan.MaxPhotoSize, "photo")
		if err != nil {
			return nil, err
		}
		if ct := http.DetectContentType(data); !strings.HasPrefix(ct, "image/") {
			return nil, usagef("give JPEG, PNG, GIF or WebP photos", "photo %s is not an image (it looks like %s)", p, ct)
		}
		sum := sha256.Sum256(data)
		if seen[sum] {
			continue
		}
		seen[sum] = true
		distinct++
		if distinct <= scan.MaxPhotos { // the others are only counted
			total += len(data)
			photos = append(photos, data)
		}
	}
	if distinct > scan.MaxPhotos {
		what := "photos"
		if distinct < len(paths) {
			what = "different photos"
		}
		return nil, usagef(limit, "%d %s given", distinct, what)
	}
	if total > scan.MaxPhotosSize {
		return nil, usagef("the server takes at most "+humanBytes(scan.MaxPhotosSize)+" in all", "the photos are too large together")
	}
	return photos, nil
}

// readISBNs returns the ISBNs of args, where "-" reads one or more per
// line from stdin; each is checked before anything is sent.
func readISBNs(args []string, stdin io.Reader) ([]string, error) {
	var isbns []string
	for _, a := range args {
		if a != "-" {
			isbns = append(isbns, a)
			continue
		}
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			isbns = append(isbns, strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
		}
		if err := sc.Err(); err != nil {
			return nil, usagef("", "reading ISBNs from standard input: %v", err)
		}
	}
	if len(isbns) == 0 {
		return nil, usagef(fmt.Sprintf("give 1 to %d ISBNs, as arguments or on standard input with -", enrichment.MaxISBNs), "no ISBN given")
	}
	var bad, distinct []string
	seen := map[string]bool{}
	for _, s := range isbns {
		n, err := enrichment.NormalizeISBN(s)
		switch {
		case err != nil:
			bad = append(bad, fmt.Sprintf("%q", s))
		case !seen[n]:
			seen[n] = true
			distinct = append(distinct, s) // as given: the not-found list spells it so
		}
	}
	if len(bad) > 0 {
		return nil, usagef("an ISBN is 10 or 13 digits (hyphens and spaces allowed, an ISBN-10 may end in X)", "not an ISBN: %s", strings.Join(bad, ", "))
	}
	if len(distinct) > enrichment.MaxISBNs {
		return nil, usagef(fmt.Sprintf("an enrichment takes at most %d ISBNs; enrich the others in another job", enrichment.MaxISBNs), "%d different ISBNs given", len(distinct))
	}
	return distinct, nil
}
