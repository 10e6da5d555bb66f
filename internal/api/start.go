package api

import (
	"cmp"
	"context"
	"fmt"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/lenient"
)

// started is the data of a start response in every spelling the server
// versions use: token or authToken, streamUrl or sseUrl (possibly
// relative), and statusUrl.
type started struct {
	JobID     string `json:"jobId"`
	ID        string `json:"id"`
	Status    string `json:"status"`
	Token     string `json:"token"`
	AuthToken string `json:"authToken"`
	StreamURL string `json:"streamUrl"`
	SSEURL    string `json:"sseUrl"`
	StatusURL string `json:"statusUrl"`
}

// StartJob starts a job and returns its handle. When the response gives
// no stream URL, or the client speaks the v2 routes, the stream URL is
// built from the route set.
func (c *Client) StartJob(ctx context.Context, kind bookstrack.Kind, contentType string, body []byte) (bookstrack.Job, error) {
	data, err := c.Start(ctx, kind, contentType, body)
	if err != nil {
		return bookstrack.Job{}, err
	}
	var s started
	if err := lenient.Decode(data, &s, "start response"); err != nil {
		return bookstrack.Job{}, err
	}
	job := bookstrack.Job{
		ID:     cmp.Or(s.JobID, s.ID),
		Kind:   kind,
		Token:  cmp.Or(s.Token, s.AuthToken),
		Status: bookstrack.Status(cmp.Or(s.Status, string(bookstrack.StatusQueued))),
	}
	if !uuidPattern.MatchString(job.ID) {
		return bookstrack.Job{}, &bookstrack.DecodeError{What: "start response", Field: "jobId", Err: fmt.Errorf("%q is not a UUID", job.ID)}
	}
	if stream := cmp.Or(s.StreamURL, s.SSEURL); stream != "" && !c.v2 {
		job.StreamURL = c.URL(stream)
	} else {
		job.StreamURL = c.StreamURL(kind, job.ID)
	}
	if s.StatusURL != "" {
		job.StatusURL = c.URL(s.StatusURL)
	} else {
		job.StatusURL = c.StatusURL(kind, job.ID) // "" when the set has none
	}
	return job, nil
}
