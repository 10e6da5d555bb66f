package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssetest"
)

// jobClient is what a job fixture needs of a typed package's Client.
type jobClient struct {
	kind    bookstrack.Kind
	watch   func(context.Context, bookstrack.Job, bookstrack.Handlers) (bookstrack.Completion, error)
	results func(context.Context, string) (resultsSummary, error)
}

func newJobClient(t *testing.T, jobType string, opts []bookstrack.Option) jobClient {
	t.Helper()
	switch jobType {
	case "import":
		c, err := csvimport.NewClient(opts...)
		require.NoError(t, err)
		return jobClient{kind: bookstrack.KindImport, watch: c.Watch, results: func(ctx context.Context, id string) (resultsSummary, error) {
			r, err := c.Results(ctx, id)
			if err != nil {
				return resultsSummary{}, err
			}
			s := resultsSummary{BooksCreated: &r.BooksCreated, BooksUpdated: &r.BooksUpdated, DuplicatesSkipped: &r.DuplicatesSkipped,
				EnrichmentSucceeded: &r.EnrichmentSucceeded, EnrichmentFailed: &r.EnrichmentFailed, ErrorRows: []int{}, Titles: []string{}, ISBNs: []string{}}
			for _, e := range r.Errors {
				s.ErrorRows = append(s.ErrorRows, e.Row)
			}
			for _, b := range r.Books {
				s.Titles = append(s.Titles, b.Title)
				s.ISBNs = append(s.ISBNs, b.ISBN)
			}
			return s, nil
		}}
	case "scan":
		c, err := scan.NewClient(opts...)
		require.NoError(t, err)
		return jobClient{kind: bookstrack.KindScan, watch: c.Watch, results: func(ctx context.Context, id string) (resultsSummary, error) {
			r, err := c.Results(ctx, id)
			if err != nil {
				return resultsSummary{}, err
			}
			titles := func(books []scan.DetectedBook) []string {
				out := []string{}
				for _, b := range books {
					out = append(out, b.Title)
				}
				return out
			}
			s := resultsSummary{Titles: titles(r.Books), Approved: titles(r.Approved), NeedsReview: titles(r.NeedsReview), ISBNs: []string{}, Years: []int{}}
			for _, b := range r.Books {
				s.ISBNs = append(s.ISBNs, b.ISBN)
				s.Years = append(s.Years, b.PublicationYear)
			}
			return s, nil
		}}
	default:
		c, err := enrichment.NewClient(opts...)
		require.NoError(t, err)
		return jobClient{kind: bookstrack.KindEnrichment, watch: c.Watch, results: func(ctx context.Context, id string) (resultsSummary, error) {
			r, err := c.Results(ctx, id)
			if err != nil {
				return resultsSummary{}, err
			}
			s := resultsSummary{Titles: []string{}, NotFound: orEmpty(r.NotFound), ISBNs: []string{}, Authors: [][]string{}}
			for _, b := range r.Books {
				s.Titles = append(s.Titles, b.Title)
				s.ISBNs = append(s.ISBNs, b.ISBN)
				s.Authors = append(s.Authors, orEmpty(b.Authors))
			}
			return s, nil
		}}
	}
}

// progressView is a Progress as a fixture states it.
type progressView struct {
	Status           string
	Fraction         float64
	Processed, Total int
	Message, EventID string
	TimeMs           int64
}

// completionView is a Completion as a fixture states it.
type completionView struct {
	Status           string
	Processed, Total int
	Books            *int
	LastEventID      string
	TimeMs           int64
}

func TestJobFixturesEndInTheirTypedOutcome(t *testing.T) {
	for _, f := range fixturesOf(t, kindJob) {
		t.Run(f.Name, func(t *testing.T) { runJobFixture(t, f) })
	}
}

func runJobFixture(t *testing.T, f fixture) {
	jf := f.Job
	conns := jf.Connections
	out := jf.Outcome
	watchConns := len(conns)
	if out.results != nil {
		watchConns-- // the last connection answers the results call
	}
	require.Positive(t, watchConns, "%s: connections: none left for the watch", f.File)

	clock := newRecordingClock(time.UnixMilli(*jf.ClockStartMs))
	// marks[i] is how many timers were armed when the request of
	// connection i arrived; arrived[i] is closed once it is set.
	marks := make([]int, len(conns))
	arrived := make([]chan struct{}, len(conns))
	for i := range arrived {
		arrived[i] = make(chan struct{})
	}
	srv := ssetest.NewServer(t, scriptsFor(conns, func(i int) {
		marks[i] = clock.mark()
		close(arrived[i])
	})...)
	ctx, cancel := context.WithTimeout(context.Background(), safetyTimeout)
	defer cancel()

	type reconnect struct {
		info sse.ReconnectInfo
		mark int
	}
	reconnects := make(chan reconnect, 64)
	obs := sse.Observer{Reconnect: func(r sse.ReconnectInfo) { reconnects <- reconnect{r, clock.mark()} }}
	opts := []bookstrack.Option{
		bookstrack.WithBaseURL(srv.URL),
		bookstrack.WithClock(clock),
		// Time-driven policies the transcripts do not exercise are off,
		// so that the only timers are the delays the fixture states.
		bookstrack.WithStallTimeout(-1),
		bookstrack.WithResponseHeaderTimeout(-1),
		bookstrack.WithStreamOptions(sse.WithObserver(obs), sse.WithIdleTimeout(0)),
	}
	if *jf.Routes == "v2" {
		opts = append(opts, bookstrack.WithRoutes(bookstrack.V2))
	}
	if *jf.TimeoutFallback == "reconnect" {
		opts = append(opts, bookstrack.WithTimeoutFallback(bookstrack.ReconnectOnTimeout))
	}
	jc := newJobClient(t, *jf.JobType, opts)
	job := bookstrack.Job{ID: *jf.Job.ID, Kind: jc.kind, Token: *jf.Job.Token, LastEventID: *jf.Job.LastEventID}

	var gotProgress []progressView
	var streamErrors []string
	h := bookstrack.Handlers{
		Progress: func(p bookstrack.Progress) {
			gotProgress = append(gotProgress, progressView{string(p.Status), p.Fraction, p.Processed, p.Total, p.Message, p.EventID, p.Time.UnixMilli()})
		},
		Error: func(err error) {
			var se *bookstrack.StreamError
			if errors.As(err, &se) {
				streamErrors = append(streamErrors, se.Code)
			}
		},
	}
	type result struct {
		c   bookstrack.Completion
		err error
	}
	watched := make(chan result, 1)
	stop := make(chan struct{})
	go func() {
		defer close(stop)
		c, err := jc.watch(ctx, job, h)
		watched <- result{c, err}
	}()
	defer func() {
		cancel()
		<-stop
	}()

	for k := 1; k < watchConns; k++ {
		where := fmt.Sprintf("%s: connections[%d]", f.File, k)
		select {
		case <-arrived[k-1]:
		case <-ctx.Done():
			t.Fatalf("%s: the request of connections[%d] never came", f.File, k-1)
		}
		delay := time.Duration(*conns[k].DelayMs) * time.Millisecond
		mark := 0
		if isStream(*conns[k].Request.Path) {
			select {
			case r := <-reconnects:
				require.Equal(t, delay, r.info.Delay, "%s.delayMs (the previous connection ended with %v)", where, r.info.Cause)
				mark = r.mark
			case <-stop:
				t.Fatalf("%s: the watch ended instead of reconnecting", where)
			case <-ctx.Done():
				t.Fatalf("%s: no reconnection scheduled", where)
			}
		} else {
			mark = marks[k-1]
		}
		if delay > 0 {
			require.NoError(t, clock.waitArmed(ctx, stop, mark, delay), "%s.delayMs", where)
			clock.Advance(delay)
		}
	}
	var res result
	select {
	case res = <-watched:
	case <-ctx.Done():
		t.Fatalf("%s: the watch did not end (requests so far: %d of %d)", f.File, len(srv.Requests()), watchConns)
	}

	assert.Equal(t, expectedProgress(out.Progress), orEmpty(gotProgress), "%s: outcome.progress", f.File)
	assert.Equal(t, out.StreamErrors, orEmpty(streamErrors), "%s: outcome.streamErrors", f.File)
	if out.completion != nil {
		require.NoError(t, res.err, "%s: outcome.completion: the watch failed", f.File)
		c := res.c
		var books *int
		if c.HasBooks {
			books = &c.Books
		}
		want := out.completion
		assert.Equal(t, completionView{*want.Status, *want.Processed, *want.Total, want.books, *want.LastEventID, *want.TimeMs},
			completionView{string(c.Status), c.Processed, c.Total, books, c.LastEventID, c.Time.UnixMilli()}, "%s: outcome.completion", f.File)
	} else {
		checkJobError(t, f.File, out.err, res.err)
	}

	if out.results != nil {
		got, err := jc.results(ctx, job.ID)
		require.NoError(t, err, "%s: outcome.results: the results call", f.File)
		assert.Equal(t, *out.results, got, "%s: outcome.results", f.File)
	}

	reqs := srv.Requests()
	require.Len(t, reqs, len(conns), "%s: the number of requests", f.File)
	checkTranscriptEvents(t, f.File, conns)
	for i, cn := range conns {
		where := fmt.Sprintf("%s: connections[%d].request", f.File, i)
		assert.Equal(t, *cn.Request.Method, reqs[i].Method, "%s.method", where)
		assert.Equal(t, *cn.Request.Path, reqs[i].URL.Path, "%s.path", where)
		checkLastEventID(t, where+".lastEventId", cn.Request.lastEventID, reqs[i])
		if isStream(*cn.Request.Path) {
			assert.Equal(t, "Bearer "+*jf.Job.Token, reqs[i].Header.Get("Authorization"), "%s: the stream's token", where)
		}
	}
}

func isStream(path string) bool { return strings.HasSuffix(path, "/stream") }

func expectedProgress(ps []progress) []progressView {
	out := []progressView{}
	for _, p := range ps {
		out = append(out, progressView{*p.Status, *p.Fraction, *p.Processed, *p.Total, *p.Message, *p.EventID, *p.TimeMs})
	}
	return out
}

func checkJobError(t *testing.T, file string, want *jobError, err error) {
	t.Helper()
	require.Error(t, err, "%s: outcome.error: the watch completed", file)
	switch *want.Kind {
	case errJobFailed:
		var jf *bookstrack.JobFailedError
		require.ErrorAs(t, err, &jf, "%s: outcome.error.kind", file)
		assert.Equal(t, *want.Status, string(jf.Status), "%s: outcome.error.status", file)
		assert.Equal(t, *want.Code, jf.Code, "%s: outcome.error.code", file)
		assert.Equal(t, *want.Message, jf.Message, "%s: outcome.error.message", file)
	case errStreamError:
		var se *bookstrack.StreamError
		require.ErrorAs(t, err, &se, "%s: outcome.error.kind", file)
		assert.Equal(t, *want.Code, se.Code, "%s: outcome.error.code", file)
	}
}

// checkTranscriptEvents decodes the chunks of each connection that lists
// its events, from the Last-Event-ID its request carries, as a client
// would, and compares. A job client stops reading at the terminal event;
// the events listed are all those the chunks hold.
func checkTranscriptEvents(t *testing.T, file string, conns []connection) {
	t.Helper()
	for i, cn := range conns {
		if cn.Events == nil {
			continue
		}
		dec := sse.NewDecoder(&chunkReader{chunks: cloneChunks(cn.Response.chunks)})
		if id := cn.Request.lastEventID; id != nil {
			dec.SetLastEventID(*id)
		}
		got := []sse.Event{}
		for {
			e, err := dec.Decode()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "%s: connections[%d].response.chunks", file, i)
			got = append(got, e)
		}
		assert.Equal(t, expectedEvents(cn.Events), got, "%s: connections[%d].events", file, i)
	}
}
