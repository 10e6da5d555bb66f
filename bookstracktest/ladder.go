package bookstracktest

import "fmt"

// step is one rung of a job's progress ladder. The last step of a ladder
// is terminal: it completes the job, or fails it when fail is set.
type step struct {
	message          string
	progress         float64
	processed, total int
	terminal         bool
	fail             *jobError
}

// jobError is why a job failed.
type jobError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
}

// importLadder is the ladder of a CSV import. Counts stay 0 throughout,
// as on the real server. A file that cannot be read fails the job right
// after validation.
func importLadder(res importResults, parseErr error) []step {
	steps := []step{{message: "Validating CSV file...", progress: 0.02}}
	if parseErr != nil {
		return append(steps, step{terminal: true, fail: &jobError{Code: "INVALID_CSV", Message: parseErr.Error()}})
	}
	n := len(res.Books)
	return append(steps,
		step{message: "Uploading CSV for processing...", progress: 0.05},
		step{message: fmt.Sprintf("Parsed %d books", n), progress: 0.75},
		step{message: "Saving books to your library...", progress: 0.80},
		step{message: fmt.Sprintf("Enriching %d books...", n), progress: 0.85},
		step{message: fmt.Sprintf("Enriched %d/%d books", res.EnrichmentSucceeded, n), progress: 0.95},
		step{message: fmt.Sprintf("Import complete: %d books", n), progress: 1, terminal: true},
	)
}

// scanLadder is the ladder of a bookshelf scan of photos photos that
// found books books. Counts are photos during the photo phase and books
// during enrichment.
func scanLadder(photos, books int) []step {
	steps := []step{{message: fmt.Sprintf("Starting scan of %d photos...", photos), progress: 0.10, total: photos}}
	for i := 0; i < photos; i++ {
		steps = append(steps, step{
			message:   fmt.Sprintf("Processing photo %d of %d...", i+1, photos),
			progress:  0.10 + 0.40*float64(i+1)/float64(photos),
			processed: i + 1,
			total:     photos,
		})
	}
	steps = append(steps, step{message: fmt.Sprintf("Enriching %d books...", books), progress: 0.50, total: books})
	for i := 0; i < books; i++ {
		steps = append(steps, step{
			message:   fmt.Sprintf("Enriched %d of %d books", i+1, books),
			progress:  0.50 + 0.45*float64(i+1)/float64(books),
			processed: i + 1,
			total:     books,
		})
	}
	return append(steps, step{
		message: fmt.Sprintf("Scan complete: %d books detected", books), progress: 1,
		processed: books, total: books, terminal: true,
	})
}

// enrichmentLadder reports every batch books and at the end.
func enrichmentLadder(total, batch int) []step {
	var steps []step
	for x := batch; ; x += batch {
		x = min(x, total)
		steps = append(steps, step{
			message:   fmt.Sprintf("Processing %d/%d", x, total),
			progress:  float64(x) / float64(total),
			processed: x,
			total:     total,
		})
		if x == total {
			break
		}
	}
	return append(steps, step{
		message: fmt.Sprintf("Enrichment complete: %d books", total), progress: 1,
		processed: total, total: total, terminal: true,
	})
}
