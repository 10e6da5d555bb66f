package bookstracktest

import "fmt"

// Quirks selects behaviours of older or odder versions of the BooksTrack
// server, all of which a client must absorb (see docs/CONTRACT.md). The zero
// value is today's v3 server. Each field is independent of the others.
type Quirks struct {
	// PercentComplete makes `completed` events carry progress 100 instead
	// of 1.0.
	PercentComplete bool
	// ResultsField names the results array in the final `completed`
	// event: "books" (the default, also for "") or "results".
	ResultsField string
	// LegacyStart makes start responses carry authToken, a relative
	// sseUrl and a relative statusUrl instead of token and streamUrl.
	LegacyStart bool
	// NoStreamURL makes start responses carry no stream URL at all.
	NoStreamURL bool
	// LegacyErrors makes error bodies use the older envelope
	// {"success":false,"error":{"code","message","retryable","details"},
	// "metadata"} instead of problem details; stream 401s then say
	// INVALID_TOKEN or TOKEN_EXPIRED.
	LegacyErrors bool
	// LegacyRateLimit makes 429 bodies {"error","code":
	// "RATE_LIMIT_EXCEEDED","details":{"retryAfter":seconds,...}} with no
	// Retry-After header.
	LegacyRateLimit bool
	// StatusNamedSnapshot names the snapshot event after the job's status
	// (initialized, processing, completed, failed) instead of `progress`.
	StatusNamedSnapshot bool
	// CommentHeartbeat sends heartbeats as ": heartbeat" comments instead
	// of `ping` events.
	CommentHeartbeat bool
	// TerminalSnapshot sends a client that connects after the job ended a
	// snapshot with the terminal status before the final event.
	TerminalSnapshot bool
	// EpochTimestamps writes every timestamp (events, envelopes, status)
	// as epoch milliseconds instead of an ISO 8601 string.
	EpochTimestamps bool
	// ScanYearAsDate makes scan results give publicationYear as a date
	// string such as "1997-06-26" instead of an integer.
	ScanYearAsDate bool
	// EnrichmentResults shapes enrichment results: "" is the object
	// {enrichedBooks, notFound}, "array" a bare array of enriched books,
	// "empty" an empty array.
	EnrichmentResults string
	// AuthorObjects writes enriched books' authors as objects
	// {"name": ...} instead of strings.
	AuthorObjects bool
	// StatusMismatch gives error bodies a status field that disagrees
	// with the HTTP status: 500 in every 4xx, 400 in every 5xx.
	StatusMismatch bool
}

// check reports a Quirks value New cannot honour.
func (q Quirks) check() error {
	switch q.ResultsField {
	case "", "books", "results":
	default:
		return fmt.Errorf("bookstracktest: Quirks.ResultsField %q is neither \"books\" nor \"results\"", q.ResultsField)
	}
	switch q.EnrichmentResults {
	case "", "array", "empty":
	default:
		return fmt.Errorf("bookstracktest: Quirks.EnrichmentResults %q is not \"\", \"array\" or \"empty\"", q.EnrichmentResults)
	}
	return nil
}

func (q Quirks) resultsField() string {
	if q.ResultsField == "" {
		return "books"
	}
	return q.ResultsField
}
