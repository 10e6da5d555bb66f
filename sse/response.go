package sse

import (
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go/internal/retryafter"

	"github.com/bookstrack/bookstrack-go/internal/redact"
)

// maxErrorBody bounds how much of an error response's body is kept.
const maxErrorBody = 4 << 10

// checkResponse decides what a response means for the stream. It returns
// nil, false for a stream that opens; nil, true for a 204, which ends the
// stream for good; otherwise the error and whether it ends Connect.
// An error body is read from body, at most maxErrorBody bytes; a read
// error ends it early.
func checkResponse(resp *http.Response, body io.Reader, now time.Time) (err error, final bool) {
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
		return &RedirectError{StatusCode: code, Location: redact.URL(resp.Header.Get("Location")), Reason: "no usable Location"}, true
	default:
		excerpt, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
		se := &StatusError{
			StatusCode: code,
			Status:     resp.Status,
			Header:     resp.Header,
			Body:       excerpt,
			URL:        where,
		}
		if d, ok := retryafter.Parse(resp.Header.Get("Retry-After"), now, math.MaxInt64); ok {
			se.RetryAfter = d
		}
		return se, !se.Temporary()
	}
}

// decodedBody undoes a Content-Encoding the transport left in place (as
// it does when the caller set Accept-Encoding itself): gzip is decoded,
// anything else but identity is a *ContentEncodingError.
func decodedBody(resp *http.Response, body io.Reader) (io.Reader, error) {
	enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	switch enc {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		return &gzipReader{r: body}, nil
	}
	return nil, &ContentEncodingError{Encoding: resp.Header.Get("Content-Encoding"), URL: redactURL(resp.Request.URL)}
}

// gzipReader decodes gzip from r, reading its header on the first Read so
// that the wait for it is a read like any other (under the idle timeout).
type gzipReader struct {
	r  io.Reader
	gz *gzip.Reader
}

func (g *gzipReader) Read(p []byte) (int, error) {
	if g.gz == nil {
		gz, err := gzip.NewReader(g.r)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("sse: gzip body: %w", err)
		}
		g.gz = gz
	}
	return g.gz.Read(p)
}

func isRedirect(code int) bool {
	switch code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redactURL returns u without user info, query and fragment.
func redactURL(u *url.URL) string { return redact.URLOf(u) }
