package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// The retry rule of the idempotent calls (status, results, cancel),
// tested where it lives rather than only end to end.

func TestRetryDelay(t *testing.T) {
	const limit = 5 * time.Minute
	rl := func(d time.Duration) error {
		return &bookstrack.RateLimitError{APIError: bookstrack.APIError{StatusCode: 429}, RetryAfter: d}
	}
	for _, tc := range []struct {
		name    string
		err     error
		attempt int
		want    time.Duration
		ok      bool
	}{
		{"429 without Retry-After waits the backoff, not 0", rl(0), 0, 500 * time.Millisecond, true},
		{"429 without Retry-After, third attempt", rl(0), 2, 2 * time.Second, true},
		{"429 with Retry-After waits it", rl(7 * time.Second), 0, 7 * time.Second, true},
		{"429's Retry-After is capped", rl(time.Hour), 0, limit, true},
		{"the backoff is capped", &bookstrack.APIError{StatusCode: 503}, 30, limit, true},
		{"5xx", &bookstrack.APIError{StatusCode: 502}, 1, time.Second, true},
		{"4xx is final", &bookstrack.APIError{StatusCode: 404}, 0, 500 * time.Millisecond, false},
		{"a cancelled context is final", context.Canceled, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := api.RetryDelay(tc.err, tc.attempt, limit)
			assert.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.want, d)
			}
		})
	}
}

// retryRig is a server that answers each request with the next status of
// a list (200 with {} after the list), and a client of it on a fake
// clock with retries on.
type retryRig struct {
	clk   *ssetest.Clock
	c     *api.Client
	calls atomic.Int32
}

func newRetryRig(t *testing.T, headers map[string]string, statuses []int, opts ...bookstrack.Option) *retryRig {
	r := &retryRig{clk: ssetest.NewClock(now)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := int(r.calls.Add(1))
		if n <= len(statuses) {
			for k, v := range headers {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(statuses[n-1])
			_, _ = w.Write([]byte(`{"code":"SLOW_DOWN","detail":"busy"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":true,"data":{}}`))
	}))
	t.Cleanup(srv.Close)
	r.c = newClient(t, srv.URL, append([]bookstrack.Option{
		bookstrack.WithHTTPClient(srv.Client()),
		bookstrack.WithClock(r.clk),
		bookstrack.WithCallRetries(3),
		bookstrack.WithResponseHeaderTimeout(-1), // no timer on the clock but the retry waits
	}, opts...)...)
	return r
}

// waits runs call, advancing the clock through each wait the client arms,
// and returns the waits and call's error. A call that retried without
// waiting returns before any wait is armed.
func (r *retryRig) waits(t *testing.T, call func(context.Context) error) ([]time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a bug fails, never hangs
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- call(ctx) }()
	var waits []time.Duration
	for from := 0; ; from++ {
		armed := make(chan time.Duration, 1)
		wctx, stop := context.WithCancel(ctx)
		go func() {
			_, d, err := r.clk.WaitArmed(wctx, from, func(time.Duration) bool { return true })
			if err == nil {
				armed <- d
			}
		}()
		select {
		case err := <-done:
			stop()
			return waits, err
		case d := <-armed:
			stop()
			waits = append(waits, d)
			r.clk.Advance(d)
		case <-ctx.Done():
			stop()
			t.Fatal("the call did not end")
		}
	}
}

func TestCallsRetryA429WithoutRetryAfterAfterTheBackoff(t *testing.T) {
	for name, call := range map[string]func(*api.Client) func(context.Context) error{
		"status": func(c *api.Client) func(context.Context) error {
			return func(ctx context.Context) error { _, err := c.Status(ctx, bookstrack.KindImport, testJobID); return err }
		},
		"results": func(c *api.Client) func(context.Context) error {
			return func(ctx context.Context) error {
				_, err := c.Results(ctx, bookstrack.KindImport, testJobID)
				return err
			}
		},
		"cancel": func(c *api.Client) func(context.Context) error {
			return func(ctx context.Context) error { return c.Cancel(ctx, bookstrack.KindImport, testJobID) }
		},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRetryRig(t, nil, []int{429, 429})
			waits, err := r.waits(t, call(r.c))
			require.NoError(t, err)
			assert.Equal(t, []time.Duration{500 * time.Millisecond, time.Second}, waits, "the backoff, never a hot retry")
			assert.Equal(t, int32(3), r.calls.Load())
		})
	}
}

func TestCallsHonourRetryAfterUpToTheCap(t *testing.T) {
	r := newRetryRig(t, map[string]string{"Retry-After": "3600"}, []int{429}, bookstrack.WithMaxRetryDelay(time.Minute))
	waits, err := r.waits(t, func(ctx context.Context) error {
		_, err := r.c.Status(ctx, bookstrack.KindImport, testJobID)
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Minute}, waits)
}

func TestCallsStopAfterTheirRetries(t *testing.T) {
	r := newRetryRig(t, nil, []int{503, 503, 503, 503, 503})
	waits, err := r.waits(t, func(ctx context.Context) error {
		_, err := r.c.Status(ctx, bookstrack.KindImport, testJobID)
		return err
	})
	var ae *bookstrack.APIError
	require.ErrorAs(t, err, &ae, "the last failure, as it is")
	assert.Equal(t, 503, ae.StatusCode)
	assert.Equal(t, []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}, waits)
	assert.Equal(t, int32(4), r.calls.Load(), "the call and its 3 retries")
}

// A negative retryAfterMs is no wait at all: it counts as absent, so the
// next source (details) is read, and RetryAfter is never negative.
func TestNegativeRetryAfterMsIsAbsent(t *testing.T) {
	for _, tc := range []struct {
		body string
		want time.Duration
	}{
		{`{"code":"RATE_LIMIT_EXCEEDED","retryAfterMs":-5000}`, 0},
		{`{"code":"RATE_LIMIT_EXCEEDED","retryAfterMs":"-5000"}`, 0},
		{`{"code":"RATE_LIMIT_EXCEEDED","retryAfterMs":-1,"details":{"retryAfter":3}}`, 3 * time.Second},
		{`{"code":"RATE_LIMIT_EXCEEDED","details":{"retryAfterMs":-250}}`, 0},
		{`{"code":"RATE_LIMIT_EXCEEDED","details":{"retryAfter":-2}}`, 0},
	} {
		err := api.Error(http.MethodGet, "https://api.example/x", 429, http.Header{}, []byte(tc.body), now)
		var rl *bookstrack.RateLimitError
		require.ErrorAs(t, err, &rl, tc.body)
		assert.Equal(t, tc.want, rl.RetryAfter, tc.body)
	}
}

func TestSameOrigin(t *testing.T) {
	c := newClient(t, "https://api.example/v3")
	for u, want := range map[string]bool{
		"https://api.example/stream":        true,
		"https://API.example:443/x?token=a": true,
		"HTTPS://api.example/x":             true,
		"http://api.example/x":              false,
		"https://api.example:8443/x":        false,
		"https://api.example.evil/x":        false,
		"https://evil.example/api.example":  false,
		"https://user@other.example/x":      false,
		"//api.example/x":                   false,
		"https://api.example%zz/x":          false,
	} {
		assert.Equal(t, want, c.SameOrigin(u), u)
	}
	assert.True(t, newClient(t, "http://localhost:8080").SameOrigin("http://LOCALHOST:8080/s"))
	assert.False(t, newClient(t, "http://localhost").SameOrigin("http://localhost:8080/s"))
	assert.True(t, newClient(t, "http://localhost").SameOrigin("http://localhost:80/s"))
}
