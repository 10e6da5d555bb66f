package api_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/settings"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// slowUplink is a transport that takes a request body 64 KiB at a time,
// moving the clock by step after each part, as a slow link would, then
// answers a started job. It fails the request when its context ends.
func slowUplink(clk *ssetest.Clock, step time.Duration, answer bool) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		buf := make([]byte, 64<<10)
		for {
			_, err := r.Body.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			clk.Advance(step)
			if err := r.Context().Err(); err != nil {
				return nil, err
			}
		}
		if !answer {
			clk.Advance(time.Hour)
			<-r.Context().Done()
			return nil, r.Context().Err()
		}
		return &http.Response{
			StatusCode: http.StatusAccepted,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"jobId":"6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5",` +
				`"streamUrl":"/v3/jobs/imports/6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5/stream","authToken":"t"}`)),
			Request: r,
		}, nil
	})
}

func startWithUplink(t *testing.T, rt func(*ssetest.Clock) http.RoundTripper, size int) error {
	t.Helper()
	clk := ssetest.NewClock(now)
	cfg := settings.MustNew([]bookstrack.Option{
		bookstrack.WithBaseURL("https://api.example.test"),
		bookstrack.WithClock(clk),
		bookstrack.WithHTTPClient(&http.Client{Transport: rt(clk)}),
		bookstrack.WithResponseHeaderTimeout(30 * time.Second),
	})
	c, err := api.New(&cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.StartJob(ctx, bookstrack.KindImport, "text/csv", []byte(strings.Repeat("a", size)))
	return err
}

func TestAnUploadThatKeepsMovingOutlastsTheHeaderTimeout(t *testing.T) {
	// 16 parts 20 s apart: 5 minutes of upload, never 30 s without progress.
	err := startWithUplink(t, func(clk *ssetest.Clock) http.RoundTripper {
		return slowUplink(clk, 20*time.Second, true)
	}, 16*64<<10)
	assert.NoError(t, err)
}

func TestAServerThatTakesTheUploadAndNeverAnswersTimesOut(t *testing.T) {
	err := startWithUplink(t, func(clk *ssetest.Clock) http.RoundTripper {
		return slowUplink(clk, time.Second, false)
	}, 4*64<<10)
	require.Error(t, err)
	assert.True(t, errors.Is(err, bookstrack.ErrTimeout), "err = %v", err)
}
