package scan

import (
	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/settings"
)

// WithApprovalThreshold sets the confidence from which a detected book
// counts as approved rather than needing review (default 0.8). By the
// module's option rule, zero keeps the default, a negative t turns the
// threshold off (every book of a known confidence is approved), and a t
// above 1 is refused by NewClient with a *bookstrack.InputError. Other
// job clients ignore it.
func WithApprovalThreshold(t float64) bookstrack.Option {
	return func(c *settings.Settings) { c.ApprovalThreshold = t }
}
