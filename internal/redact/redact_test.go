package redact_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bookstrack/bookstrack-go/internal/redact"
)

func TestURLDropsUserInfoQueryAndFragment(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://user:pw@api.example/v3/jobs/1/stream?token=s3cret#frag", "https://api.example/v3/jobs/1/stream"},
		{"/moved?token=s3cret", "/moved"},
		{"http://[::1", "http://[::1"},
		// Does not parse: what looks like user info goes too.
		{"http://user:pw@[::1/x?token=s3cret", "http://[::1/x"},
		{"user:pw@[::1", "user:"}, // a scheme "user" and an opaque part, dropped
		{"", ""},
	} {
		got := redact.URL(tc.in)
		assert.Equal(t, tc.want, got, "URL(%q)", tc.in)
		assert.NotContains(t, got, "pw")
		assert.NotContains(t, got, "s3cret")
	}
}
