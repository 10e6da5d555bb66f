// Package retryafter reads the Retry-After header, for the sse package
// and the job packages alike: the module's one parser.
package retryafter

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse reads a Retry-After value, delay seconds (digits only, as RFC
// 9110 defines them) or an HTTP date relative to now, capped at limit.
// A number of seconds too large for a time.Duration is a wait of limit,
// not an overflow; a date in the past is no wait; anything else (empty,
// negative, fractional, garbage) is not a Retry-After and ok is false.
func Parse(v string, now time.Time, limit time.Duration) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if err != nil || secs >= uint64(limit/time.Second) {
			return max(limit, 0), true
		}
		return min(time.Duration(secs)*time.Second, limit), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), max(limit, 0)), true
	}
	return 0, false
}
