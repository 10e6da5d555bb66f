package jobs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/jobs"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The job layer's own rules, tested here rather than only end to end:
// where the token goes, and when results count as expired.

// streamServer records the stream requests it gets and ends each stream
// at once (204: the stream is over).
type streamServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func newStreamServer(t *testing.T) *streamServer {
	s := &streamServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *streamServer) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func TestTheTokenGoesOnlyToTheAPIsOrigin(t *testing.T) {
	for _, query := range []string{"", "token"} {
		api, other := newStreamServer(t), newStreamServer(t) // two ports: two origins
		opts := []bookstrack.Option{bookstrack.WithBaseURL(api.URL), bookstrack.WithQueryToken(query)}
		watch := func(c *jobs.Client, streamURL string) error {
			_, err := c.Watch(context.Background(), bookstrack.Job{ID: jobID, Token: "s3cret", StreamURL: streamURL}, bookstrack.Handlers{})
			return err
		}

		same, err := jobs.New(bookstrack.KindScan, opts)
		require.NoError(t, err)
		err = watch(same, api.URL+"/v3/jobs/scans/"+jobID+"/stream")
		var we *bookstrack.WatchError
		require.ErrorAs(t, err, &we, "a stream that ends (204) before the job did is an error")
		require.Len(t, api.requests(), 1)
		r := api.requests()[0]
		if query == "" {
			assert.Equal(t, "Bearer s3cret", r.Header.Get("Authorization"), "same origin: the token is sent")
		} else {
			assert.Equal(t, "s3cret", r.URL.Query().Get(query), "same origin: the token is sent")
		}

		err = watch(same, other.URL+"/stream")
		var oe *bookstrack.OriginError
		assert.ErrorAs(t, err, &oe, "refused by default")
		assert.Empty(t, other.requests(), "before any request")

		follow, err := jobs.New(bookstrack.KindScan, append(opts, bookstrack.WithCrossOriginStreams(true)))
		require.NoError(t, err)
		require.Error(t, watch(follow, other.URL+"/stream"))
		require.Len(t, other.requests(), 1, "followed with WithCrossOriginStreams")
		r = other.requests()[0]
		assert.Empty(t, r.Header.Get("Authorization"), "another origin: no token")
		assert.NotContains(t, r.URL.String(), "s3cret", "another origin: no token in the query")
	}
}

// Results of a completed job count as expired from ResultsExpireAt on, by
// the client's clock: a 404 one nanosecond before is only unavailable.
func TestResultsExpireExactlyAtResultsExpireAt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"status":404,"code":"NOT_FOUND","detail":"gone"}`))
	}))
	t.Cleanup(srv.Close)
	clk := ssetest.NewClock(start)
	c, err := jobs.New(bookstrack.KindScan, []bookstrack.Option{bookstrack.WithBaseURL(srv.URL), bookstrack.WithClock(clk), bookstrack.WithCallRetries(-1)})
	require.NoError(t, err)
	expires := start.Add(time.Hour)
	c.Remember(bookstrack.Completion{JobID: jobID, Status: bookstrack.StatusCompleted, ResultsExpireAt: expires})

	clk.Advance(time.Hour - time.Nanosecond)
	_, err = c.Results(context.Background(), jobID)
	assert.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	assert.NotErrorIs(t, err, bookstrack.ErrResultsExpired, "one nanosecond before the expiry")
	assert.ErrorIs(t, err, bookstrack.ErrNotFound, "the server's answer is kept")

	clk.Advance(time.Nanosecond)
	_, err = c.Results(context.Background(), jobID)
	assert.ErrorIs(t, err, bookstrack.ErrResultsExpired, "at the expiry")
	assert.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	assert.True(t, strings.Contains(err.Error(), expires.Format(time.RFC3339)), err.Error())

	_, err = c.Results(context.Background(), "0b6f3c10-8d1e-4c1a-9d55-3f2a6c1e7b10")
	assert.NotErrorIs(t, err, bookstrack.ErrResultsExpired, "a job this client never saw complete")
}
