package jobs

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// payload is the data of every job event and of the status route, in all
// the shapes the server versions send; only what a watch needs is read.
// It is decoded field by field (lenient.Fields): one odd field spoils
// only itself.
type payload struct {
	JobID          string          `json:"jobId"`
	Status         string          `json:"status"`
	Message        string          `json:"message"`
	Progress       *lenient.Float  `json:"progress"`
	ProcessedCount lenient.Int     `json:"processedCount"`
	TotalCount     lenient.Int     `json:"totalCount"`
	Timestamp      lenient.Time    `json:"timestamp"`
	UpdatedAt      lenient.Time    `json:"updatedAt"`
	CompletedAt    lenient.Time    `json:"completedAt"`
	CompletedTime  lenient.Time    `json:"completedTime"`
	StartTime      lenient.Time    `json:"startTime"`
	StartedAt      lenient.Time    `json:"startedAt"`
	Books          json.RawMessage `json:"books"`
	Results        json.RawMessage `json:"results"`
	Error          json.RawMessage `json:"error"`
}

// problem is a payload's error: an object in v3, a plain string such as
// "job_not_found" in v2.
type problem struct {
	Code      string
	Message   string
	Retryable bool
}

func (p *payload) problem() problem {
	if len(p.Error) == 0 {
		return problem{}
	}
	var obj struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Retryable bool   `json:"retryable"`
	}
	if json.Unmarshal(p.Error, &obj) == nil {
		return problem{Code: obj.Code, Message: obj.Message, Retryable: obj.Retryable}
	}
	var s string
	if json.Unmarshal(p.Error, &s) == nil {
		return problem{Code: strings.ToUpper(s), Message: s}
	}
	return problem{}
}

// status reads the payload's status; "cancelled" is read as canceled.
func (p *payload) status() bookstrack.Status {
	s := strings.ToLower(p.Status)
	if s == "cancelled" {
		s = "canceled"
	}
	return bookstrack.Status(s)
}

// fraction returns the progress as sent, clamped to 0..1. On a terminal
// payload a value above 1 is a percentage; exactly 1 is a fraction.
// Nothing is rounded.
func (p *payload) fraction() float64 {
	if p.Progress == nil {
		return 0
	}
	f := float64(*p.Progress)
	if f > 1 && p.status().Terminal() {
		f /= 100
	}
	return min(max(f, 0), 1)
}

// completed is when the job completed by the server's clock, zero when
// the payload does not say.
func (p *payload) completed() time.Time {
	if !p.CompletedAt.IsZero() {
		return p.CompletedAt.Time
	}
	return p.CompletedTime.Time
}

// started is when the job started by the server's clock, or zero.
func (p *payload) started() time.Time {
	if !p.StartTime.IsZero() {
		return p.StartTime.Time
	}
	return p.StartedAt.Time
}

// sent is the payload's own time by the server's clock, or zero.
func (p *payload) sent() time.Time {
	if !p.Timestamp.IsZero() {
		return p.Timestamp.Time
	}
	return p.UpdatedAt.Time
}

// books is the length of the books (or results) array, when there is one.
func (p *payload) books() (int, bool) {
	if n, ok := lenient.ArrayLen(p.Books); ok {
		return n, true
	}
	return lenient.ArrayLen(p.Results)
}

// decodePayload reads data field by field: a malformed document is err;
// a field of the wrong type is in bad and the rest is kept.
func decodePayload(data []byte, what string) (p payload, bad []*bookstrack.DecodeError, err error) {
	bad, err = lenient.Fields(data, &p, what)
	return p, bad, err
}
