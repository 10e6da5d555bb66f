package bookstrack_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/sse"
	"github.com/bookstrack/bookstrack-go/sse/ssestats"
)

// WithStats: the job packages record their figures under their job type.

func TestAWatchedJobsStreamIsCountedUnderItsJobType(t *testing.T) {
	f := setup(t)
	st := ssestats.New()
	imports, scans, enrichments := f.imports(bookstrack.WithStats(st)), f.scans(bookstrack.WithStats(st)), f.enrichments(bookstrack.WithStats(st))
	f.complete(f.follow(imports.Watch, f.startImport(imports)))
	f.complete(f.follow(scans.Watch, f.startScan(scans, shelfPhoto)))
	f.complete(f.follow(enrichments.Watch, f.startEnrichment(enrichments, catalogueISBN(0))))

	snap := st.Snapshot()
	assert.Equal(t, []string{"enrichment", "imports", "scans"}, snap.Names())
	for _, kind := range []bookstrack.Kind{bookstrack.KindImport, bookstrack.KindScan, bookstrack.KindEnrichment} {
		fig := snap.Streams[string(kind)]
		assert.Equal(t, ssestats.Rate{Succeeded: 1}, fig.Connections, "%s connections", kind)
		assert.Equal(t, int64(1), fig.ConnectTime.Count, "%s connection time", kind)
		assert.Equal(t, int64(1), fig.FirstMessage.Count, "%s time to first message", kind)
		assert.Zero(t, fig.Reconnections, "%s reconnections", kind)
		assert.Zero(t, fig.Drops, "%s drops: the watch closes its stream after the completion", kind)
	}
	assert.Equal(t, ssestats.Rate{Succeeded: 3}, snap.All.Connections)
}

func TestADropGivesOneReconnectionUnderItsJobType(t *testing.T) {
	f := setup(t)
	st := ssestats.New()
	c := f.imports(bookstrack.WithStats(st))
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	require.Equal(t, 1, f.srv.DropStreams(job.ID))
	require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
	f.complete(run)

	snap := st.Snapshot()
	assert.Equal(t, []string{"imports"}, snap.Names())
	fig := snap.Streams["imports"]
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, fig.Connections)
	assert.Equal(t, ssestats.Rate{Succeeded: 1}, fig.Reconnections)
	assert.Equal(t, int64(1), fig.ReconnectTime.Count, "the reconnection is timed")
	assert.Equal(t, int64(1), fig.Drops)
	assert.Equal(t, int64(2), fig.ConnectTime.Count, "both streams opened")
}

func TestAResults404CountsAsAFailedFetchUnderItsJobType(t *testing.T) {
	f := setup(t)
	st := ssestats.New()
	c := f.enrichments(bookstrack.WithStats(st))
	job := f.startEnrichment(c, catalogueISBN(0))
	f.complete(f.follow(c.Watch, job))
	_, err := c.Results(f.ctx, job.ID)
	require.NoError(t, err)
	_, err = c.Results(f.ctx, missingJob)
	require.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)

	fig := st.Snapshot().Streams["enrichment"]
	assert.Equal(t, ssestats.Rate{Succeeded: 1, Failed: 1}, fig.Fetches)
	assert.Equal(t, ssestats.Errors{NotFound: 1}, fig.Errors)
}

func TestAResultsFetchIsCountedWithAFetchObserverToo(t *testing.T) {
	f := setup(t)
	st := ssestats.New()
	var seen []bookstrack.FetchInfo
	c := f.scans(bookstrack.WithFetchObserver(func(i bookstrack.FetchInfo) { seen = append(seen, i) }), bookstrack.WithStats(st))
	_, err := c.Results(f.ctx, missingJob)
	require.ErrorIs(t, err, bookstrack.ErrResultsUnavailable)
	require.Len(t, seen, 1)
	assert.Equal(t, http.StatusNotFound, seen[0].StatusCode)
	assert.Equal(t, ssestats.Rate{Failed: 1}, st.Snapshot().Streams["scans"].Fetches)
}

// callbacks counts an Observer's callbacks by name.
type callbacks struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callbacks) observer() sse.Observer {
	note := func(name string) {
		c.mu.Lock()
		c.n[name]++
		c.mu.Unlock()
	}
	return sse.Observer{
		Attempt:    func(sse.AttemptInfo) { note("attempt") },
		Open:       func(sse.OpenInfo) { note("open") },
		FirstEvent: func(sse.FirstEventInfo) { note("first event") },
		Close:      func(sse.CloseInfo) { note("close") },
		Reconnect:  func(sse.ReconnectInfo) { note("reconnect") },
	}
}

func TestACallersOwnObserverStillGetsEveryCallbackWithStats(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order func(stats, observer bookstrack.Option) []bookstrack.Option
	}{
		{"stats first", func(s, o bookstrack.Option) []bookstrack.Option { return []bookstrack.Option{s, o} }},
		{"observer first", func(s, o bookstrack.Option) []bookstrack.Option { return []bookstrack.Option{o, s} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			st := ssestats.New()
			cb := &callbacks{n: map[string]int{}}
			c := f.scans(tc.order(bookstrack.WithStats(st), bookstrack.WithStreamOptions(sse.WithObserver(cb.observer())))...)
			job := f.startScan(c, shelfPhoto)
			run := f.follow(c.Watch, job)
			require.Equal(t, 1, f.srv.DropStreams(job.ID))
			require.NoError(t, f.srv.WaitStreams(f.ctx, job.ID, 1))
			f.complete(run)

			assert.Equal(t, map[string]int{"attempt": 2, "open": 2, "first event": 2, "close": 2, "reconnect": 1}, cb.n)
			fig := st.Snapshot().Streams["scans"]
			assert.Equal(t, ssestats.Rate{Succeeded: 1}, fig.Connections, "the stats are told too")
			assert.Equal(t, ssestats.Rate{Succeeded: 1}, fig.Reconnections)
			assert.Equal(t, int64(2), fig.FirstMessage.Count)
		})
	}
}

func TestProgressLatencyIsRecordedForStreamedUpdatesOnly(t *testing.T) {
	f := setup(t)
	st := ssestats.New()
	c := f.imports(bookstrack.WithStats(st))
	job := f.startImport(c)
	run := f.follow(c.Watch, job)
	require.True(t, f.srv.PauseJob(job.ID))
	f.heartbeats(9, "event: ping\n")
	f.clk.Advance(ping) // 5 minutes without an update: the timeout event, then polling
	require.NoError(t, f.tap.waitResponses(f.ctx, http.MethodGet, "/"+job.ID, 1))
	require.True(t, f.srv.ResumeJob(job.ID))
	f.driveWhilePending(run, step, 2)
	_, err := f.result(run)
	require.NoError(t, err)

	var streamed, polled int
	for _, p := range run.rec.seen().progress {
		if p.EventID != "" {
			streamed++
		} else {
			polled++
		}
	}
	require.NotZero(t, streamed)
	require.NotZero(t, polled, "the watch polled")
	got := st.Snapshot().Streams["imports"].ProgressLatency
	assert.Equal(t, int64(streamed), got.Count, "the %d streamed updates, not the %d polled", streamed, polled)
	assert.Zero(t, got.Max, "the fake clock did not move between a send and its delivery")
}
