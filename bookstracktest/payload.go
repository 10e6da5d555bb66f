package bookstracktest

import (
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// The event payloads, field for field as docs/CONTRACT.md gives them. The
// event makers that take a job give out an event id, so they need s.mu.

type snapshotData struct {
	JobID          string  `json:"jobId"`
	Status         string  `json:"status"`
	Progress       float64 `json:"progress"`
	ProcessedCount int     `json:"processedCount"`
	TotalCount     int     `json:"totalCount"`
	Timestamp      any     `json:"timestamp"`
}

type progressData struct {
	JobID          string  `json:"jobId"`
	Status         string  `json:"status"`
	Message        string  `json:"message"`
	Progress       float64 `json:"progress"`
	ProcessedCount int     `json:"processedCount"`
	TotalCount     int     `json:"totalCount"`
	Timestamp      any     `json:"timestamp"`
}

type completedData struct {
	JobID          string  `json:"jobId"`
	Status         string  `json:"status"`
	Message        string  `json:"message"`
	Progress       float64 `json:"progress"`
	ProcessedCount int     `json:"processedCount"`
	TotalCount     int     `json:"totalCount"`
	Books          any     `json:"books,omitempty"` // an empty array for CSV imports
	Timestamp      any     `json:"timestamp"`
}

type failedData struct {
	JobID          string    `json:"jobId"`
	Status         string    `json:"status"`
	Progress       float64   `json:"progress"`
	ProcessedCount int       `json:"processedCount"`
	TotalCount     int       `json:"totalCount"`
	Error          *jobError `json:"error"`
	Timestamp      any       `json:"timestamp"`
}

type finalCompletedData struct {
	JobID       string  `json:"jobId"`
	Status      string  `json:"status"`
	Progress    float64 `json:"progress"`
	Books       any     `json:"books,omitempty"`
	Results     any     `json:"results,omitempty"`
	CompletedAt any     `json:"completedAt"`
	Timestamp   any     `json:"timestamp"`
}

type finalFailedData struct {
	JobID     string    `json:"jobId"`
	Error     *jobError `json:"error"`
	Timestamp any       `json:"timestamp"`
}

type streamErrorData struct {
	JobID     string    `json:"jobId"`
	Error     *jobError `json:"error"`
	Timestamp any       `json:"timestamp"`
}

type v2NotFoundData struct {
	JobID     string `json:"jobId"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Timestamp any    `json:"timestamp"`
}

// completedProgress is the progress a completed event carries: 1, or 100
// under Quirks.PercentComplete.
func (s *Server) completedProgress() float64 {
	if s.cfg.quirks.PercentComplete {
		return 100
	}
	return 1
}

func event(id, typ string, data any) sse.Event {
	return sse.Event{ID: id, Type: typ, Data: string(marshal(data))}
}

// snapshotEvent is the `<ms>-initial` event a new stream starts with.
func (s *Server) snapshotEvent(j *job, now time.Time) sse.Event {
	typ := "progress"
	if s.cfg.quirks.StatusNamedSnapshot {
		switch j.status {
		case statusQueued:
			typ = "initialized"
		case statusCanceled:
			typ = statusFailed
		default:
			typ = j.status
		}
	}
	progress := j.progress
	if typ == statusCompleted {
		progress = s.completedProgress()
	}
	return event(s.nextIDLocked(j, now, "initial"), typ, snapshotData{
		JobID: j.id, Status: j.status, Progress: progress,
		ProcessedCount: j.processed, TotalCount: j.total, Timestamp: s.stamp(now),
	})
}

func (s *Server) progressEvent(j *job, now time.Time) sse.Event {
	return event(s.nextIDLocked(j, now, "progress"), "progress", progressData{
		JobID: j.id, Status: j.status, Message: j.message, Progress: j.progress,
		ProcessedCount: j.processed, TotalCount: j.total, Timestamp: s.stamp(now),
	})
}

// completedEvent is the queued completed event. A CSV import's carries
// an empty books array: its books come with the final event and the
// results route.
func (s *Server) completedEvent(j *job, now time.Time) sse.Event {
	d := completedData{
		JobID: j.id, Status: statusCompleted, Message: j.message, Progress: s.completedProgress(),
		ProcessedCount: j.processed, TotalCount: j.total, Timestamp: s.stamp(now),
	}
	if j.queuedBooks {
		d.Books = []importBook{}
	}
	return event(s.nextIDLocked(j, now, "completed"), statusCompleted, d)
}

// failedEvent is the queued failed event, also sent, with status
// "canceled", when a job is canceled.
func (s *Server) failedEvent(j *job, now time.Time) sse.Event {
	return event(s.nextIDLocked(j, now, "failed"), statusFailed, failedData{
		JobID: j.id, Status: j.status, Progress: j.progress,
		ProcessedCount: j.processed, TotalCount: j.total, Error: j.failure, Timestamp: s.stamp(now),
	})
}

// finalEvent is the `<ms>-final` event: a completed one with the results
// array, or a failed one without status.
func (s *Server) finalEvent(j *job, now time.Time) sse.Event {
	if j.status != statusCompleted {
		return event(s.nextIDLocked(j, now, "final"), statusFailed, finalFailedData{
			JobID: j.id, Error: j.failure, Timestamp: s.stamp(now),
		})
	}
	d := finalCompletedData{
		JobID: j.id, Status: statusCompleted, Progress: s.completedProgress(),
		CompletedAt: s.stamp(j.ended), Timestamp: s.stamp(now),
	}
	if s.cfg.quirks.resultsField() == "results" {
		d.Results = j.list
	} else {
		d.Books = j.list
	}
	return event(s.nextIDLocked(j, now, "final"), statusCompleted, d)
}

func (s *Server) pingEvent(now time.Time) sse.Event {
	return event("", "ping", struct {
		Timestamp any `json:"timestamp"`
	}{s.stamp(now)})
}

func (s *Server) timeoutEvent(jobID string, now time.Time) sse.Event {
	return event("", "timeout", streamErrorData{
		JobID: jobID, Timestamp: s.stamp(now),
		Error: &jobError{Code: "STREAM_TIMEOUT", Message: "No updates for " + s.cfg.streamTimeout.String() + "; poll the status route or reconnect", Retryable: true},
	})
}

func (s *Server) streamErrorEvent(jobID string, now time.Time) sse.Event {
	return event("", "error", streamErrorData{
		JobID: jobID, Timestamp: s.stamp(now),
		Error: &jobError{Code: "STREAM_ERROR", Message: "Internal stream error", Retryable: true},
	})
}

// notFoundEvent is the in-stream error for an unknown job: a nested
// object on v3 (without retryable), a plain string on v2.
func (s *Server) notFoundEvent(jobID string, v2 bool, now time.Time) sse.Event {
	if v2 {
		return event("", "error", v2NotFoundData{JobID: jobID, Error: "job_not_found", Message: "Job not found", Timestamp: s.stamp(now)})
	}
	return event("", "error", notFoundData{JobID: jobID, Error: codeMessage{"JOB_NOT_FOUND", "Job not found"}, Timestamp: s.stamp(now)})
}

type notFoundData struct {
	JobID     string      `json:"jobId"`
	Error     codeMessage `json:"error"`
	Timestamp any         `json:"timestamp"`
}

type codeMessage struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
