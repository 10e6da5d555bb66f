package sse

import "unicode/utf8"

// appendReplacingInvalid appends b to dst with every maximal subpart of an
// ill-formed UTF-8 sequence replaced by one U+FFFD, which is what the
// WHATWG UTF-8 decoder does (Go's strings.ToValidUTF8 instead replaces a
// whole run of bad bytes with one U+FFFD).
func appendReplacingInvalid(dst, b []byte) []byte {
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] < utf8.RuneSelf {
			i++
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		if len(b) == 0 {
			break
		}
		if r, size := utf8.DecodeRune(b); r != utf8.RuneError || size > 1 {
			dst = append(dst, b[:size]...)
			b = b[size:]
			continue
		}
		dst = append(dst, "\uFFFD"...)
		b = b[maximalSubpart(b):]
	}
	return dst
}

// maximalSubpart returns the length of the ill-formed sequence at the start
// of b: its lead byte and the continuation bytes that were still valid
// after it (Unicode's "maximal subpart", table 3-7 of the standard).
func maximalSubpart(b []byte) int {
	lo, hi := byte(0x80), byte(0xBF)
	var need int
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for n <= need && n < len(b) && b[n] >= lo && b[n] <= hi {
		lo, hi = 0x80, 0xBF
		n++
	}
	return n
}

// validPrefix returns the length of the longest prefix of b that is valid
// UTF-8, and whether an ill-formed sequence follows it; when none does,
// the rest of b is the start of a sequence that b cuts short.
func validPrefix(b []byte) (n int, bad bool) {
	if utf8.Valid(b) {
		return len(b), false
	}
	for n < len(b) {
		if b[n] < utf8.RuneSelf {
			n++
			continue
		}
		r, size := utf8.DecodeRune(b[n:])
		if r == utf8.RuneError && size == 1 {
			return n, utf8.FullRune(b[n:])
		}
		n += size
	}
	return n, false
}

// incompleteTail returns the length of the sequence at the end of b that
// is valid so far but cut short: the bytes that must wait for the next
// read before they can be decoded.
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		switch c := b[i]; {
		case c < utf8.RuneSelf:
			return 0
		case c >= 0xC0:
			if utf8.FullRune(b[i:]) {
				return 0
			}
			return len(b) - i
		}
	}
	return 0
}

// repairedLen returns len(appendReplacingInvalid(nil, b)).
func repairedLen(b []byte) int {
	n := 0
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] < utf8.RuneSelf {
			i++
		}
		n += i
		b = b[i:]
		if len(b) == 0 {
			break
		}
		if r, size := utf8.DecodeRune(b); r != utf8.RuneError || size > 1 {
			n += size
			b = b[size:]
			continue
		}
		n += len("\uFFFD")
		b = b[maximalSubpart(b):]
	}
	return n
}
