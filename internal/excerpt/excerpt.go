// Package excerpt cuts text for error messages: the module's one copy,
// shared by sse and the job packages.
package excerpt

import (
	"strings"
	"unicode/utf8"
)

// Cut returns s with invalid UTF-8 replaced by U+FFFD, cut to at most n
// bytes at a character boundary and marked "..." where it was cut.
func Cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
