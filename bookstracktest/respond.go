package bookstracktest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// call is one request being served: what every handler needs to answer.
type call struct {
	s         *Server
	w         http.ResponseWriter
	r         *http.Request
	rc        *http.ResponseController
	requestID string
	now       time.Time
}

type metadata struct {
	Timestamp any    `json:"timestamp"`
	RequestID string `json:"requestId"`
}

func (c *call) metadata() metadata {
	return metadata{Timestamp: c.s.stamp(c.now), RequestID: c.requestID}
}

// ok writes the success envelope.
func (c *call) ok(status int, data any) {
	c.writeJSON(status, "application/json", struct {
		Success  bool     `json:"success"`
		Data     any      `json:"data"`
		Metadata metadata `json:"metadata"`
	}{true, data, c.metadata()})
}

func (c *call) writeJSON(status int, contentType string, v any) {
	h := c.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(marshal(v))
}

// marshal encodes v as JSON.stringify would: on one line, without
// escaping <, > and &.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("bookstracktest: cannot encode JSON: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// fieldError is one entry of a problem's errors array.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

// problem is an error response before it takes the problem-details or the
// legacy form.
type problem struct {
	status    int
	code      string // problem-details code
	legacy    string // code in the legacy envelope when it differs
	detail    string
	retryable bool
	errors    []fieldError
	// retryAfterMs is sent in the body when positive.
	retryAfterMs int64
	// handler marks errors raised by a route's own handler (validation,
	// not found): their problem bodies carry "success":false, those of the
	// edge (routing, auth, faults, rate limits) do not.
	handler bool
}

// fail writes p as problem details, or as the legacy envelope under
// Quirks.LegacyErrors.
func (c *call) fail(p problem) {
	q := c.s.cfg.quirks
	var bodyStatus *int
	if q.StatusMismatch {
		mismatch := 500
		if p.status >= 500 {
			mismatch = 400
		}
		bodyStatus = &mismatch
	}
	if q.LegacyErrors {
		code := p.code
		if p.legacy != "" {
			code = p.legacy
		}
		var details any
		switch {
		case len(p.errors) > 0:
			details = map[string]any{"errors": p.errors}
		case p.retryAfterMs > 0:
			details = map[string]any{"retryAfterMs": p.retryAfterMs}
		}
		c.writeJSON(p.status, "application/json", legacyBody{
			Success:  false,
			Status:   bodyStatus,
			Error:    legacyError{Code: code, Message: p.detail, Retryable: p.retryable, Details: details},
			Metadata: c.metadata(),
		})
		return
	}
	body := problemBody{
		Type:      "https://bookstrack.test/problems/" + strings.ToLower(strings.ReplaceAll(p.code, "_", "-")),
		Title:     http.StatusText(p.status),
		Status:    p.status,
		Detail:    p.detail,
		Instance:  c.r.URL.Path,
		Code:      p.code,
		Retryable: p.retryable,
		Errors:    p.errors,
		Metadata:  c.metadata(),
	}
	if bodyStatus != nil {
		body.Status = *bodyStatus
	}
	if p.retryAfterMs > 0 {
		body.RetryAfterMs = &p.retryAfterMs
	}
	if p.handler {
		f := false
		body.Success = &f
	}
	c.writeJSON(p.status, "application/problem+json", body)
}

type problemBody struct {
	Success      *bool        `json:"success,omitempty"`
	Type         string       `json:"type"`
	Title        string       `json:"title"`
	Status       int          `json:"status"`
	Detail       string       `json:"detail"`
	Instance     string       `json:"instance"`
	Code         string       `json:"code"`
	Retryable    bool         `json:"retryable"`
	RetryAfterMs *int64       `json:"retryAfterMs,omitempty"`
	Errors       []fieldError `json:"errors,omitempty"`
	Metadata     metadata     `json:"metadata"`
}

type legacyBody struct {
	Success  bool        `json:"success"`
	Status   *int        `json:"status,omitempty"`
	Error    legacyError `json:"error"`
	Metadata metadata    `json:"metadata"`
}

type legacyError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
	Details   any    `json:"details,omitempty"`
}

// invalid writes a 400 INVALID_REQUEST problem listing errs.
func (c *call) invalid(detail string, errs ...fieldError) {
	c.fail(problem{status: http.StatusBadRequest, code: "INVALID_REQUEST", detail: detail, errors: errs, handler: true})
}

// notFound writes a 404 NOT_FOUND problem.
func (c *call) notFound(detail string) {
	c.fail(problem{status: http.StatusNotFound, code: "NOT_FOUND", detail: detail, handler: true})
}

// statusCode names the problem code the Server uses for an HTTP status.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "INVALID_REQUEST"
	case http.StatusInternalServerError:
		return "INTERNAL_ERROR"
	case http.StatusTooManyRequests:
		return "RATE_LIMIT_EXCEEDED"
	}
	text := http.StatusText(status)
	if text == "" {
		return "HTTP_" + strconv.Itoa(status)
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(text) {
		switch {
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte('_')
		}
	}
	return b.String()
}

// retryableStatus reports whether a client may retry a request that got
// status: 408, 429 and every 5xx.
func retryableStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// stamp formats a timestamp as the Server's quirks say: an ISO 8601
// string, or epoch milliseconds.
func (s *Server) stamp(t time.Time) any {
	if s.cfg.quirks.EpochTimestamps {
		return t.UnixMilli()
	}
	return isoTime(t)
}
