package jobs_test

import (
	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
)

func decodeForTest(data string) (jobs.Payload, []*bookstrack.DecodeError, error) {
	return jobs.DecodePayload([]byte(data))
}
