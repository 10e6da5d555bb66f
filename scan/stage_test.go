package scan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/scan"
)

func TestStageOf(t *testing.T) {
	tests := []struct {
		name     string
		status   bookstrack.Status
		fraction float64
		want     scan.Stage
	}{
		{"queued at 0", bookstrack.StatusQueued, 0, scan.StageQueued},
		{"queued status wins over a fraction", bookstrack.StatusQueued, 0.6, scan.StageQueued},
		{"processing below 0.10", bookstrack.StatusProcessing, 0.05, scan.StageQueued},
		{"processing at 0", bookstrack.StatusProcessing, 0, scan.StageQueued},
		{"start at 0.10", bookstrack.StatusProcessing, 0.10, scan.StageDetecting},
		{"photo 1 of 3 at 0.2333", bookstrack.StatusProcessing, 0.10 + 0.40*1/3, scan.StageDetecting},
		{"float noise 0.30000000000000004", bookstrack.StatusProcessing, 0.30000000000000004, scan.StageDetecting},
		{"just below 0.50", bookstrack.StatusProcessing, 0.4999, scan.StageDetecting},
		{"last photo done at 0.50", bookstrack.StatusProcessing, 0.10 + 0.40*3/3, scan.StageEnriching},
		{"enriching at 0.95", bookstrack.StatusProcessing, 0.95, scan.StageEnriching},
		{"processing at 1", bookstrack.StatusProcessing, 1, scan.StageEnriching},
		{"unknown status at 0.7", bookstrack.Status("running"), 0.7, scan.StageEnriching},
		{"completed", bookstrack.StatusCompleted, 1, scan.StageDone},
		{"completed with 100", bookstrack.StatusCompleted, 100, scan.StageDone},
		{"completed with 0", bookstrack.StatusCompleted, 0, scan.StageDone},
		{"failed midway", bookstrack.StatusFailed, 0.3, scan.StageDone},
		{"canceled", bookstrack.StatusCanceled, 0.05, scan.StageDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, scan.StageOf(bookstrack.Progress{Status: tt.status, Fraction: tt.fraction}))
		})
	}
}

func TestPhotoOf(t *testing.T) {
	tests := []struct {
		message string
		i, n    int
		ok      bool
	}{
		{"Processing photo 2 of 3...", 2, 3, true},
		{"Processing photo 1 of 1", 1, 1, true},
		{"Processing Photo 5 of 5", 5, 5, true},
		{"PHOTO 4 of 5", 4, 5, true},
		{"photo 10 of 12 done", 10, 12, true},
		{"", 0, 0, false},
		{"Enriching 12 books", 0, 0, false},
		{"Processing photo", 0, 0, false},
		{"Processing photo ", 0, 0, false},
		{"Processing photo two of three", 0, 0, false},
		{"Processing photo 2", 0, 0, false},
		{"Processing photo 2 /3", 0, 0, false},
		{"Processing photograph 2 of 3", 0, 0, false},
		{"Überprüfung photo 2 of 3", 2, 3, true},
		// Characters whose lower case has another length in UTF-8: the
		// Kelvin sign U+212A is 3 bytes, "k" 1; U+023A is 2 bytes, its
		// lower case U+2C65 is 3.
		{"\u212A photo 2 of 3", 2, 3, true},
		{"\u023A photo 2 of 3", 2, 3, true},
		{strings.Repeat("\u023A", 10) + " photo ", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.message), func(t *testing.T) {
			var i, n int
			var ok bool
			if !assert.NotPanics(t, func() { i, n, ok = scan.PhotoOf(bookstrack.Progress{Message: tt.message}) }) {
				return
			}
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.i, i)
			assert.Equal(t, tt.n, n)
		})
	}
}

func TestSplit(t *testing.T) {
	book := func(title string, c float64, known bool) scan.DetectedBook {
		return scan.DetectedBook{Title: title, Confidence: c, ConfidenceKnown: known}
	}
	var (
		high    = book("high", 0.95, true)
		at      = book("at", 0.8, true)
		below   = book("below", 0.79999, true)
		low     = book("low", 0.1, true)
		zero    = book("zero", 0, true)
		unknown = book("unknown", 0, false)
		one     = book("one", 1, true)
	)
	tests := []struct {
		name        string
		books       []scan.DetectedBook
		threshold   float64
		approved    []scan.DetectedBook
		needsReview []scan.DetectedBook
	}{
		{name: "nil books", books: nil, threshold: 0.8},
		{name: "empty books", books: []scan.DetectedBook{}, threshold: 0.8},
		{name: "0.8 approved, 0.79999 needs review", books: []scan.DetectedBook{below, at}, threshold: 0.8,
			approved: []scan.DetectedBook{at}, needsReview: []scan.DetectedBook{below}},
		{name: "order kept", books: []scan.DetectedBook{high, low, at, unknown, one, below}, threshold: 0.8,
			approved: []scan.DetectedBook{high, at, one}, needsReview: []scan.DetectedBook{low, unknown, below}},
		{name: "unknown confidence needs review even at threshold 0", books: []scan.DetectedBook{unknown, zero}, threshold: 0,
			approved: []scan.DetectedBook{zero}, needsReview: []scan.DetectedBook{unknown}},
		{name: "threshold 0.5", books: []scan.DetectedBook{high, at, below, low}, threshold: 0.5,
			approved: []scan.DetectedBook{high, at, below}, needsReview: []scan.DetectedBook{low}},
		{name: "threshold 1: only 1 approved", books: []scan.DetectedBook{high, one}, threshold: 1,
			approved: []scan.DetectedBook{one}, needsReview: []scan.DetectedBook{high}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			approved, needsReview := scan.Split(tt.books, tt.threshold)
			assert.Equal(t, tt.approved, approved, "approved")
			assert.Equal(t, tt.needsReview, needsReview, "needs review")
		})
	}
}
