package watch

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// payload is the data of every job event and of the status route, in all
// the shapes the server versions send; only what a watch needs is read.
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

// fraction returns the progress as a fraction from 0 to 1: values over 1
// are percentages, and float noise such as 0.30000000000000004 is rounded
// off to six decimals.
func (p *payload) fraction() float64 {
	if p.Progress == nil {
		return 0
	}
	f := float64(*p.Progress)
	if f > 1 {
		f /= 100
	}
	f = min(max(f, 0), 1)
	return math.Round(f*1e6) / 1e6
}
