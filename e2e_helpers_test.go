package bookstrack_test

// Helpers of the end-to-end tests of issue 6 (e2e_*_test.go): clients
// with the default options, clocks for the client that differ from the
// fake's, and scripted servers for the bytes the fake cannot send.

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// defaults are the options of a client with every default in place: only
// the fixture's URL, its tapping HTTP client and the client's clock are
// given (a client without its own clock would sleep for real).
func (f *fixture) defaults(clk sse.Clock, extra ...bookstrack.Option) []bookstrack.Option {
	return append([]bookstrack.Option{
		bookstrack.WithBaseURL(f.srv.URL),
		bookstrack.WithHTTPClient(&http.Client{Transport: f.tap}),
		bookstrack.WithClock(clk),
	}, extra...)
}

// offsetClock is the client's view of a fake clock set off by a fixed
// amount: the same timers, another time of day, as with a device whose
// clock is hours off the server's.
type offsetClock struct {
	*ssetest.Clock
	offset time.Duration
}

func (c offsetClock) Now() time.Time { return c.Clock.Now().Add(c.offset) }

// spyClock is a fake clock on which a test advances exactly when the
// client waits for a given delay (a retry's backoff, a poll's interval)
// and no sooner, through ssetest.Clock's record of armed timers.
type spyClock struct{ *ssetest.Clock }

func newSpyClock(start time.Time) *spyClock { return &spyClock{ssetest.NewClock(start)} }

// waitArmed blocks until n timers of a delay that match have been armed
// in all, and returns the n-th one's delay.
func (c *spyClock) waitArmed(ctx context.Context, n int, match func(time.Duration) bool) (time.Duration, error) {
	d, _, err := c.waitArmedOr(ctx, n, match, nil)
	return d, err
}

// waitArmedOr is waitArmed that also returns, with stopped set, once
// stop is closed: the code under test ended instead of waiting again.
func (c *spyClock) waitArmedOr(ctx context.Context, n int, match func(time.Duration) bool, stop <-chan struct{}) (d time.Duration, stopped bool, err error) {
	waitCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-waitCtx.Done():
		}
	}()
	from := 0
	for k := 1; ; k++ {
		i, d, err := c.WaitArmed(waitCtx, from, match)
		if err != nil {
			if ctx.Err() == nil {
				return 0, true, nil // stop closed
			}
			return 0, false, ctx.Err()
		}
		if k == n {
			return d, false, nil
		}
		from = i + 1
	}
}

// advanceEach advances the clock by the delay of each timer that
// matches, in the order they are armed, once it is armed, until stop is
// closed; it returns those delays. The timers that match must be armed
// one at a time, each alone on the clock, as a call's retry waits are.
func (c *spyClock) advanceEach(ctx context.Context, match func(time.Duration) bool, stop <-chan struct{}) ([]time.Duration, error) {
	var waited []time.Duration
	for n := 1; ; n++ {
		d, stopped, err := c.waitArmedOr(ctx, n, match, stop)
		if stopped || err != nil {
			return waited, err
		}
		waited = append(waited, d)
		c.Advance(d)
	}
}

// below matches the delays shorter than d.
func below(d time.Duration) func(time.Duration) bool {
	return func(x time.Duration) bool { return x < d }
}

// exactly matches the delay d.
func exactly(d time.Duration) func(time.Duration) bool {
	return func(x time.Duration) bool { return x == d }
}

// guard is a context that fails a test instead of letting a bug hang it.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// jsonScript is a scripted JSON response of a route of the API.
func jsonScript(status int, body string, header ...string) ssetest.Script {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return ssetest.Script{Status: status, Header: h, Steps: []ssetest.Step{ssetest.Raw(body)}}
}

// streamScript is a scripted event stream: the raw bytes, then the end.
func streamScript(raw ...string) ssetest.Script {
	return ssetest.Script{Steps: []ssetest.Step{ssetest.Raw(raw...)}}
}

// scriptPaths returns "METHOD path" of each request a scripted server got.
func scriptPaths(srv *ssetest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Method+" "+r.URL.Path)
	}
	return out
}

// scriptedJobID and scriptedToken are the job of the scripted servers.
const (
	scriptedJobID = "7d1e5c2a-4b3f-4a6e-9c8d-2f1a0b9e8d7c"
	scriptedToken = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
)

// startBody is a v3 start response for the scripted job, with extra
// members (`"statusUrl":"..."` and the like) added to its data.
func startBody(extra ...string) string {
	members := append([]string{`"jobId":"` + scriptedJobID + `"`, `"token":"` + scriptedToken + `"`, `"status":"queued"`}, extra...)
	return `{"success":true,"data":{` + strings.Join(members, ",") + `}}`
}

// silentServer accepts connections and never answers them: a server
// that is up but hung.
type silentServer struct {
	ln    net.Listener
	URL   string
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newSilentServer(t *testing.T) *silentServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &silentServer{ln: ln, URL: "http://" + ln.Addr().String()}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, c)
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range s.conns {
			c.Close()
		}
	})
	return s
}

// rawEvent is one event of a stream as the server writes it.
func rawEvent(id, typ, data string) string {
	return "id: " + id + "\nevent: " + typ + "\ndata: " + data + "\n\n"
}

// progressData is the data of a progress event of the job; progress and
// the counts are JSON written as given, so that a test can send values
// of any type.
func progressData(jobID, message, progress, processed, total string, at time.Time) string {
	return `{"jobId":"` + jobID + `","status":"processing","message":"` + message + `","progress":` + progress +
		`,"processedCount":` + processed + `,"totalCount":` + total + `,"timestamp":"` + at.Format(time.RFC3339Nano) + `"}`
}

// completedData is the data of a queued completed event of the job.
func completedData(jobID string, at time.Time) string {
	return `{"jobId":"` + jobID + `","status":"completed","message":"done","progress":1,"processedCount":1,"totalCount":1,"timestamp":"` +
		at.Format(time.RFC3339Nano) + `"}`
}

// pausedEnrichment starts an enrichment the fake will not move on by
// itself, watched by a client with default options on its own clock clk,
// and returns the running watch once its snapshot is delivered: from then
// on the test writes the stream (SendRaw).
func (f *fixture) pausedEnrichment(clk sse.Clock) (*enrichment.Client, *watchRun) {
	f.t.Helper()
	c, err := enrichment.NewClient(f.defaults(clk)...)
	require.NoError(f.t, err)
	job := f.startEnrichment(c, catalogueISBN(0))
	require.True(f.t, f.srv.PauseJob(job.ID))
	return c, f.follow(c.Watch, job)
}
