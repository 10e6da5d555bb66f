package scan

import (
	"regexp"
	"strconv"

	"github.com/bookstrack/bookstrack-go"
)

// Stage is where a scan is, read from its progress.
type Stage string

// The stages of a scan, from the server's progress ladder: 0.10 at the
// start, up to 0.50 while it detects books photo by photo, then up to
// 0.95 while it enriches them.
const (
	StageQueued    Stage = "queued"
	StageDetecting Stage = "detecting"
	StageEnriching Stage = "enriching"
	StageDone      Stage = "done"
)

// StageOf returns the stage a scan's progress update shows: detecting up
// to 0.50 and while the message names a photo, enriching after.
func StageOf(p bookstrack.Progress) Stage {
	_, _, photo := PhotoOf(p)
	switch {
	case p.Status.Terminal():
		return StageDone
	case p.Status == bookstrack.StatusQueued || p.Fraction < 0.10:
		return StageQueued
	case p.Fraction < 0.50 || photo:
		return StageDetecting
	}
	return StageEnriching
}

var photoPattern = regexp.MustCompile(`(?i)\bphoto (\d{1,4}) of (\d{1,4})\b`)

// PhotoOf reads "Processing photo i of n" from a progress message, and
// reports false when the message says no such thing.
func PhotoOf(p bookstrack.Progress) (i, n int, ok bool) {
	m := photoPattern.FindStringSubmatch(p.Message)
	if m == nil {
		return 0, 0, false
	}
	i, _ = strconv.Atoi(m[1])
	n, _ = strconv.Atoi(m[2])
	return i, n, true
}
