package bookstrack

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/bookstrack/bookstrack-go/internal/redact"
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
	// StatusURL is the absolute URL of the job's status: the start
	// response's statusUrl, else the route set's status route; empty when
	// there is neither (the V2 set has no status route).
	StatusURL string
	// Status is the status the start call reported, normally queued.
	Status Status
	// LastEventID is where Watch resumes the stream: empty to start from
	// the beginning, or the EventID of the last Progress or the
	// LastEventID of a Completion seen before. Watch does not change it.
	LastEventID string
}

// String describes the job without its token, for every fmt verb that
// prints a value (%v, %+v, %s); URLs lose their query, which may carry
// the token too.
func (j Job) String() string {
	return fmt.Sprintf("{ID:%s Kind:%s Status:%s StreamURL:%s StatusURL:%s LastEventID:%s Token:%s}",
		j.ID, j.Kind, j.Status, redact.URL(j.StreamURL), redact.URL(j.StatusURL), j.LastEventID, redacted(j.Token))
}

// GoString is String for %#v.
func (j Job) GoString() string { return "bookstrack.Job" + j.String() }

func redacted(secret string) string {
	if secret == "" {
		return ""
	}
	return "[redacted]"
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
	// Fraction is the share done, from 0 to 1, exactly as the server sent
	// it (0.30000000000000004 stays so: round when displaying, see
	// Percent), clamped to 0..1. A terminal event's value above 1 is a
	// percentage and is divided by 100; a value of exactly 1 is a
	// fraction. Within one watch it never goes down: a replay that steps
	// backwards after a reconnection is not delivered, and an update whose
	// fraction is below the one shown by float noise only (at most 1e-9,
	// as the scan ladder's 0.5000000000000001 then 0.5) is delivered at
	// the fraction already shown.
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
	// Started is when the job started, by the server's clock, when the
	// server said (the status route's startTime); zero otherwise.
	Started time.Time
}

// Percent formats the fraction for display with one decimal, such as
// "83.3%". The data itself is never rounded.
func (p Progress) Percent() string { return fmt.Sprintf("%.1f%%", p.Fraction*100) }

// Completion is how a job that completed ended.
type Completion struct {
	JobID  string
	Status Status
	// Processed and Total are the counts of the completion event; CSV
	// imports send 0 and 0, so always fetch the results.
	Processed, Total int
	// Books is the length of the books (or results) array the terminal
	// event carried, when HasBooks says it carried one. A CSV import's
	// completed event carries an empty one: always fetch the results.
	// When the client connects after the job ended, older servers send a
	// snapshot whose status is completed and then, on the same
	// connection, the final completed event with the books: the watch
	// waits for that event for at most 2 seconds (on the configured
	// clock), or until the connection ends, and takes its books; without
	// it the completion is the snapshot's, with HasBooks false.
	Books    int
	HasBooks bool
	// Time is when the job completed, by the server's clock when it said
	// (completedAt, completedTime or the event's timestamp), else by the
	// caller's clock when the completion was seen.
	Time time.Time
	// Started is when the job started, by the server's clock, when the
	// server said; zero otherwise.
	Started time.Time
	// ObservedAt is when the client saw the completion, by the caller's
	// clock (WithClock).
	ObservedAt time.Time
	// ResultsExpireAt is when the results are expected to expire, in the
	// caller's clock: ObservedAt plus the results TTL (WithResultsTTL),
	// less the completion's age when it was seen as the server's own
	// clock tells it (the event's timestamp minus its completedAt). The
	// server's and the caller's clocks may differ by hours; this stays
	// right because it never compares one with the other. It is advice:
	// Results always asks the server.
	ResultsExpireAt time.Time
	// LastEventID is the id of the last event read, for resuming.
	LastEventID string
}

// ResultsExpired reports whether the results are expected to have
// expired by now, a time of the caller's clock; the server decides.
func (c Completion) ResultsExpired(now time.Time) bool { return !now.Before(c.ResultsExpireAt) }
