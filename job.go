package bookstrack

import (
	"log/slog"
	"time"
)

// Kind is the type of a job; its value is the job's path segment in the v3
// routes.
type Kind string

// The kinds of job.
const (
	KindImport     Kind = "imports"
	KindScan       Kind = "scans"
	KindEnrichment Kind = "enrichment"
)

// Status is the state of a job as the server names it.
type Status string

// The statuses of a job. Completed, failed and canceled are terminal.
const (
	StatusQueued     Status = "queued"
	StatusProcessing Status = "processing"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
	StatusCanceled   Status = "canceled"
)

// Terminal reports whether the job has ended.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCanceled
}

// Job is a started job: what Start returns and what Watch, Status,
// Results and Cancel take.
type Job struct {
	// ID is the job's UUID.
	ID string
	// Kind is the type of the job.
	Kind Kind
	// Token authorises the job's stream (64 hex characters, valid for
	// about two hours, not renewable). Keep it secret: it is left out of
	// the job's log value.
	Token string
	// StreamURL is the absolute URL of the job's stream.
	StreamURL string
	// StatusURL is the absolute URL of the job's status.
	StatusURL string
	// Status is the status the start call reported, normally queued.
	Status Status
	// LastEventID is where Watch resumes the stream: empty to start from
	// the beginning, or the EventID of the last Progress or the
	// LastEventID of a Completion seen before. Watch does not change it.
	LastEventID string
}

// LogValue leaves the token out of logs.
func (j Job) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", j.ID),
		slog.String("kind", string(j.Kind)),
		slog.String("status", string(j.Status)),
	)
}

// Progress is the state of a running job, from a progress event of its
// stream or from its status route.
type Progress struct {
	JobID  string
	Status Status
	// Fraction is the share done, from 0 to 1, with the server's float
	// noise rounded off. Within one watch it never goes down: a replay
	// that steps backwards after a reconnection is not delivered.
	Fraction float64
	// Processed and Total count the job's items (rows, photos, books).
	// CSV imports keep Total at 0.
	Processed, Total int
	// Message is the server's human text, such as "Processing photo 2 of
	// 3...".
	Message string
	// Time is the server's timestamp of the update.
	Time time.Time
	// EventID is the id of the stream event that carried it, empty when
	// it came from the status route.
	EventID string
}

// Completion is how a job that completed ended.
type Completion struct {
	JobID  string
	Status Status
	// Processed and Total are the counts of the completion event; CSV
	// imports send 0 and 0, so always fetch the results.
	Processed, Total int
	// Time is when the job completed, by the server's clock when it said.
	Time time.Time
	// ResultsExpireAt is when the server drops the results: Time plus the
	// results TTL (WithResultsTTL). Fetching them later wastes a call.
	ResultsExpireAt time.Time
	// LastEventID is the id of the last event read, for resuming.
	LastEventID string
}

// ResultsAvailable reports whether the results are still kept at time now.
func (c Completion) ResultsAvailable(now time.Time) bool { return now.Before(c.ResultsExpireAt) }
