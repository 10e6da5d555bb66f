package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go/scan"
)

// scanLadder is every message of a scan of photos photos that found
// books books, as the fake steps through it.
func scanLadder(photos, books int) []string {
	m := []string{fmt.Sprintf("Starting scan of %d photos...", photos)}
	for i := 1; i <= photos; i++ {
		m = append(m, fmt.Sprintf("Processing photo %d of %d...", i, photos))
	}
	m = append(m, fmt.Sprintf("Enriching %d books...", books))
	for i := 1; i <= books; i++ {
		m = append(m, fmt.Sprintf("Enriched %d of %d books", i, books))
	}
	return append(m, fmt.Sprintf("Scan complete: %d books detected", books))
}

// A stream cut in the middle of an event (--drop-after) resumes from the
// last event id: every step of the job arrives once, in order, the one
// made while the stream was down included.
func TestACutStreamResumesWithNoUpdateLostOrRepeated(t *testing.T) {
	for _, drop := range []int{2, 4} {
		t.Run(fmt.Sprintf("cut after %d updates", drop), func(t *testing.T) {
			r := cli(t, nil, "", args(fakeFast, []string{"scan", "--json", "--events", "--drop-after", fmt.Sprint(drop)}, photoFiles(t, 2))...)
			require.Equal(t, exitOK, r.code, r.stderr)
			lines := eventLines(t, r.stdout)

			first := -1
			for i, l := range lines {
				if l.Type == "notice" {
					first = i
					break
				}
			}
			require.GreaterOrEqual(t, first, 0, "the cut is reported")
			assert.Contains(t, lines[first].Message, "unexpected EOF")
			assert.GreaterOrEqual(t, len(progressOf(lines[:first])), drop, "cut after --drop-after updates at least")

			var res scan.Results
			require.NoError(t, json.Unmarshal(lines[len(lines)-1].Results, &res))
			ps := progressOf(lines)
			ids := map[string]bool{}
			var messages []string
			for _, p := range ps {
				assert.False(t, ids[p.EventID], "event %s delivered twice", p.EventID)
				ids[p.EventID] = true
				if p.Message != "" { // the snapshot of the queued job says nothing
					messages = append(messages, p.Message)
				}
			}
			assert.Equal(t, scanLadder(2, len(res.Books)), messages)
		})
	}
}

// --rate-limit answers the stream with 429s: the watch waits and goes on.
func TestARateLimitedStreamIsRetriedAndTheJobCompletes(t *testing.T) {
	r := cli(t, nil, "", args(fakeFast, []string{"enrich", "--rate-limit", "2"}, catalogue(2))...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `(?m)^  ! the stream answered 429 Too Many Requests \(request id [^)]+\), asking to retry after 1s \(the watch goes on\)$`, r.stderr)
	assert.Contains(t, r.stdout, "2 books found")
}
