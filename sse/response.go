package sse

import (
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody bounds how much of an error response's body is kept.
const maxErrorBody = 4 << 10

// checkResponse decides what a response means for the stream. It returns
// nil, false for a stream that opens; nil, true for a 204, which ends the
// stream for good; otherwise the error and whether it ends Connect.
func checkResponse(resp *http.Response, now time.Time) (err error, final bool) {
	where := redactURL(resp.Request.URL)
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
		ct := resp.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "text/event-stream" {
			return &ContentTypeError{ContentType: ct, Header: resp.Header, URL: where}, true
		}
		return nil, false
	case code == http.StatusNoContent:
		return nil, true
	case isRedirect(code):
		return &RedirectError{StatusCode: code, Location: resp.Header.Get("Location"), Reason: "no usable Location"}, true
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		se := &StatusError{
			StatusCode: code,
			Status:     resp.Status,
			Header:     resp.Header,
			Body:       body,
			URL:        where,
		}
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok {
			se.RetryAfter = d
		}
		return se, !se.Temporary()
	}
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
// A date in the past means no delay.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		const maxSecs = uint64(math.MaxInt64) / uint64(time.Second)
		if err != nil || secs > maxSecs {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// redactURL returns u without user info, query and fragment, so that
// tokens never reach error messages and logs.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}
