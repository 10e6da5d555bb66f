package scan

import (
	"math"

	"github.com/bookstrack/bookstrack-go"
)

// defaultApprovalThreshold is the confidence from which a detected book
// is approved unless WithApprovalThreshold says otherwise.
const defaultApprovalThreshold = 0.8

// thresholdKey keys the approval threshold in bookstrack.Config.Extra.
type thresholdKey struct{}

// WithApprovalThreshold sets the confidence from which a detected book
// counts as approved rather than needing review (default 0.8). By the
// options' zero-value rule, zero keeps the default and a negative t
// turns the threshold off: every book of a known confidence is approved.
// Other job clients ignore it.
func WithApprovalThreshold(t float64) bookstrack.Option {
	return func(c *bookstrack.Config) {
		if c.Extra == nil {
			c.Extra = map[any]any{}
		}
		c.Extra[thresholdKey{}] = t
	}
}

// threshold reads the approval threshold cfg's options set.
func threshold(cfg *bookstrack.Config) float64 {
	t, _ := cfg.Extra[thresholdKey{}].(float64)
	switch {
	case t == 0:
		return defaultApprovalThreshold
	case t < 0:
		return math.Inf(-1) // off: below every confidence
	}
	return t
}
