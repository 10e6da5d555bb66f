package bookstrack_test

import (
	"bytes"
	"context"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/bookstracktest"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// t0 is where every fake clock starts: 2026-01-02T03:04:05Z.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// step is the fake's default time between two updates of a job.
const step = bookstracktest.DefaultStepInterval

// ping is the fake's (and the real server's) heartbeat interval.
const ping = bookstracktest.DefaultPingInterval

// libraryCSV is a small Goodreads export: two catalogue books, ISBNs
// written the Goodreads way.
const libraryCSV = "Title,Author,ISBN,ISBN13\n" +
	"Pride and Prejudice,Jane Austen,=\"0141439513\",=\"9780141439518\"\n" +
	"Frankenstein,Mary Shelley,=\"0141439629\",=\"9780141439624\"\n"

// shelfPhoto is a "photo" whose detections (picked by its SHA-256) hold
// a null confidence, a null ISBN, an approved enriched book and one that
// needs review.
var shelfPhoto = []byte("shelf-11")

// fixture is a bookstracktest server on a fake clock, with everything a
// test needs to build clients of it and watch what happens.
type fixture struct {
	t   *testing.T
	ctx context.Context // a guard: a bug fails the test instead of hanging it
	clk *ssetest.Clock
	srv *bookstracktest.Server
	tap *tap
}

// setup starts a fake API on a fake clock with the given options.
func setup(t *testing.T, fakeOpts ...bookstracktest.Option) *fixture {
	t.Helper()
	clk := ssetest.NewClock(t0)
	srv := bookstracktest.NewServer(t, append([]bookstracktest.Option{bookstracktest.WithClock(clk)}, fakeOpts...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return &fixture{t: t, ctx: ctx, clk: clk, srv: srv, tap: newTap(srv.Client().Transport)}
}

// options are the client options of the fixture: its URL, an HTTP client
// on the fake's transport that taps the streams, the same fake clock, and
// immediate reconnections; extra come last.
func (f *fixture) options(extra ...bookstrack.Option) []bookstrack.Option {
	return append([]bookstrack.Option{
		bookstrack.WithBaseURL(f.srv.URL),
		bookstrack.WithHTTPClient(&http.Client{Transport: f.tap}),
		bookstrack.WithClock(f.clk),
		// The fake clock jumps by minutes while response headers may still
		// be in flight: keep the stream's response header timeout out of
		// its way. Timers of the calls would sit on the fake clock beside
		// the fake's own; the tests of timeouts and retries turn them on.
		bookstrack.WithStreamOptions(sse.WithNoDelay(), sse.WithResponseHeaderTimeout(24*time.Hour)),
		bookstrack.WithResponseHeaderTimeout(-1),
		bookstrack.WithCallRetries(-1),
	}, extra...)
}

func (f *fixture) imports(extra ...bookstrack.Option) *csvimport.Client {
	f.t.Helper()
	c, err := csvimport.NewClient(f.options(extra...)...)
	require.NoError(f.t, err)
	return c
}

func (f *fixture) scans(extra ...bookstrack.Option) *scan.Client {
	f.t.Helper()
	c, err := scan.NewClient(f.options(extra...)...)
	require.NoError(f.t, err)
	return c
}

func (f *fixture) enrichments(extra ...bookstrack.Option) *enrichment.Client {
	f.t.Helper()
	c, err := enrichment.NewClient(f.options(extra...)...)
	require.NoError(f.t, err)
	return c
}

func (f *fixture) startImport(c *csvimport.Client) bookstrack.Job {
	f.t.Helper()
	job, err := c.Start(f.ctx, strings.NewReader(libraryCSV))
	require.NoError(f.t, err)
	return job
}

func (f *fixture) startScan(c *scan.Client, photos ...[]byte) bookstrack.Job {
	f.t.Helper()
	job, err := c.Start(f.ctx, photos...)
	require.NoError(f.t, err)
	return job
}

func (f *fixture) startEnrichment(c *enrichment.Client, isbns ...string) bookstrack.Job {
	f.t.Helper()
	job, err := c.Start(f.ctx, isbns)
	require.NoError(f.t, err)
	return job
}

// catalogueISBN returns the ISBN-13 of the i-th catalogue book.
func catalogueISBN(i int) string { return bookstracktest.Catalogue()[i].ISBN13 }

// stepJob makes a job that nobody watches climb n steps of its ladder.
// Nothing else may have timers on the clock (no stream, no watch).
func (f *fixture) stepJob(n int, d time.Duration) {
	f.t.Helper()
	for i := 0; i < n; i++ {
		require.NoError(f.t, f.clk.WaitPending(f.ctx, 1))
		f.clk.Advance(d)
	}
	require.NoError(f.t, f.clk.WaitPending(f.ctx, 1)) // the step has run and armed the next
}

// finishJob runs a job that nobody watches to its end. Nothing else may
// have timers on the clock.
func (f *fixture) finishJob(jobID string) bookstracktest.JobInfo {
	f.t.Helper()
	for {
		info, ok := f.srv.Job(jobID)
		require.True(f.t, ok, "job %s is unknown to the fake", jobID)
		if info.Status == bookstrack.StatusCompleted || info.Status == bookstrack.StatusFailed || info.Status == bookstrack.StatusCanceled {
			return info
		}
		require.NoError(f.t, f.clk.WaitPending(f.ctx, 1))
		f.clk.Advance(step)
	}
}

// requests returns the requests the fake received with that method and a
// path ending in suffix.
func (f *fixture) requests(method, suffix string) []bookstracktest.Request {
	var out []bookstracktest.Request
	for _, r := range f.srv.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

// streamRequests returns the requests for the job's stream.
func (f *fixture) streamRequests(jobID string) []bookstracktest.Request {
	return f.requests(http.MethodGet, jobID+"/stream")
}

// statusRequests returns the requests for the job's status route.
func (f *fixture) statusRequests(jobID string) []bookstracktest.Request {
	return f.requests(http.MethodGet, "/"+jobID)
}

// lastRequest returns the last request the fake received.
func (f *fixture) lastRequest() bookstracktest.Request {
	f.t.Helper()
	all := f.srv.Requests()
	require.NotEmpty(f.t, all)
	return all[len(all)-1]
}

// rawGet reads a route of the fake directly, to show what it sends.
func (f *fixture) rawGet(path string) string {
	f.t.Helper()
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, f.srv.URL+path, nil)
	require.NoError(f.t, err)
	resp, err := f.srv.Client().Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return string(b)
}

// eventID is an event id as the fake makes them at time at.
func eventID(at time.Time, suffix string) string {
	return strconv.FormatInt(at.UnixMilli(), 10) + "-" + suffix
}

// tap is an http.RoundTripper that notes every response the client got
// and keeps a copy of every stream body it reads, so a test can wait
// until the client has made a call or read something that has no
// callback (a heartbeat, a preamble).
type tap struct {
	base    http.RoundTripper
	mu      sync.Mutex
	trips   []string // "METHOD path" of each response received
	read    strings.Builder
	changed chan struct{}
}

func newTap(base http.RoundTripper) *tap { return &tap{base: base, changed: make(chan struct{})} }

func (tp *tap) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tp.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body = &tapBody{ReadCloser: resp.Body, tap: tp}
	}
	tp.note(func() { tp.trips = append(tp.trips, req.Method+" "+req.URL.Path) })
	return resp, err
}

func (tp *tap) note(f func()) {
	tp.mu.Lock()
	f()
	close(tp.changed)
	tp.changed = make(chan struct{})
	tp.mu.Unlock()
}

type tapBody struct {
	io.ReadCloser
	tap *tap
}

func (b *tapBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.tap.note(func() { b.tap.read.Write(p[:n]) })
	}
	return n, err
}

// text returns everything the client has read from streams so far.
func (tp *tap) text() string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return tp.read.String()
}

// count returns how many times s occurs in what the client has read.
func (tp *tap) count(s string) int { return strings.Count(tp.text(), s) }

// wait blocks until the client has read s at least n times in all.
func (tp *tap) wait(ctx context.Context, s string, n int) error {
	return tp.waitUntil(ctx, func() bool { return strings.Count(tp.read.String(), s) >= n })
}

// waitResponses blocks until the client has received n responses to
// requests with that method and a path ending in suffix.
func (tp *tap) waitResponses(ctx context.Context, method, suffix string, n int) error {
	return tp.waitUntil(ctx, func() bool {
		got := 0
		for _, trip := range tp.trips {
			if strings.HasPrefix(trip, method+" ") && strings.HasSuffix(trip, suffix) {
				got++
			}
		}
		return got >= n
	})
}

func (tp *tap) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		tp.mu.Lock()
		ok, changed := cond(), tp.changed
		tp.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// seen is what a watch delivered, in order.
type seen struct {
	progress  []bookstrack.Progress
	completed []bookstrack.Completion
	errs      []error
}

// deliveries counts the progress and completion callbacks.
func (s seen) deliveries() int { return len(s.progress) + len(s.completed) }

func (s seen) fractions() []float64 {
	out := make([]float64, len(s.progress))
	for i, p := range s.progress {
		out[i] = p.Fraction
	}
	return out
}

// recorder is a bookstrack.Handlers that keeps what it is given.
type recorder struct {
	mu      sync.Mutex
	s       seen
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) update(f func(*seen)) {
	r.mu.Lock()
	f(&r.s)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *recorder) handlers() bookstrack.Handlers {
	return bookstrack.Handlers{
		Progress:  func(p bookstrack.Progress) { r.update(func(s *seen) { s.progress = append(s.progress, p) }) },
		Completed: func(c bookstrack.Completion) { r.update(func(s *seen) { s.completed = append(s.completed, c) }) },
		Error:     func(err error) { r.update(func(s *seen) { s.errs = append(s.errs, err) }) },
	}
}

func (r *recorder) seen() seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return seen{
		progress:  append([]bookstrack.Progress(nil), r.s.progress...),
		completed: append([]bookstrack.Completion(nil), r.s.completed...),
		errs:      append([]error(nil), r.s.errs...),
	}
}

// watchRun is a watch running in its own goroutine.
type watchRun struct {
	job  bookstrack.Job
	rec  *recorder
	done chan struct{}
	comp bookstrack.Completion
	err  error
}

// watchFunc is the Watch method of any job client.
type watchFunc func(context.Context, bookstrack.Job, bookstrack.Handlers) (bookstrack.Completion, error)

// goWatch runs watch in a goroutine; the test's cleanup stops it and waits
// for it.
func (f *fixture) goWatch(watch watchFunc, job bookstrack.Job) *watchRun {
	run := &watchRun{job: job, rec: newRecorder(), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(f.ctx)
	go func() {
		defer close(run.done)
		run.comp, run.err = watch(ctx, job, run.rec.handlers())
	}()
	f.t.Cleanup(func() { cancel(); <-run.done })
	return run
}

// goUpdates is goWatch for the Updates iterator: each progress it yields
// goes to the recorder, and its error ends the run.
func (f *fixture) goUpdates(updates func(context.Context, bookstrack.Job, bookstrack.Handlers) iter.Seq2[bookstrack.Progress, error], job bookstrack.Job) *watchRun {
	run := &watchRun{job: job, rec: newRecorder(), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(f.ctx)
	progress := run.rec.handlers().Progress
	go func() {
		defer close(run.done)
		for p, err := range updates(ctx, job, bookstrack.Handlers{}) {
			if err != nil {
				run.err = err
				return
			}
			progress(p)
		}
	}()
	f.t.Cleanup(func() { cancel(); <-run.done })
	return run
}

// follow starts a watch of a running job and waits until its stream is
// open on the fake and, unless it resumes, its snapshot is delivered: from
// then on each delivery comes from a step of the job, which armed the
// next step before it was sent, so drive can advance the clock at once.
func (f *fixture) follow(watch watchFunc, job bookstrack.Job) *watchRun {
	f.t.Helper()
	run := f.goWatch(watch, job)
	require.NoError(f.t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	if job.LastEventID == "" {
		require.True(f.t, f.waitFor(run, func(s seen) bool { return len(s.progress) > 0 }), "no snapshot")
	}
	return run
}

func (run *watchRun) ended() bool {
	select {
	case <-run.done:
		return true
	default:
		return false
	}
}

// waitFor blocks until cond holds for what the watch delivered, or the
// watch ended; it reports whether cond holds.
func (f *fixture) waitFor(run *watchRun, cond func(seen) bool) bool {
	f.t.Helper()
	for {
		run.rec.mu.Lock()
		ok, changed := cond(run.rec.s), run.rec.changed
		run.rec.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-run.done:
			return cond(run.rec.seen())
		case <-f.ctx.Done():
			f.t.Fatalf("waiting for the watch of job %s: %v", run.job.ID, f.ctx.Err())
		}
	}
}

// drive advances the fake clock d at a time, each time waiting until the
// watch delivered something more, until the watch completes or returns.
func (f *fixture) drive(run *watchRun, d time.Duration) {
	f.t.Helper()
	for !run.ended() && len(run.rec.seen().completed) == 0 {
		n := run.rec.seen().deliveries()
		f.clk.Advance(d)
		f.waitFor(run, func(s seen) bool { return s.deliveries() > n })
	}
}

// driveWhilePending advances the fake clock d at a time, each time once at
// least n timers are pending, until the watch returns. It suits phases
// without a stream, where nothing is delivered for many advances.
func (f *fixture) driveWhilePending(run *watchRun, d time.Duration, n int) {
	f.t.Helper()
	for {
		ctx, cancel := context.WithCancel(f.ctx)
		go func() {
			select {
			case <-run.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		err := f.clk.WaitPending(ctx, n)
		cancel()
		if run.ended() {
			return
		}
		require.NoError(f.t, err)
		f.clk.Advance(d)
	}
}

// result waits for the watch to return.
func (f *fixture) result(run *watchRun) (bookstrack.Completion, error) {
	f.t.Helper()
	select {
	case <-run.done:
		return run.comp, run.err
	case <-f.ctx.Done():
		f.t.Fatalf("waiting for the watch of job %s to return: %v", run.job.ID, f.ctx.Err())
		return bookstrack.Completion{}, nil
	}
}

// complete drives a followed job to its end and checks it completed.
func (f *fixture) complete(run *watchRun) bookstrack.Completion {
	f.t.Helper()
	f.drive(run, step)
	comp, err := f.result(run)
	require.NoError(f.t, err)
	return comp
}

// assertCompletedOnce checks the callbacks of a watch that completed:
// exactly one Completed call, progress that never decreases, and a last
// Progress with Fraction 1 and the completed status.
func assertCompletedOnce(t *testing.T, s seen) {
	t.Helper()
	assert.Len(t, s.completed, 1, "Completed calls")
	assertMonotonic(t, s.progress)
	if assert.NotEmpty(t, s.progress) {
		last := s.progress[len(s.progress)-1]
		assert.Equal(t, 1.0, last.Fraction, "final fraction")
		assert.Equal(t, bookstrack.StatusCompleted, last.Status, "final status")
	}
	for i, p := range s.progress[:max(len(s.progress)-1, 0)] {
		assert.NotEqual(t, bookstrack.StatusCompleted, p.Status, "progress %d before the last is completed", i)
	}
}

// assertMonotonic checks that progress never goes down and stays in 0..1.
func assertMonotonic(t *testing.T, ps []bookstrack.Progress) {
	t.Helper()
	for i, p := range ps {
		assert.True(t, p.Fraction >= 0 && p.Fraction <= 1, "progress %d: fraction %v out of 0..1", i, p.Fraction)
		if i > 0 {
			assert.GreaterOrEqual(t, p.Fraction, ps[i-1].Fraction, "progress %d stepped back: %v", i, fractionsOf(ps))
		}
	}
}

func fractionsOf(ps []bookstrack.Progress) []float64 { return seen{progress: ps}.fractions() }

// logBuffer is a concurrency-safe buffer for a slog text handler.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
