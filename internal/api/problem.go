package api

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/excerpt"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
	"github.com/bookstrack/bookstrack-go/internal/redact"
	"github.com/bookstrack/bookstrack-go/internal/retryafter"
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// problem is the union of the error bodies the server sends: RFC 9457
// problem details, the older envelope {"success":false,"error":{...}} and
// the older rate-limit body {"error":"...","code":...,"details":{...}}.
// Fields whose type varies are kept raw, so that one odd field cannot
// stop the others from being read.
type problem struct {
	Type         string          `json:"type"`
	Title        string          `json:"title"`
	Detail       string          `json:"detail"`
	Instance     string          `json:"instance"`
	Code         string          `json:"code"`
	Message      string          `json:"message"`
	Retryable    json.RawMessage `json:"retryable"`
	RetryAfterMs json.RawMessage `json:"retryAfterMs"`
	Errors       []fieldError    `json:"errors"`
	Error        json.RawMessage `json:"error"`
	Details      json.RawMessage `json:"details"`
	Metadata     struct {
		RequestID string `json:"requestId"`
	} `json:"metadata"`
}

type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// legacyError is the "error" object of the older envelope.
type legacyError struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Retryable json.RawMessage `json:"retryable"`
	Details   json.RawMessage `json:"details"`
}

// checkResponse returns nil for a 2xx response and the typed error of any
// other. It reads at most 64 KiB of the body.
func (c *Client) checkResponse(resp *http.Response, op bookstrack.Op) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return c.Error(op, resp.Request.Method, redact.URL(resp.Request.URL.String()), resp.StatusCode, resp.Header, body)
}

// Error is the package's Error for a call op of this client: the error
// records op, and a rate limit's wait is capped at the client's maximum
// retry delay.
func (c *Client) Error(op bookstrack.Op, method, url string, status int, header http.Header, body []byte) error {
	err := Error(method, url, status, header, body, c.clock.Now())
	switch e := err.(type) {
	case *bookstrack.RateLimitError:
		e.Op = op
		e.RetryAfter = min(e.RetryAfter, c.maxDelay)
	case *bookstrack.APIError:
		e.Op = op
	}
	return err
}

// Error builds the typed error of an error response from its parts:
// *bookstrack.RateLimitError for 429, *bookstrack.APIError else. The
// stream's failures, which sse reports as *sse.StatusError, go through it
// too.
func Error(method, url string, status int, header http.Header, body []byte, now time.Time) error {
	e := bookstrack.APIError{
		Method:     method,
		URL:        url,
		StatusCode: status,
		RequestID:  header.Get("X-Request-ID"),
	}
	var p problem
	var fromBody time.Duration
	if err := json.Unmarshal(body, &p); err == nil || (json.Valid(body) && strings.HasPrefix(strings.TrimSpace(string(body)), "{")) {
		fromBody = p.apply(&e) // a field of an odd type spoils only that field
	} else if text := strings.TrimSpace(string(body)); text != "" {
		e.Detail = excerpt.Cut(text, 200)
	}
	if status != http.StatusTooManyRequests {
		return &e
	}
	rl := &bookstrack.RateLimitError{APIError: e, RetryAfter: fromBody, Limit: -1, Remaining: -1}
	if d, ok := retryafter.Parse(header.Get("Retry-After"), now, maxRetryAfter); ok {
		rl.RetryAfter = d
	}
	if v, err := strconv.Atoi(header.Get("X-RateLimit-Limit")); err == nil {
		rl.Limit = v
	}
	if v, err := strconv.Atoi(header.Get("X-RateLimit-Remaining")); err == nil {
		rl.Remaining = v
	}
	if v, err := strconv.ParseInt(header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		rl.Reset = time.UnixMilli(v).UTC()
	}
	return rl
}

// apply copies what the body says into e and returns the wait the body
// asks for: retryAfterMs, else details.retryAfterMs, else
// details.retryAfter in seconds.
func (p *problem) apply(e *bookstrack.APIError) time.Duration {
	e.Type, e.Title, e.Instance = p.Type, p.Title, p.Instance
	e.Code, e.Detail = p.Code, cmp.Or(p.Detail, p.Message)
	if v, ok := boolOf(p.Retryable); ok {
		e.Retryable = v
	}
	for _, f := range p.Errors {
		e.Fields = append(e.Fields, bookstrack.FieldError(f))
	}
	if e.RequestID == "" {
		e.RequestID = p.Metadata.RequestID
	}
	details := p.Details
	var legacy legacyError
	var text string
	_ = json.Unmarshal(p.Error, &legacy) // an odd field spoils only itself
	switch {
	case legacy.Code+legacy.Message != "":
		e.Code = cmp.Or(e.Code, legacy.Code)
		e.Detail = cmp.Or(e.Detail, legacy.Message)
		if v, ok := boolOf(legacy.Retryable); ok {
			e.Retryable = v
		}
		if details == nil {
			details = legacy.Details
		}
	case json.Unmarshal(p.Error, &text) == nil:
		e.Detail = cmp.Or(e.Detail, text)
	}
	if ms, ok := numberOf(p.RetryAfterMs); ok {
		return min(time.Duration(ms*float64(time.Millisecond)), maxRetryAfter)
	}
	var d struct {
		RetryAfterMs json.RawMessage `json:"retryAfterMs"`
		RetryAfter   json.RawMessage `json:"retryAfter"`
	}
	_ = json.Unmarshal(details, &d)
	if ms, ok := numberOf(d.RetryAfterMs); ok {
		return min(time.Duration(ms*float64(time.Millisecond)), maxRetryAfter)
	}
	if secs, ok := numberOf(d.RetryAfter); ok {
		return min(time.Duration(secs*float64(time.Second)), maxRetryAfter)
	}
	return 0
}

// boolOf reads true or false, also when sent as a string.
func boolOf(raw json.RawMessage) (bool, bool) {
	var v bool
	if json.Unmarshal(raw, &v) == nil {
		return v, true
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if b, err := strconv.ParseBool(s); err == nil {
			return b, true
		}
	}
	return false, false
}

// numberOf reads a non-negative number of sane size, also when sent as a
// string.
func numberOf(raw json.RawMessage) (float64, bool) {
	var f lenient.Float
	if len(raw) == 0 || f.UnmarshalJSON(raw) != nil || f < 0 || f > 1e12 || string(raw) == "null" {
		return 0, false
	}
	return float64(f), true
}

// maxRetryAfter bounds a wait read by Error, which knows no configured
// cap; the Client applies its own (settings.Settings.MaxRetryDelay) on top.
const maxRetryAfter = 24 * time.Hour
