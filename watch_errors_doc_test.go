package bookstrack_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/internal/jobtest"
	"github.com/bookstrack/bookstrack-go/sse"
)

// What "Errors of a watch" in the package docs says: the errors that end
// an sse.Client's Connect end a watch too, and errors.As finds them.
func TestWatchEndsWithTheSSEErrorsTheDocsList(t *testing.T) {
	cases := []struct {
		name  string
		serve http.HandlerFunc
		job   func(*bookstrack.Job)
		check func(t *testing.T, err error)
	}{
		{"a 200 that is not an event stream gives *sse.ContentTypeError", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "hello")
		}, nil, func(t *testing.T, err error) {
			var cte *sse.ContentTypeError
			assert.ErrorAs(t, err, &cte)
		}},
		{"a redirect without Location gives *sse.RedirectError", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusFound)
		}, nil, func(t *testing.T, err error) {
			var re *sse.RedirectError
			assert.ErrorAs(t, err, &re)
		}},
		{"an unknown Content-Encoding gives *sse.ContentEncodingError", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Content-Encoding", "br")
			_, _ = io.WriteString(w, "data: x\n\n")
		}, nil, func(t *testing.T, err error) {
			var cee *sse.ContentEncodingError
			assert.ErrorAs(t, err, &cee)
		}},
		{"5xx until the give-up gives *sse.GiveUpError and the last *APIError", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"status":503,"code":"SERVICE_UNAVAILABLE","retryable":true}`)
		}, nil, func(t *testing.T, err error) {
			var gu *sse.GiveUpError
			var ae *bookstrack.APIError
			require.ErrorAs(t, err, &gu)
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, http.StatusServiceUnavailable, ae.StatusCode)
		}},
		{"a 403 gives an *APIError matching ErrUnauthorized", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
		}, nil, func(t *testing.T, err error) {
			var ae *bookstrack.APIError
			require.ErrorAs(t, err, &ae)
			assert.ErrorIs(t, err, bookstrack.ErrUnauthorized)
		}},
		{"a LastEventID that cannot be sent gives sse.ErrInvalidLastEventID", func(w http.ResponseWriter, r *http.Request) {
			t.Error("no request is made")
		}, func(j *bookstrack.Job) { j.LastEventID = "1\n2" }, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, sse.ErrInvalidLastEventID)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.serve)
			t.Cleanup(srv.Close)
			c, err := enrichment.NewClient(bookstrack.WithBaseURL(srv.URL),
				bookstrack.WithStreamOptions(sse.WithNoDelay(), sse.WithGiveUp(2, time.Minute)))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			job := bookstrack.Job{ID: jobtest.JobID, Kind: bookstrack.KindEnrichment, Token: jobtest.Token}
			if tc.job != nil {
				tc.job(&job)
			}
			_, err = c.Watch(ctx, job, bookstrack.Handlers{})
			require.Error(t, err)
			assert.False(t, errors.Is(err, context.DeadlineExceeded), "the watch ended on its own: %v", err)
			tc.check(t, err)
		})
	}
}
