package jobs_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// The job clients read their options through bookstrack.NewConfig: these
// tests hold it to the package's one zero-value rule.

func TestOptionsZeroValueKeepsEveryDefault(t *testing.T) {
	want := bookstrack.NewConfig(nil)
	got := bookstrack.NewConfig([]bookstrack.Option{
		bookstrack.WithBaseURL(""), bookstrack.WithRoutes(bookstrack.V3), bookstrack.WithHTTPClient(nil),
		bookstrack.WithLogger(nil), bookstrack.WithClock(nil), bookstrack.WithQueryToken(""),
		bookstrack.WithResultsTTL(0), bookstrack.WithTimeoutFallback(bookstrack.PollOnTimeout), bookstrack.WithPollInterval(0),
		bookstrack.WithStallTimeout(0), bookstrack.WithResponseHeaderTimeout(0), bookstrack.WithCallRetries(0),
		bookstrack.WithMaxRetryDelay(0), bookstrack.WithCrossOriginStreams(false), bookstrack.WithStreamOptions(),
		bookstrack.WithFetchObserver(nil), bookstrack.WithStats(nil), nil,
	})
	got.HTTPClient, want.HTTPClient = nil, nil // a new client each time
	assert.Equal(t, want, got)

	d := bookstrack.NewConfig(nil)
	assert.Equal(t, bookstrack.DefaultBaseURL, d.BaseURL)
	assert.NotNil(t, d.HTTPClient)
	assert.Equal(t, sse.SystemClock, d.Clock)
	assert.Nil(t, d.Logger, "no logging")
	assert.Equal(t, 2*time.Hour, d.ResultsTTL)
	assert.Equal(t, 2*time.Second, d.PollInterval)
	assert.Equal(t, 15*time.Minute, d.StallTimeout)
	assert.Equal(t, 30*time.Second, d.HeaderTimeout)
	assert.Equal(t, 3, d.CallRetries)
	assert.Equal(t, 5*time.Minute, d.MaxRetryDelay)
}

func TestOptionsNegativeTurnsOffWhatCanBeOffAndKeepsTheDefaultElsewhere(t *testing.T) {
	c := bookstrack.NewConfig([]bookstrack.Option{
		bookstrack.WithStallTimeout(-1), bookstrack.WithResponseHeaderTimeout(-time.Second), bookstrack.WithCallRetries(-5),
		bookstrack.WithResultsTTL(-time.Hour), bookstrack.WithPollInterval(-time.Second), bookstrack.WithMaxRetryDelay(-time.Minute),
	})
	assert.Zero(t, c.StallTimeout, "off")
	assert.Zero(t, c.HeaderTimeout, "off")
	assert.Zero(t, c.CallRetries, "off")
	assert.Equal(t, 2*time.Hour, c.ResultsTTL, "cannot be off: the default")
	assert.Equal(t, 2*time.Second, c.PollInterval, "cannot be off: the default")
	assert.Equal(t, 5*time.Minute, c.MaxRetryDelay, "cannot be off: the default")
}

func TestOptionsLastOneWinsAndSetValuesAreKept(t *testing.T) {
	hc := &http.Client{}
	c := bookstrack.NewConfig([]bookstrack.Option{
		bookstrack.WithStallTimeout(time.Minute), bookstrack.WithStallTimeout(-1),
		bookstrack.WithCallRetries(7), bookstrack.WithBaseURL("http://a"), bookstrack.WithBaseURL("http://b"),
		bookstrack.WithHTTPClient(hc), bookstrack.WithPollInterval(time.Second), bookstrack.WithRoutes(bookstrack.V2),
		bookstrack.WithTimeoutFallback(bookstrack.ReconnectOnTimeout), bookstrack.WithStreamOptions(sse.WithConstantDelay(0)),
		bookstrack.WithStreamOptions(sse.WithStopAtEnd()),
	})
	assert.Zero(t, c.StallTimeout)
	assert.Equal(t, 7, c.CallRetries)
	assert.Equal(t, "http://b", c.BaseURL)
	assert.Same(t, hc, c.HTTPClient)
	assert.Equal(t, 2*time.Second, c.PollInterval, "never below 2 s")
	assert.True(t, c.V2)
	assert.True(t, c.Reconnect)
	assert.Len(t, c.StreamOptions, 2, "stream options add up")

	st := ssestats.New()
	assert.Same(t, st, bookstrack.NewConfig([]bookstrack.Option{bookstrack.WithStats(st)}).Stats)
	assert.Nil(t, bookstrack.NewConfig([]bookstrack.Option{bookstrack.WithStats(st), bookstrack.WithStats(nil)}).Stats, "nil is none")
}
