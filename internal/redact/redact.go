// Package redact is the module's one redaction of URLs for error texts
// and logs, used by sse and the job packages.
package redact

import (
	"net/url"
	"strings"
)

// URLOf returns u without user info, query and fragment ("" for nil).
func URLOf(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}

// URL returns the URL s without user info, query and fragment. A
// relative reference keeps its path; one that does not parse keeps only
// what precedes a query or fragment, without what looks like user info.
func URL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return URLOf(u)
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if at := strings.LastIndex(s, "@"); at >= 0 {
		start := 0
		if i := strings.Index(s, "//"); i >= 0 && i < at {
			start = i + 2
		}
		s = s[:start] + s[at+1:]
	}
	return s
}
