package api

import (
	"fmt"

	"github.com/bookstrack/bookstrack-go"
)

// startPath returns the route that starts a job of the kind.
func (c *Client) startPath(kind bookstrack.Kind) string {
	switch {
	case kind == bookstrack.KindImport && c.v2:
		return "/api/v2/imports"
	case kind == bookstrack.KindImport:
		return "/v3/jobs/imports"
	case kind == bookstrack.KindScan:
		return "/v3/jobs/scans"
	default:
		return "/v3/books/enrich"
	}
}

// jobPath is the v3 route of a job, for its status and cancel.
func jobPath(kind bookstrack.Kind, id string) string {
	return fmt.Sprintf("/v3/jobs/%s/%s", kind, id)
}

// v2Segment is a kind's path segment in the plan's v2 routes.
func v2Segment(kind bookstrack.Kind) string {
	switch kind {
	case bookstrack.KindImport:
		return "imports"
	case bookstrack.KindScan:
		return "scans"
	default:
		return "enrichments"
	}
}

// streamPath returns the route of a job's stream in the route set.
func (c *Client) streamPath(kind bookstrack.Kind, id string) string {
	if c.v2 {
		return fmt.Sprintf("/api/v2/%s/%s/stream", v2Segment(kind), id)
	}
	return jobPath(kind, id) + "/stream"
}

// resultsPath returns the route of a job's results in the route set.
func (c *Client) resultsPath(kind bookstrack.Kind, id string) string {
	if c.v2 {
		return fmt.Sprintf("/api/v2/%s/%s/results", v2Segment(kind), id)
	}
	return jobPath(kind, id) + "/results"
}
