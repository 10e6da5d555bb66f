package enrichment

import (
	"fmt"
	"strings"

	"github.com/bookstrack/bookstrack-go"
)

// MaxISBNs is the most ISBNs one batch may hold.
const MaxISBNs = 500

// NormalizeISBN returns the ISBN as the server wants it: digits only. It
// drops hyphens and spaces and turns an ISBN-10 whose check digit is X
// into its ISBN-13, since the server accepts digits alone. Anything else
// that is not 10 or 13 digits is refused with an *bookstrack.InputError.
// Checksums are not verified, as the server does not verify them either.
func NormalizeISBN(s string) (string, error) {
	d := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(d) == 10 && (d[9] == 'X' || d[9] == 'x') && allDigits(d[:9]) {
		return isbn13(d[:9]), nil
	}
	if (len(d) != 10 && len(d) != 13) || !allDigits(d) {
		return "", &bookstrack.InputError{Field: "isbn", Reason: fmt.Sprintf("%q is not 10 or 13 digits", s)}
	}
	return d, nil
}

// isbn13 turns the first nine digits of an ISBN-10 into an ISBN-13.
func isbn13(nine string) string {
	d := "978" + nine
	sum := 0
	for i, c := range d {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += w * int(c-'0')
	}
	return d + string(rune('0'+(10-sum%10)%10))
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func normalizeAll(isbns []string) ([]string, error) {
	if len(isbns) == 0 || len(isbns) > MaxISBNs {
		return nil, &bookstrack.InputError{Field: "isbns", Reason: fmt.Sprintf("%d ISBNs given, want 1 to %d", len(isbns), MaxISBNs)}
	}
	out := make([]string, len(isbns))
	for i, s := range isbns {
		n, err := NormalizeISBN(s)
		if err != nil {
			return nil, &bookstrack.InputError{Field: fmt.Sprintf("isbns[%d]", i), Reason: err.(*bookstrack.InputError).Reason}
		}
		out[i] = n
	}
	return out, nil
}
