package bookstracktest

import "strings"

// normalizeISBN removes hyphens and spaces and upper-cases a final x. It
// reports whether the result has the form of an ISBN: 13 digits, or 9
// digits and a digit or X. Check digits are not verified, as the real
// server does not verify them.
func normalizeISBN(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ':
			return -1
		case 'x':
			return 'X'
		}
		return r
	}, s)
	switch len(s) {
	case 13:
		return s, allDigits(s)
	case 10:
		return s, allDigits(s[:9]) && (s[9] == 'X' || allDigits(s[9:]))
	}
	return s, false
}

// isbnKey returns the ISBN-13 form of a normalised ISBN, so that a book
// given once by ISBN-10 and once by ISBN-13 is seen as one.
func isbnKey(isbn string) string {
	if len(isbn) != 10 {
		return isbn
	}
	body := "978" + isbn[:9]
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(body[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + string(rune('0'+(10-sum%10)%10))
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
